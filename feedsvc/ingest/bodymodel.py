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
_ARRAYS = ("feature", "threshold", "left", "right", "value", "leaf")


class BodyModel:
    """A sum of regression trees over ``NAMES`` features, read as a log-odds of "article text"."""

    def __init__(self, data: dict):
        if tuple(data["features"]) != NAMES:
            # The features changed since the model was trained: retrain rather than guess.
            raise ValueError("bodymodel.json was trained on other features; run bench/train_reader.py")
        self.baseline = float(data["baseline"])
        self.depth = int(data["depth"])
        # All trees in one set of arrays (children numbered across them), walked together: a
        # walk per tree was 500 small numpy calls a page, 3 ms of it (issue 11).
        trees = [{key: np.asarray(tree[key]) for key in _ARRAYS} for tree in data["trees"]]
        starts = np.cumsum([0] + [len(tree["leaf"]) for tree in trees[:-1]])
        self.roots = np.asarray(starts, dtype=int)
        for key in _ARRAYS:
            parts = [tree[key] + start if key in ("left", "right") else tree[key] for tree, start in zip(trees, starts)]
            setattr(self, key, np.concatenate(parts))

    def probabilities(self, rows: list[list[float]]) -> np.ndarray:
        """P(article text) for each feature row."""
        if not rows:
            return np.zeros(0)
        x = np.asarray(rows, dtype=float)
        row = np.arange(len(x))[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        for _ in range(self.depth):
            goes_left = x[row, self.feature[node]] <= self.threshold[node]
            node = np.where(self.leaf[node], node, np.where(goes_left, self.left[node], self.right[node]))
        # The trees' values added one tree after another, as the model was trained and checked:
        # a pairwise sum would round differently.
        raw = np.add.accumulate(np.column_stack([np.full(len(x), self.baseline), self.value[node]]), axis=1)[:, -1]
        return 1.0 / (1.0 + np.exp(-raw))


@lru_cache(maxsize=1)
def body_model() -> BodyModel:
    """The shipped model, loaded once per process."""
    return BodyModel(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
