"""Import benchmark: articles/s and peak memory of the importer on a seeded corpus, beside the
bare cost of the extraction library (HTML) or of reading the files (text), and where the time goes.

    .venv/bin/python bench/bench_import.py              # 10,000 files of each kind, --jobs 2
    .venv/bin/python bench/bench_import.py --n 200      # a quick run

Each measured run is a fresh interpreter (see common.run_worker) with a fresh instance folder.
The headline run imports with ``jobs`` parsing processes (``feedsvc import --jobs N``; default
the machine's cores), timed end to end: its CPU is this process's plus its workers'. With
jobs > 1 the parsing happens in spawned processes no timer of ours can wrap, so a second run
with ``jobs=1`` splits the time into steps (read, parse, complete, store, the rest). The
references run the same way: one process, and ``jobs`` processes over the same files.
``--database-url`` runs the import against PostgreSQL instead; the database it names is
emptied (migrated down to base and up again) before every run, so give it a throwaway one.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from common import (
    cpu_seconds,
    ensure_corpus,
    machine,
    markdown_table,
    peak_rss_mib,
    planted_reprints,
    run_worker,
    write_json,
)

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
# Steps of a jobs=1 run: read (+ file hash, unchanged check, and the text's content hash and MinHash,
# worked out beside the parsing), parse_bytes, complete_article, store_article.
STEPS = ("read", "parse", "complete", "store")


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


def _timed_iterator(calls: list, func):
    """A generator function ``func`` whose every step (the wait for the next item) is timed."""
    def wrapper(*args, **kwargs):
        items = func(*args, **kwargs)
        while True:
            started = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                calls.append(time.perf_counter() - started)
            yield item
    return wrapper


def _decile_means_ms(calls: list[float]) -> list[float]:
    size = max(1, len(calls) // 10)
    return [1000 * statistics.fmean(calls[i : i + size]) for i in range(0, size * 10, size) if calls[i : i + size]]


def _instrument(jobs: int) -> dict[str, list[float]]:
    """Timers around what the importer calls through module globals (looked up at call time).

    Always: the writer's store_article, and the writer's wait for each prepared file (the
    workers' results with jobs > 1, the parsing itself with jobs = 1). With jobs = 1 also
    prepare_file and, inside it, parse_bytes and complete_article; worker processes are
    spawned and import their own, unwrapped, copies.
    """
    from feedsvc.ingest import enrich, importer

    calls: dict[str, list[float]] = {"store": [], "wait": []}
    importer.store_article = _timed(calls["store"], importer.store_article)
    importer._prepare_all = _timed_iterator(calls["wait"], importer._prepare_all)
    if jobs == 1:
        calls.update(prepare=[], parse=[], complete=[])
        importer.prepare_file = _timed(calls["prepare"], importer.prepare_file)
        enrich.parse_bytes = _timed(calls["parse"], enrich.parse_bytes)
        enrich.complete_article = _timed(calls["complete"], enrich.complete_article)
    return calls


def _children() -> tuple[float, float]:
    """CPU seconds and peak RSS (MiB) of this process's finished children (the parsing workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def worker_import(task: dict) -> dict:
    """Import a corpus folder with import_files and ``jobs`` parsing processes, timing its steps."""
    from feedsvc.ingest import importer

    app = _app()
    settings = _settings(app)
    files = importer.collect_files([Path(task["corpus"])])
    jobs = task["jobs"]
    calls = _instrument(jobs)
    rss_before = peak_rss_mib()
    children_cpu_before, _ = _children()
    cpu_started, started = cpu_seconds(), time.perf_counter()
    report = importer.import_files(
        app.extensions["feedsvc.sessionmaker"], files, settings=settings, origin="bench", jobs=jobs
    )
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    children_cpu, children_rss = _children()
    counts = {o.value: report.counts[o] for o in importer.Outcome}
    steps = {name: sum(c) for name, c in calls.items()}
    if jobs == 1:
        steps["read"] = steps.pop("prepare") - steps["parse"] - steps["complete"]
    return {
        "jobs": jobs,
        "files": len(files),
        "articles": sum(counts.values()) - counts["failed"],
        "counts": counts,
        "errors": report.errors[:5],
        "seconds": seconds,
        "cpu_seconds": cpu,
        "children_cpu_seconds": children_cpu - children_cpu_before,
        "steps": steps,
        # Mean ms per call over each tenth of the run: a step that slows as the store grows shows here.
        "step_ms_by_decile": {name: _decile_means_ms(c) for name, c in calls.items() if name != "wait"},
        "rss_before_mib": rss_before,
        "peak_rss_mib": peak_rss_mib(),
        "children_peak_rss_mib": children_rss,
    }


def worker_profile(task: dict) -> dict:
    """cProfile of import_files (jobs=1: everything in this process) over a sample of the corpus."""
    from feedsvc.ingest import importer
    from feedsvc.ingest.enrich import prepare_articles

    app = _app()
    settings = _settings(app)
    files = importer.collect_files([Path(task["corpus"])])
    step = max(1, len(files) // task["sample"])
    files = files[::step][: task["sample"]]
    # A few files first, unprofiled: the Chinese word list, the IDF table and the HTML readers
    # load on first use, once per process (Chinese and English pages alike among eight).
    for path in files[:8]:
        prepare_articles(path.read_bytes(), path.name, settings=settings)
    profiler = cProfile.Profile()
    profiler.enable()
    importer.import_files(app.extensions["feedsvc.sessionmaker"], files, settings=settings, origin="bench", jobs=1)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(v[3] for v in stats.stats.values())  # the outermost call's cumulative time

    def top(index: int, count: int, only_ours: bool = False) -> list[dict]:
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][index], reverse=True)
        if only_ours:
            rows = [kv for kv in rows if "/feedsvc/" in kv[0][0]]
        return [
            {"function": f"{'/'.join(Path(f).parts[-2:])}:{line}({name})", "calls": v[1], "self_s": v[2],
             "cumulative_s": v[3], "share": v[index] / total}
            for (f, line, name), v in rows[:count]
        ]

    return {"files": len(files), "profiled_seconds": total, "by_self": top(2, 25),
            "by_cumulative": top(3, 40), "ours_by_cumulative": top(3, 40, only_ours=True)}


def _extractor(mode: str):
    """What the reference does to one file's text: nothing more (read) or trafilatura.extract."""
    if mode == "read":
        return None
    import trafilatura

    options = IMPORTER_EXTRACT_OPTIONS if mode == "importer-options" else {}
    return lambda text: trafilatura.extract(text, **options)


def bare_chunk(paths: list[str], mode: str) -> int:
    """Read, decode and (for HTML) extract each file; how many gave nothing. Runs in a worker too."""
    extract, empty = _extractor(mode), 0
    for path in paths:
        text = Path(path).read_bytes().decode("utf-8")
        if extract is not None and not extract(text):
            empty += 1
    return empty


def worker_bare(task: dict) -> dict:
    """The reference: the extraction library alone (HTML) or reading and decoding alone (text),
    in this process, or over ``jobs`` spawned processes as the importer parses."""
    files = [str(p) for p in sorted(Path(task["corpus"]).rglob(f"*{task['suffix']}"))]
    jobs = task.get("jobs", 1)
    if jobs == 1:
        _extractor(task["mode"])  # the library's import, as the importer's start-up, is not timed
    rss_before = peak_rss_mib()
    children_cpu_before, _ = _children()
    cpu_started, started = cpu_seconds(), time.perf_counter()
    if jobs == 1:
        empty = bare_chunk(files, task["mode"])
    else:
        chunks = [files[i : i + 16] for i in range(0, len(files), 16)]
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
            empty = sum(pool.map(bare_chunk, chunks, [task["mode"]] * len(chunks)))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    children_cpu, children_rss = _children()
    return {"jobs": jobs, "files": len(files), "empty": empty, "seconds": seconds, "cpu_seconds": cpu,
            "children_cpu_seconds": children_cpu - children_cpu_before, "rss_before_mib": rss_before,
            "peak_rss_mib": max(peak_rss_mib(), children_rss)}


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


def _rates(runs: list[dict]) -> dict:
    """Throughput figures of repeated runs: wall and CPU (this process and its workers)."""
    def total_cpu(r: dict) -> float:
        return r["cpu_seconds"] + r["children_cpu_seconds"]

    return {
        "articles_per_s": _spread([r["articles"] / r["seconds"] for r in runs]),
        "files_per_s": _spread([r["files"] / r["seconds"] for r in runs]),
        "files_per_cpu_s": _spread([r["files"] / total_cpu(r) for r in runs]),
        "seconds": _spread([r["seconds"] for r in runs]),
        "cpu_seconds": _spread([total_cpu(r) for r in runs]),
        "peak_rss_mib": _spread([r["peak_rss_mib"] for r in runs]),
        "children_peak_rss_mib": _spread([r["children_peak_rss_mib"] for r in runs]),
        "load_before": [r["load_before"] for r in runs],
    }


def _shares(run: dict) -> dict:
    """Each step's share of a run's wall time; 'other' is the rest (commits, session, loop)."""
    steps = {name: value / run["seconds"] for name, value in run["steps"].items()}
    if run["jobs"] == 1:
        steps.pop("wait")
        steps["other"] = 1 - sum(steps.values())
    else:
        steps["other"] = 1 - steps["store"] - steps["wait"]
    return steps


def _references(kind: str, corpus: Path, suffix: str, args) -> dict:
    # Reading and decoding alone is the floor in one process; handing files to other processes
    # would cost more than it does. trafilatura is also run over ``jobs`` processes, as we parse.
    plan = [("read", 1)] if kind == "text" else [("importer-options", 1), ("importer-options", args.jobs),
                                                  ("defaults", 1)]
    references = {}
    for mode, jobs in dict.fromkeys(plan):
        ref_runs = [
            run_worker(SCRIPT, {"task": "bare", "corpus": str(corpus), "suffix": suffix, "mode": mode,
                                "jobs": jobs}, timeout=120 + args.n / 10)
            for _ in range(args.repeat)
        ]
        references[f"{mode}@{jobs}"] = {
            "mode": mode, "jobs": jobs,
            "files_per_s": _spread([r["files"] / r["seconds"] for r in ref_runs]),
            "files_per_cpu_s": _spread([r["files"] / (r["cpu_seconds"] + r["children_cpu_seconds"])
                                        for r in ref_runs]),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in ref_runs),
            "empty": ref_runs[0]["empty"],
            "load_before": [r["load_before"] for r in ref_runs],
        }
    return references


def bench_kind(kind: str, args) -> dict:
    """All measurements for one kind of corpus."""
    files = ensure_corpus(kind, args.n)
    corpus = files[0].parent.parent
    # Generous timeouts: ten files a second would already be far below what the importer does.
    timeout = 120 + args.n / 10
    runs = [_in_fresh_instance({"task": "import", "corpus": str(corpus), "jobs": args.jobs}, args, timeout)
            for _ in range(args.repeat)]
    split = runs[0] if args.jobs == 1 else None
    if split is None and args.split:
        split = _in_fresh_instance({"task": "import", "corpus": str(corpus), "jobs": 1}, args, timeout * 2)
    profile = _in_fresh_instance(
        {"task": "profile", "corpus": str(corpus), "sample": min(args.sample, args.n)},
        args, timeout=120 + args.sample / 5,
    ) if args.sample else None
    return {
        "kind": kind,
        "jobs": args.jobs,
        "files": runs[0]["files"],
        "articles": runs[0]["articles"],
        "counts": runs[0]["counts"],
        "planted_reprints": planted_reprints(kind, args.n),
        "errors": runs[0]["errors"],
        **_rates(runs),
        "rss_after_setup_mib": runs[0]["rss_before_mib"],
        "step_shares": _shares(runs[0]),
        "step_ms_by_decile": runs[0]["step_ms_by_decile"],
        "split": split and {"jobs": 1, "seconds": split["seconds"], "files": split["files"], "counts": split["counts"],
                            "cpu_seconds": split["cpu_seconds"] + split["children_cpu_seconds"],
                            "step_shares": _shares(split), "step_ms_by_decile": split["step_ms_by_decile"]},
        "references": _references(kind, corpus, files[0].suffix, args),
        "profile": profile,
    }


def report(results: list[dict], args) -> str:
    """The Markdown tables printed on stdout."""
    rows = []
    for r in results:
        ours, ours_cpu = r["files_per_s"]["median"], r["files_per_cpu_s"]["median"]
        for ref in r["references"].values():
            rate, rate_cpu = ref["files_per_s"]["median"], ref["files_per_cpu_s"]["median"]
            rows.append([r["kind"], r["files"], r["articles"], r["articles_per_s"]["median"], ours_cpu,
                         r["peak_rss_mib"]["median"], f"{ref['mode']} ×{ref['jobs']}", rate, rate_cpu,
                         rate / ours, rate_cpu / ours_cpu])
    lines = [
        f"## Import, n={args.n}, --jobs {args.jobs}, {args.repeat} run(s) each, median"
        + (" (PostgreSQL)" if args.database_url else " (SQLite)"), "",
        markdown_table(["kind", "files", "articles", "articles/s", "files/CPU-s", "peak RSS MiB", "reference",
                        "ref files/s", "ref files/CPU-s", "time ours/ref", "CPU ours/ref"], rows), "",
        markdown_table(["kind", "new", "duplicate", "planted reprints", "updated", "unchanged", "failed"],
                       [[r["kind"], r["counts"]["new"], r["counts"]["duplicate"], r["planted_reprints"],
                         *(r["counts"][k] for k in ("updated", "unchanged", "failed"))] for r in results]), "",
        f"Share of wall time, --jobs {args.jobs} (the writer: waiting for parsed files, storing, the rest):", "",
        markdown_table(["kind", "wait", "store", "other"],
                       # With --jobs 1 the parsing is the writer's own, so it never waits: no "wait".
                       [[r["kind"], *(f"{r['step_shares'][s]:.0%}" if s in r["step_shares"] else "–"
                                      for s in ("wait", "store", "other"))]
                        for r in results]), "",
        "Share of wall time per step, --jobs 1:", "",
        markdown_table(["kind", "seconds", *STEPS, "other"],
                       [[r["kind"], r["split"]["seconds"], *(f"{r['split']['step_shares'][s]:.0%}"
                                                              for s in (*STEPS, "other"))]
                        for r in results if r["split"]]),
    ]
    for r in results:
        profile = r["profile"]
        if not profile:
            continue
        lines += ["", f"{r['kind']}, {profile['files']}-file sample under cProfile"
                  f" ({profile['profiled_seconds']:.1f} s profiled); share of the time:", ""]
        lines += ["- our functions, cumulative: " + "; ".join(
            f"{f['function']} {f['share']:.0%}" for f in profile["ours_by_cumulative"][:16])]
        lines += ["- any function, self: " + "; ".join(
            f"{f['function']} {f['share']:.0%}" for f in profile["by_self"][:12])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write bench/out/import.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="files per corpus (default 10000)")
    parser.add_argument("--kinds", default="text,html", help="comma-separated: text, html")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="parsing processes, as feedsvc import --jobs (default: the cores)")
    parser.add_argument("--no-split", dest="split", action="store_false",
                        help="skip the jobs=1 run that splits the time into steps")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement")
    parser.add_argument("--sample", type=int, default=500, help="files in the cProfile sample (0: none)")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (it is emptied)")
    parser.add_argument("--out", default="import.json", help="the JSON file, under bench/out/ unless absolute")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        task = json.loads(args.worker)
        print(json.dumps(WORKERS[task["task"]](task)))
        return 0
    results = [bench_kind(kind, args) for kind in args.kinds.split(",")]
    data = {"machine": machine(), "n": args.n, "jobs": args.jobs, "repeat": args.repeat,
            "database": args.database_url and "postgresql" or "sqlite", "results": results}
    path = write_json(args.out, data)
    print(report(results, args))
    print(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
