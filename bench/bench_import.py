"""Import benchmark: articles/s and peak memory of the importer on a seeded corpus, beside the
bare cost of the extraction library (HTML) or of reading the files (text), and where the time goes.

    .venv/bin/python bench/bench_import.py              # 10,000 files of each kind
    .venv/bin/python bench/bench_import.py --n 200      # a quick run

Each measured run is a fresh interpreter (see common.run_worker) with a fresh instance folder.
``--database-url`` runs the import against PostgreSQL instead; the database it names is
emptied (migrated down to base and up again) before every run, so give it a throwaway one.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import cpu_seconds, ensure_corpus, machine, markdown_table, peak_rss_mib, run_worker, write_json

SCRIPT = Path(__file__).resolve()
# The options htmlpage._main_content passes; the library's defaults are measured as well.
IMPORTER_EXTRACT_OPTIONS = {
    "output_format": "html",
    "include_comments": False,
    "include_links": True,
    "include_formatting": True,
    "include_images": True,
    "include_tables": True,
}
STEPS = ("parse", "complete", "store")


# --- worker side: runs in a fresh interpreter, prints one JSON line --------------------------

def _app():
    from alembic import command

    from feedsvc import create_app, db

    app = create_app()
    if db.get_engine(app).dialect.name == "sqlite":
        db.ensure_schema(app)
    else:
        # A fresh instance on a server database: drop everything, then migrate from scratch.
        command.downgrade(db.alembic_config(app), "base")
        db.upgrade(app)
    return app


def _settings(app):
    # The app's own settings, so the benchmark imports exactly as `feedsvc import` does.
    from feedsvc.services.imports import import_settings

    return import_settings(app)


def _timed(calls: list, func):
    """``func`` appending the wall time of each call to ``calls``."""
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            calls.append(time.perf_counter() - started)
    return wrapper


def _decile_means_ms(calls: list[float]) -> list[float]:
    size = max(1, len(calls) // 10)
    return [1000 * statistics.fmean(calls[i : i + size]) for i in range(0, size * 10, size) if calls[i : i + size]]


def worker_import(task: dict) -> dict:
    """Import a corpus folder with import_files, timing its three steps on the way."""
    from feedsvc.ingest import importer

    app = _app()
    settings = _settings(app)
    files = importer.collect_files([Path(task["corpus"])])
    # Timers around the importer's own calls (module globals it looks up at call time):
    # three perf_counter pairs per file, microseconds against milliseconds of work.
    calls = {step: [] for step in STEPS}
    importer.parse_bytes = _timed(calls["parse"], importer.parse_bytes)
    importer.complete_article = _timed(calls["complete"], importer.complete_article)
    importer.store_article = _timed(calls["store"], importer.store_article)
    rss_before = peak_rss_mib()
    cpu_started, started = cpu_seconds(), time.perf_counter()
    report = importer.import_files(
        app.extensions["feedsvc.sessionmaker"], files, settings=settings, origin="bench"
    )
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    counts = {o.value: report.counts[o] for o in importer.Outcome}
    return {
        "files": len(files),
        "articles": sum(counts.values()) - counts["failed"],
        "counts": counts,
        "errors": report.errors[:5],
        "seconds": seconds,
        "cpu_seconds": cpu,
        "steps": {step: sum(c) for step, c in calls.items()},
        # Mean ms per call over each tenth of the run: a step that slows as the store grows shows here.
        "step_ms_by_decile": {step: _decile_means_ms(c) for step, c in calls.items()},
        "rss_before_mib": rss_before,
        "peak_rss_mib": peak_rss_mib(),
    }


def worker_profile(task: dict) -> dict:
    """cProfile of import_files over a sample: the functions that take the time."""
    from feedsvc.ingest import importer

    app = _app()
    settings = _settings(app)
    files = importer.collect_files([Path(task["corpus"])])
    step = max(1, len(files) // task["sample"])
    files = files[::step][: task["sample"]]
    # One file first, unprofiled: jieba loads its dictionary on first use, a one-off cost.
    importer.prepare_articles(files[0].read_bytes(), files[0].name, settings=settings)
    profiler = cProfile.Profile()
    profiler.enable()
    importer.import_files(app.extensions["feedsvc.sessionmaker"], files, settings=settings, origin="bench")
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(v[3] for v in stats.stats.values())  # the outermost call's cumulative time

    def top(index: int, count: int, only_ours: bool = False) -> list[dict]:
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][index], reverse=True)
        if only_ours:
            rows = [kv for kv in rows if "/feedsvc/" in kv[0][0]]
        return [
            {"function": f"{'/'.join(Path(f).parts[-2:])}:{line}({name})", "self_s": v[2],
             "cumulative_s": v[3], "share": v[index] / total}
            for (f, line, name), v in rows[:count]
        ]

    return {"files": len(files), "profiled_seconds": total, "by_self": top(2, 15),
            "by_cumulative": top(3, 40), "ours_by_cumulative": top(3, 25, only_ours=True)}


def worker_bare(task: dict) -> dict:
    """The reference: the extraction library alone (HTML) or reading and decoding alone (text)."""
    files = sorted(Path(task["corpus"]).rglob(f"*{task['suffix']}"))
    if task["mode"] == "read":
        extract = None
    else:
        import trafilatura

        options = IMPORTER_EXTRACT_OPTIONS if task["mode"] == "importer-options" else {}

        def extract(text: str):
            return trafilatura.extract(text, **options)
    rss_before = peak_rss_mib()
    empty = 0
    cpu_started, started = cpu_seconds(), time.perf_counter()
    for path in files:
        text = path.read_bytes().decode("utf-8")
        if extract is not None and not extract(text):
            empty += 1
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    return {"files": len(files), "empty": empty, "seconds": seconds, "cpu_seconds": cpu,
            "rss_before_mib": rss_before, "peak_rss_mib": peak_rss_mib()}


WORKERS = {"import": worker_import, "profile": worker_profile, "bare": worker_bare}


# --- driver side -----------------------------------------------------------------------------

def _spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def _in_fresh_instance(task: dict, args, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="feedsvc-bench-") as instance:
        env = {"FEEDSVC_INSTANCE_PATH": instance}
        if args.database_url:
            env["FEEDSVC_DATABASE_URL"] = args.database_url
        return run_worker(SCRIPT, task, env=env, timeout=timeout)


def bench_kind(kind: str, args) -> dict:
    """All measurements for one kind of corpus."""
    files = ensure_corpus(kind, args.n)
    corpus = files[0].parent.parent
    # Generous timeouts: ten files a second would already be far below what the importer does.
    runs = [
        _in_fresh_instance({"task": "import", "corpus": str(corpus)}, args, timeout=120 + args.n / 10)
        for _ in range(args.repeat)
    ]
    rates = [r["articles"] / r["seconds"] for r in runs]
    file_rates = [r["files"] / r["seconds"] for r in runs]
    cpu_file_rates = [r["files"] / r["cpu_seconds"] for r in runs]
    suffix = files[0].suffix
    modes = ["read"] if kind == "text" else ["importer-options", "defaults"]
    references = {}
    for mode in modes:
        ref_runs = [
            run_worker(SCRIPT, {"task": "bare", "corpus": str(corpus), "suffix": suffix, "mode": mode},
                       timeout=120 + args.n / 10)
            for _ in range(args.repeat)
        ]
        references[mode] = {
            "files_per_s": _spread([r["files"] / r["seconds"] for r in ref_runs]),
            "files_per_cpu_s": _spread([r["files"] / r["cpu_seconds"] for r in ref_runs]),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in ref_runs),
            "empty": ref_runs[0]["empty"],
        }
    profile = _in_fresh_instance(
        {"task": "profile", "corpus": str(corpus), "sample": min(args.sample, args.n)},
        args, timeout=120 + args.sample / 5,
    )
    total = sum(r["seconds"] for r in runs)
    steps = {s: sum(r["steps"][s] for r in runs) / total for s in STEPS}
    steps["other"] = 1 - sum(steps.values())
    return {
        "kind": kind,
        "files": runs[0]["files"],
        "articles": runs[0]["articles"],
        "counts": runs[0]["counts"],
        "errors": runs[0]["errors"],
        "articles_per_s": _spread(rates),
        "files_per_s": _spread(file_rates),
        "files_per_cpu_s": _spread(cpu_file_rates),
        "load_before": [r["load_before"] for r in runs],
        "seconds": _spread([r["seconds"] for r in runs]),
        "peak_rss_mib": _spread([r["peak_rss_mib"] for r in runs]),
        "rss_after_setup_mib": runs[0]["rss_before_mib"],
        "step_shares": steps,
        "step_ms_by_decile": runs[0]["step_ms_by_decile"],
        "references": references,
        "profile": profile,
    }


def report(results: list[dict], args) -> str:
    """The Markdown tables printed on stdout."""
    rows = []
    for r in results:
        ours, ours_cpu = r["files_per_s"]["median"], r["files_per_cpu_s"]["median"]
        for mode, ref in r["references"].items():
            rate, rate_cpu = ref["files_per_s"]["median"], ref["files_per_cpu_s"]["median"]
            rows.append([
                r["kind"], r["files"], r["articles"], r["articles_per_s"]["median"], ours, ours_cpu,
                r["peak_rss_mib"]["median"], f"bare {mode}", rate, rate_cpu, rate / ours, rate_cpu / ours_cpu,
            ])
    lines = [
        f"## Import, n={args.n}, {args.repeat} run(s) each, median"
        + (" (PostgreSQL)" if args.database_url else " (SQLite)"),
        "",
        markdown_table(
            ["kind", "files", "articles", "articles/s", "files/s", "files/CPU-s", "peak RSS MiB",
             "reference", "ref files/s", "ref files/CPU-s", "time ours/ref", "CPU ours/ref"],
            rows,
        ),
        "",
        markdown_table(
            ["kind", "new", "duplicate", "updated", "unchanged", "failed"],
            [[r["kind"], *(r["counts"][k] for k in ("new", "duplicate", "updated", "unchanged", "failed"))]
             for r in results],
        ),
        "",
        "Share of import time per step (whole run, timers):",
        "",
        markdown_table(
            ["kind", "parse", "complete (summary, tags)", "store", "other (commit, file check)"],
            [[r["kind"], *(f"{r['step_shares'][s]:.0%}" for s in (*STEPS, "other"))] for r in results],
        ),
    ]
    lines += ["", "Mean ms per call, first and last tenth of the run (first run):", "",
              markdown_table(["kind", "step", "first tenth", "last tenth"], [
                  [r["kind"], step, r["step_ms_by_decile"][step][0], r["step_ms_by_decile"][step][-1]]
                  for r in results for step in STEPS])]
    for r in results:
        profile = r["profile"]
        lines += ["", f"{r['kind']}, {profile['files']}-file sample under cProfile"
                  f" ({profile['profiled_seconds']:.1f} s profiled); share of the time:", ""]
        lines += ["- our functions, cumulative: " + "; ".join(
            f"{f['function']} {f['share']:.0%}" for f in profile["ours_by_cumulative"][:12])]
        lines += ["- any function, self: " + "; ".join(
            f"{f['function']} {f['share']:.0%}" for f in profile["by_self"][:8])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write bench/out/import.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="files per corpus (default 10000)")
    parser.add_argument("--kinds", default="text,html", help="comma-separated: text, html")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement")
    parser.add_argument("--sample", type=int, default=500, help="files in the cProfile sample")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (it is emptied)")
    parser.add_argument("--out", default="import.json", help="the JSON file, under bench/out/ unless absolute")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        task = json.loads(args.worker)
        print(json.dumps(WORKERS[task["task"]](task)))
        return 0
    results = [bench_kind(kind, args) for kind in args.kinds.split(",")]
    data = {"machine": machine(), "n": args.n, "repeat": args.repeat, "database": args.database_url
            and "postgresql" or "sqlite", "results": results}
    path = write_json(args.out, data)
    print(report(results, args))
    print(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
