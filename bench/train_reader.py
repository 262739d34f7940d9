"""Train the body model (feedsvc/ingest/bodymodel.json) on the public dev suites.

    pip install scikit-learn==1.9.1        # training only; the service evaluates the JSON with numpy
    python bench/train_reader.py --suite readability DIR --suite trafilatura DIR [--cv 5] [--write]

Every page goes through the importer's own steps (decode, clean, take the info lines, cut into
units, ask both readers, compute features), so the model sees exactly what it will see in use.
Labels: on the ``readability`` suite a unit is article text when the gold body holds it; on the
``trafilatura`` suite when it holds a snippet that must appear, and not when it holds one that must
not (units holding neither are left out). ``--cv K`` reports K-fold cross-validated scores with
pages held out whole (the honest figure for pages the model never saw); ``--write`` fits on every
page and writes the model.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

import quality  # noqa: E402  (bench/quality.py: the suites and their scoring)

from feedsvc.ingest.bodyfeatures import NAMES, coverage, normalize, weighted_length  # noqa: E402
from feedsvc.ingest.bodymodel import MODEL_PATH  # noqa: E402

# Small trees, many of them, slowly: what held-out pages scored best with (see --cv).
PARAMS = {"max_depth": 4, "max_iter": 100, "learning_rate": 0.1, "random_state": 0}
MAX_WEIGHT = 400  # a unit's say grows with its length, up to this many weighted characters


def page_data(page: quality.Page) -> dict | None:
    """Units, features and labels of one page, through the importer's own steps."""
    from feedsvc.ingest.encoding import decode_bytes
    from feedsvc.ingest.htmlbody import read_units
    from feedsvc.ingest.htmlpage import declared_title, prepare_page
    from feedsvc.sanitize import strip_control_chars

    try:
        text, _ = decode_bytes(Path(page.path).read_bytes())
        prepared = prepare_page(strip_control_chars(text))
    except Exception:  # a page we cannot read at all teaches nothing
        return None
    title = declared_title(prepared)
    reading = read_units(prepared.tree, title)
    labels = [_label(page, normalize(u.text)) for u in reading.units]
    return {
        "page": page.name, "title": title, "rows": reading.rows, "labels": labels,
        "weights": [min(weighted_length(u.text), MAX_WEIGHT) + 10 for u in reading.units],
        "texts": [u.text for u in reading.units],
    }


def _label(page: quality.Page, unit: str) -> int:
    if page.text is not None:
        return int(coverage(unit, normalize(page.text)) >= 0.5)
    if any(normalize(w) and normalize(w) in unit for w in page.with_):
        return 1
    if any(normalize(w) and normalize(w) in unit for w in page.without):
        return 0
    return -1  # the suite says nothing about this unit


def load(suites: list[tuple[str, str]], jobs: int) -> list[tuple[quality.Page, dict | None]]:
    """(page, data) for every page of every suite."""
    items = []
    for suite, folder in suites:
        pages = quality.load_suite(suite, Path(folder))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            items += list(zip(pages, pool.map(page_data, pages, chunksize=4)))
    return items


def fit(items):
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y, w = [], [], []
    for _, data in items:
        if data is None:
            continue
        for row, label, weight in zip(data["rows"], data["labels"], data["weights"]):
            if label >= 0:
                x.append(row)
                y.append(label)
                w.append(weight)
    return HistGradientBoostingClassifier(**PARAMS).fit(np.asarray(x), np.asarray(y), sample_weight=np.asarray(w))


def export(model, trained: dict) -> dict:
    """The fitted trees as plain lists (feature, threshold, children, leaf value), and how."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({
            "feature": nodes["feature_idx"].tolist(), "threshold": nodes["num_threshold"].tolist(),
            "left": nodes["left"].tolist(), "right": nodes["right"].tolist(),
            "value": nodes["value"].tolist(), "leaf": nodes["is_leaf"].astype(bool).tolist(),
        })
    return {
        "features": list(NAMES), "baseline": float(model._baseline_prediction.ravel()[0]),
        "depth": PARAMS["max_depth"] + 1, "trees": trees,
        "trained": {"params": PARAMS, "library": "scikit-learn HistGradientBoostingClassifier", **trained},
    }


class _Candidate:
    """A fitted scikit-learn model in the body model's shape (``probabilities(rows)``)."""

    def __init__(self, model):
        self.model = model

    def probabilities(self, rows):
        return self.model.predict_proba(np.asarray(rows))[:, 1]


def _extract(task: tuple[quality.Page, object]) -> tuple[str, str]:
    """The article text the importer's own HTML reader takes from a page with this model."""
    from datetime import timezone

    from feedsvc.ingest.article import ParseError
    from feedsvc.ingest.encoding import decode_bytes
    from feedsvc.ingest.htmlpage import parse_html_page
    from feedsvc.sanitize import strip_control_chars

    page, model = task
    try:
        text, _ = decode_bytes(Path(page.path).read_bytes())
        return page.name, parse_html_page(strip_control_chars(text), tz=timezone.utc, model=model).text
    except ParseError:
        return page.name, ""


def evaluate(pages: list[quality.Page], model_for: dict[str, object], jobs: int) -> dict[str, float]:
    """Each suite's text score when the importer reads every page with its given model."""
    # spawn: a forked child inherits the fitted models' OpenMP threads and hangs in them.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        texts = dict(pool.map(_extract, [(p, model_for[p.name]) for p in pages], chunksize=4))
    f1s: dict[str, list[float]] = {}
    counts: dict[str, list[int]] = {}
    for page in pages:
        text = texts[page.name]
        if page.text is not None:
            f1s.setdefault(page.suite, []).append(quality.bag_scores(text, page.text)[2])
        else:
            total = counts.setdefault(page.suite, [0, 0, 0, 0])
            for i, c in enumerate(quality.snippet_counts(page, text)):
                total[i] += c
    scores = {suite: round(sum(v) / len(v), 4) for suite, v in f1s.items()}
    for suite, (tp, fp, fn, _) in counts.items():
        precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
        scores[suite] = round(2 * precision * recall / max(1e-9, precision + recall), 4)
    return scores


def cross_validate(items, folds: int, seeds: int, jobs: int) -> list[dict[str, float]]:
    """Scores with each page read by a model trained without it, ``seeds`` shuffles of the folds."""
    runs = []
    pages = [page for page, _ in items]
    for seed in range(seeds):
        order = list(range(len(items)))
        random.Random(seed).shuffle(order)
        fold_of = {index: position % folds for position, index in enumerate(order)}
        model_for: dict[str, object] = {}
        for fold in range(folds):
            model = _Candidate(fit([items[i] for i in order if fold_of[i] != fold]))
            model_for.update({items[i][0].name: model for i in order if fold_of[i] == fold})
        runs.append(evaluate(pages, model_for, jobs))
    return runs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", nargs=2, action="append", metavar=("NAME", "DIR"), required=True)
    parser.add_argument("--cv", type=int, default=0, help="K-fold cross-validation over pages")
    parser.add_argument("--seeds", type=int, default=3, help="shuffles of the folds to average")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write", action="store_true", help=f"fit on every page and write {MODEL_PATH.name}")
    args = parser.parse_args(argv)
    items = load(args.suite, args.jobs)
    trained: dict = {"pages": {suite: sum(p.suite == suite for p, _ in items) for suite, _ in args.suite}}
    if args.cv:
        runs = cross_validate(items, args.cv, args.seeds, args.jobs)
        trained["cross_validated"] = {"folds": args.cv, "shuffles": args.seeds, "text_f1": {
            suite: round(float(np.mean([run[suite] for run in runs])), 4) for suite in runs[0]}}
        for suite in runs[0]:
            values = [run[suite] for run in runs]
            print(f"cv {args.cv}-fold {suite}: {np.mean(values):.4f} (runs: {', '.join(f'{v:.4f}' for v in values)})")
    if args.write:
        model = fit(items)
        candidate = _Candidate(model)
        trained["in_sample"] = evaluate([p for p, _ in items], {p.name: candidate for p, _ in items}, args.jobs)
        MODEL_PATH.write_text(json.dumps(export(model, trained), separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size:,} bytes)")
        print("in-sample", trained["in_sample"])


if __name__ == "__main__":
    main()
