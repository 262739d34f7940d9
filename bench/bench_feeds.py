"""Feed benchmark: requests/s and latency of the feeds under gunicorn, measured with wrk on loopback.

    .venv/bin/python bench/bench_feeds.py                          # 10,000 and 100,000 articles
    .venv/bin/python bench/bench_feeds.py --sizes 2000 --duration 3

For each size, one run measures side by side: (a) the cached site feed, (b) feeds that miss the
cache, (c) a conditional GET answered 304, and (d) the same bytes as (a) served as a static file
by a minimal Flask app under the same gunicorn settings.

The stores are filled by bulk inserts, not by the importer (hours at 100,000 articles): a
pool of articles taken through the importer's own parse-and-complete step (real bodies,
summaries, tags) is repeated with fresh ids, slugs, dates, sources and categories.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from common import BENCH_DIR, OUT, PROJECT_ROOT, ensure_corpus, machine, markdown_table, run_worker, write_json

SCRIPT = Path(__file__).resolve()
VENV_BIN = Path(sys.executable).parent
STORE_FORMAT = 1  # bump when the way stores are filled changes, so cached ones are rebuilt
POOL_FILES = 300  # of each kind, through parse and complete
REPRINT_SHARE = 0.05
SOURCES = [f"Source {i:02d}" for i in range(10)] + [f"来源{i:02d}报" for i in range(10)]
CATEGORIES = [f"Section {i:02d}" for i in range(10)] + [f"栏目{i:02d}" for i in range(10)]
NEWEST = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
# (b): ?limit=10..29 crossed with ?page=1..50 is 1000 different feeds, requested in turn. Each
# gunicorn worker keeps 256 (FEED_CACHE_SIZE) and sees several hundred others before a feed
# comes round again, so every request renders.
MISS_LIMITS = range(10, 30)
MISS_PAGES = 50
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d,'
    .. ' "write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d,'
    .. ' "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""
WRK_MISSES = """
counter = 0
request = function()
  local k = counter %% %(keys)d
  counter = counter + 1
  local limit = %(low)d + k %% %(limits)d
  local page = 1 + math.floor(k / %(limits)d)
  return wrk.format("GET", "/feeds/atom.xml?limit=" .. limit .. "&page=" .. page)
end
"""


# --- worker side -----------------------------------------------------------------------------

def worker_build(task: dict) -> dict:
    """Fill a fresh store with ``n`` articles by bulk inserts (see the module docstring)."""
    from sqlalchemy import insert, text, update

    from feedsvc import create_app, db
    from feedsvc.ingest.enrich import prepare_articles
    from feedsvc.ingest.store import slugify
    from feedsvc.services.imports import import_settings
    from feedsvc.models import Article, Category, Source, StoreVersion, Tag, article_tags
    from feedsvc.text.signature import signature

    started = time.perf_counter()
    app = create_app()
    db.upgrade(app)
    settings = import_settings(app)
    pool = []
    for path in task["pool"]:
        for article in prepare_articles(Path(path).read_bytes(), Path(path).name, settings=settings):
            pool.append((article, signature(article.text)))
    tag_names = sorted({t for article, _ in pool for t in article.tags})
    rng = random.Random(task["n"])
    n = task["n"]
    with db.new_session(app) as session, session.begin():
        for model, names in ((Source, SOURCES), (Category, CATEGORIES), (Tag, tag_names)):
            session.execute(insert(model), [
                {"id": i, "name": name, "slug": f"{slugify(name)}-{i}"} for i, name in enumerate(names, 1)
            ])
        tag_ids = {name: i for i, name in enumerate(tag_names, 1)}
        rows, links = [], []
        for i in range(1, n + 1):
            article, sig = pool[i % len(pool)]
            published = NEWEST - timedelta(minutes=rng.randrange(365 * 24 * 60))
            uid = uuid.UUID(int=rng.getrandbits(128)).hex
            reprint = i > 100 and rng.random() < REPRINT_SHARE
            rows.append({
                "id": i, "uid": uid, "slug": f"{published:%Y-%m-%d}-story-{i}-{uid[:8]}",
                "title": f"{article.title} ({i})", "body_html": article.html, "body_text": article.text,
                "summary": article.summary, "summary_generated": article.summary_generated,
                "published_at": published, "published_known": True,
                "added_at": published + timedelta(minutes=5), "updated_at": published + timedelta(minutes=5),
                "author": article.author, "source_id": rng.randint(1, len(SOURCES)),
                "category_id": rng.randint(1, len(CATEGORIES)), "original_url": article.original_url,
                "canonical_url": f"https://news.example.org/story/{i}", "site_name": article.site_name,
                "lang": article.lang, "content_hash": hashlib.sha256(f"{i}".encode()).hexdigest(),
                "signature": sig, "source_file": f"/bench/{i:07d}", "source_index": 0,
                "file_hash": hashlib.sha256(f"file {i}".encode()).hexdigest(), "format": article.format,
                "visible": True, "duplicate_of_id": rng.randint(1, i - 1) if reprint else None,
                "duplicate_kind": "near" if reprint else None,
            })
            links += [{"article_id": i, "tag_id": tag_ids[t]} for t in article.tags]
            if len(rows) == 2000:
                session.execute(insert(Article), rows)
                rows = []
        if rows:
            session.execute(insert(Article), rows)
        session.execute(insert(article_tags), links)
        # The importer indexes what it stores for search (migration 0013): the same here, at once.
        session.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')"))
        session.execute(update(StoreVersion).where(StoreVersion.id == 1).values(version=1))
    return {"n": n, "pool": len(pool), "tags": len(tag_names), "seconds": time.perf_counter() - started}


def worker_anatomy(task: dict) -> dict:
    """Median ms of the queries one cache miss runs, and of rendering, at this store size."""
    from feedsvc import create_app
    from feedsvc.articles import ALL, count_articles, list_listed, newest_change
    from feedsvc.db import new_session
    from feedsvc.models import current_store_version

    app = create_app()
    client = app.test_client()

    def median_ms(func, rounds: int = 15) -> float:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            func()
            times.append(time.perf_counter() - started)
        return 1000 * statistics.median(times)

    with app.app_context(), new_session(app) as session:
        parts = {
            "current_store_version": median_ms(lambda: current_store_version(session)),
            "count_articles": median_ms(lambda: count_articles(session, ALL)),
            "list_listed (20, page 1)": median_ms(lambda: list_listed(session, ALL, limit=20)),
            "list_listed (20, page 50)": median_ms(lambda: list_listed(session, ALL, limit=20, offset=980)),
            "newest_change": median_ms(lambda: newest_change(session, ALL)),
        }
    pages = iter(range(2, 10_000))
    # Each call a different page, so each renders: the whole miss through Flask's test client.
    parts["whole miss (test client)"] = median_ms(lambda: client.get(f"/feeds/atom.xml?page={next(pages)}"))
    return parts


def worker_migrate(task: dict) -> dict:
    """Bring a cached store up to the newest migration: a later one may add an index."""
    from feedsvc import create_app, db

    started = time.perf_counter()
    db.upgrade(create_app())
    return {"seconds": time.perf_counter() - started}


WORKERS = {"build": worker_build, "anatomy": worker_anatomy, "migrate": worker_migrate}


def static_app():
    """A minimal Flask app serving BENCH_STATIC_DIR on /static: the reference for (d)."""
    from flask import Flask

    return Flask(__name__, static_folder=os.environ["BENCH_STATIC_DIR"], static_url_path="/static")


# --- driver side -----------------------------------------------------------------------------

def ensure_store(n: int) -> tuple[Path, dict | None]:
    """The instance folder holding ``n`` articles, built once under bench/out/."""
    instance = OUT / f"feeds-store-{n}-v{STORE_FORMAT}"
    done = instance / ".complete"
    if done.exists():
        run_worker(SCRIPT, {"task": "migrate"}, env={"FEEDSVC_INSTANCE_PATH": str(instance)}, timeout=600)
        return instance, json.loads(done.read_text())
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    pool = ensure_corpus("text", POOL_FILES) + ensure_corpus("html", POOL_FILES)
    built = run_worker(SCRIPT, {"task": "build", "n": n, "pool": [str(p) for p in pool]},
                       env={"FEEDSVC_INSTANCE_PATH": str(instance)}, timeout=300 + n / 100)
    done.write_text(json.dumps(built))
    return instance, built


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict, log: Path, workers: int, extra: list[str] = ()):
    """A gunicorn on a free loopback port, stopped (its whole process group) however we leave."""
    port = _free_port()
    cmd = [str(VENV_BIN / "gunicorn"), app_spec, "-w", str(workers), "-b", f"127.0.0.1:{port}",
           "--timeout", "60", "--error-logfile", str(log), *extra]
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=PROJECT_ROOT, stdout=out,
                                stderr=out, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}); see {log}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not listen within 60 s; see {log}") from None
                time.sleep(0.2)
        yield port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One GET on loopback: status, headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wrk(port: int, path: str, args, *, script: str = "", headers: dict | None = None,
        duration: float | None = None) -> dict:
    """Run wrk for a fixed time against ``path`` and return its figures."""
    lua = OUT / f"wrk-{os.getpid()}.lua"
    lua.write_text(script + WRK_REPORT, encoding="utf-8")
    duration = duration or args.duration
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{int(duration)}s", "--timeout", "10s", "-s", str(lua)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    try:
        done = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                              timeout=duration + 60, check=True)
    finally:
        lua.unlink()
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["requests_per_s"] = result["requests"] / (result["duration_us"] / 1e6)
    result["bytes_per_request"] = result["bytes"] / max(1, result["requests"])
    return result


def measure(port: int, path: str, args, **kwargs) -> dict:
    """A short unmeasured warm-up, then the measured run."""
    wrk(port, path, args, duration=2, **kwargs)
    return wrk(port, path, args, **kwargs)


def bench_size(n: int, args) -> dict:
    """All four measurements at one store size."""
    instance, built = ensure_store(n)
    log = OUT / "gunicorn.log"
    env = {"FEEDSVC_INSTANCE_PATH": str(instance)}
    results = {}
    static_dir = OUT / "static"
    static_dir.mkdir(parents=True, exist_ok=True)
    with gunicorn("feedsvc:create_app()", env, log, args.workers) as port:
        status, headers, body = fetch(port, "/feeds/atom.xml")
        if status != 200:
            raise RuntimeError(f"/feeds/atom.xml answered {status}")
        etag = headers["ETag"]
        (static_dir / f"atom-{n}.xml").write_bytes(body)
        status, _, _ = fetch(port, "/feeds/atom.xml", {"If-None-Match": etag})
        if status != 304:
            raise RuntimeError(f"If-None-Match with the current ETag answered {status}, not 304")
        results["hit"] = measure(port, "/feeds/atom.xml", args)
        miss_script = WRK_MISSES % {"keys": len(MISS_LIMITS) * MISS_PAGES, "low": MISS_LIMITS[0],
                                    "limits": len(MISS_LIMITS)}
        results["miss"] = measure(port, "/feeds/atom.xml", args, script=miss_script)
        results["not_modified"] = measure(port, "/feeds/atom.xml", args, headers={"If-None-Match": etag})
    with gunicorn("bench_feeds:static_app()", {"BENCH_STATIC_DIR": str(static_dir)}, log, args.workers,
                  ["--chdir", str(BENCH_DIR)]) as port:
        status, _, static_body = fetch(port, f"/static/atom-{n}.xml")
        if status != 200 or static_body != body:
            raise RuntimeError("the static server did not return the feed's bytes")
        results["static"] = measure(port, f"/static/atom-{n}.xml", args)
    anatomy = run_worker(SCRIPT, {"task": "anatomy"}, env=env, timeout=300)
    load = anatomy.pop("load_before")
    return {"n": n, "build": built, "feed_bytes": len(body), "results": results, "miss_anatomy_ms": anatomy,
            "load_before_anatomy": load}


LABELS = {
    "hit": "(a) feed, cache hit",
    "miss": "(b) feed, cache miss",
    "not_modified": "(c) 304 Not Modified",
    "static": "(d) same bytes, static file",
}


def report(sizes: list[dict], args) -> str:
    """The Markdown tables printed on stdout."""
    rows = []
    for size in sizes:
        static = size["results"]["static"]["requests_per_s"]
        for key, label in LABELS.items():
            r = size["results"][key]
            errors = sum(r[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
            rows.append([size["n"], label, r["requests_per_s"], r["p50_us"] / 1000, r["p99_us"] / 1000,
                         r["bytes_per_request"] / 1024, f"{r['requests_per_s'] / static:.2f}", errors])
    lines = [
        f"## Feeds: gunicorn -w {args.workers} (sync), wrk -t1 -c{args.connections}, {args.duration} s each",
        "",
        markdown_table(["articles", "request", "req/s", "p50 ms", "p99 ms", "KiB/response",
                        "req/s ÷ static", "errors"], rows),
        "",
        "Median ms of what one cache miss does (in-process, no HTTP):",
        "",
        markdown_table(["articles", *sizes[0]["miss_anatomy_ms"]],
                       [[s["n"], *s["miss_anatomy_ms"].values()] for s in sizes]),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write bench/out/feeds.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="store sizes, comma-separated")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--out", default="feeds.json", help="the JSON file, under bench/out/ unless absolute")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        task = json.loads(args.worker)
        print(json.dumps(WORKERS[task["task"]](task), default=str))
        return 0
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install -y wrk", file=sys.stderr)
        return 2
    sizes = [bench_size(int(n), args) for n in args.sizes.split(",")]
    data = {"machine": machine(), "duration_s": args.duration, "connections": args.connections,
            "workers": args.workers, "sizes": sizes}
    path = write_json(args.out, data)
    print(report(sizes, args))
    print(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
