"""The body model: boosted decision trees that weigh the readers' votes and the page's cues.

Trained by ``bench/train_reader.py`` on the public dev suites the extraction issue names and
shipped as data (``bodymodel.json``): the trees are plain numbers, evaluated here with numpy.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from feedsvc.ingest.bodyfeatures import NAMES

MODEL_PATH = Path(__file__).with_name("bodymodel.json")


class BodyModel:
    """A sum of regression trees over ``NAMES`` features, read as a log-odds of "article text"."""

    def __init__(self, data: dict):
        if tuple(data["features"]) != NAMES:
            # The features changed since the model was trained: retrain rather than guess.
            raise ValueError("bodymodel.json was trained on other features; run bench/train_reader.py")
        self.baseline = float(data["baseline"])
        self.trees = [
            {key: np.asarray(tree[key]) for key in ("feature", "threshold", "left", "right", "value", "leaf")}
            for tree in data["trees"]
        ]
        self.depth = int(data["depth"])

    def probabilities(self, rows: list[list[float]]) -> np.ndarray:
        """P(article text) for each feature row."""
        if not rows:
            return np.zeros(0)
        x = np.asarray(rows, dtype=float)
        index = np.arange(len(x))
        raw = np.full(len(x), self.baseline)
        for tree in self.trees:
            node = np.zeros(len(x), dtype=int)
            for _ in range(self.depth):
                leaf = tree["leaf"][node]
                if leaf.all():
                    break
                goes_left = x[index, tree["feature"][node]] <= tree["threshold"][node]
                step = np.where(goes_left, tree["left"][node], tree["right"][node])
                node = np.where(leaf, node, step)
            raw += tree["value"][node]
        return 1.0 / (1.0 + np.exp(-raw))


@lru_cache(maxsize=1)
def body_model() -> BodyModel:
    """The shipped model, loaded once per process."""
    return BodyModel(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
