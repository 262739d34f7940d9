"""docs/PERFORMANCE.md and its growth plot, written from the JSON of one bench/run_all.py run."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from bench_digest import step_header, step_split
from common import PROJECT_ROOT, markdown_table
from loglog_svg import COLOURS, panel, svg_document
from report_goals import goals_section, relay_section, startup_section

KINDS = {"text": "text dumps (Chinese)", "html": "saved HTML (half Chinese, half English)"}
REFERENCES = {"read": "read + decode the file", "importer-options": "trafilatura, our options",
              "defaults": "trafilatura, its defaults"}
SPLIT_STEPS = {"read": "read, hash", "parse": "parse", "complete": "complete (summary, tags)", "store": "store",
               "other": "other"}
AXIS = "articles or subscribers"
FEED_LABELS = {"hit": "(a) feed, cache hit", "miss": "(b) feed, cache miss", "not_modified": "(c) 304 Not Modified",
               "static": "(d) same bytes, static file"}


def _ratio(value: float) -> str:
    return f"{value:,.0f}×" if value >= 100 else f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"


def _secs(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _imports(results: dict) -> list[tuple[int, dict]]:
    return sorted((d["n"], d) for key, d in results.items() if key.startswith("import-"))


def _missing(name: str) -> str:
    return f"*Not measured in this run: `bench/out/.../{name}.json` is missing (see the run table above).*"


# --- sections ----------------------------------------------------------------------------------

def machine_section(results: dict) -> list[str]:
    env, runs = results["environment"], results.get("run", {}).get("runs", {})
    libs = ", ".join(f"{k} {v}" for k, v in env["libraries"].items())
    lines = ["## The machine", "", markdown_table(["", ""], [
        ["CPU", env["cpu"]], ["cores", str(env["cores"])], ["memory", f"{env['memory_gib']} GiB"],
        ["kernel", f"Linux {env['kernel']}"], ["Python", env["python"]],
        ["SQLite", f"{env['sqlite']} (WAL, `synchronous=NORMAL`, as the app configures it)"],
        ["libraries", libs], ["load generator", f"wrk {env['wrk']}"],
    ]), ""]
    if not runs:
        return lines + ["No run record (`run.json`): the load before each run is unknown.", ""]
    lines += [
        "Each benchmark ran alone, one after another. Before each, `run_all.py` waited until no other",
        "`pytest`, `gunicorn` or `bench_` process ran and the machine was idle (first run: 1-minute load",
        "average below 0.5; later runs: under 0.15 busy cores over 5 s, since the load average still",
        "carries the previous run for a minute or two). What it found when each run started:", "",
        markdown_table(["run", "started (UTC)", "load 1 / 5 / 15 min", "busy cores", "waited s",
                        "quiet", "other processes", "took s", "exit"],
                       [[label, r["started"][:19].replace("T", " "), " / ".join(f"{v:.2f}" for v in r["load"]),
                         r["busy_cores"], r["waited_s"], "yes" if r["quiet"] else "**no**", len(r["others"]),
                         r["seconds"], r["returncode"]] for label, r in runs.items()]), ""]
    noisy = [label for label, r in runs.items() if not r["quiet"]]
    if noisy:
        lines += [f"**Not quiet** when {', '.join(noisy)} started (the wait gave up): read those figures as low.", ""]
    return lines


def import_section(results: dict) -> list[str]:
    imports = _imports(results)
    lines = ["## Import", ""]
    if not imports:
        return lines + [_missing("import-N"), ""]
    n, data = imports[-1]
    jobs = data.get("jobs", 1)
    lines += [
        "`bench/bench_import.py` imports each corpus with `import_files` (the function behind",
        f"`feedsvc import`) and `--jobs {jobs}` (parsing in {jobs} spawned processes, storing in this one) into a",
        "fresh SQLite instance, one fresh interpreter per run, timed end to end; CPU is the process's and its",
        "workers', peak RSS the writer's (and, apart, the largest worker's). The reference runs in the same kind",
        "of process over the same files: for HTML, `trafilatura.extract()` with the options",
        "`feedsvc/ingest/htmlpage.py` passes, in one process and over as many processes as we parse with, and",
        "with the library's defaults; for text dumps no library does what our parser does, so the reference is",
        "the floor every importer pays, reading and decoding each file.", "",
        f"### {n:,} files of each kind", "",
    ]
    rows = []
    for r in data["results"]:
        ours, ours_cpu = r["files_per_s"]["median"], r["files_per_cpu_s"]["median"]
        for ref in r["references"].values():
            rate, rate_cpu = ref["files_per_s"]["median"], ref["files_per_cpu_s"]["median"]
            rows.append([KINDS[r["kind"]], r["articles"], r["articles_per_s"]["median"], r["peak_rss_mib"]["median"],
                         r["children_peak_rss_mib"]["median"], f"{REFERENCES[ref['mode']]}, {ref['jobs']} process(es)",
                         rate, ref["peak_rss_mib"], _ratio(rate / ours), _ratio(rate_cpu / ours_cpu)])
    lines += [markdown_table(["corpus", "articles", "articles/s", "peak RSS MiB", "worker peak RSS MiB", "reference",
                              "ref files/s", "ref peak RSS MiB", "our time ÷ ref", "our CPU ÷ ref"], rows), "",
              "Outcomes: " + "; ".join(f"{r['kind']} " + ", ".join(f"{v:,} {k}" for k, v in r["counts"].items() if v)
                                       + f" ({r['planted_reprints']:,} reprints planted in the corpus)"
                                       for r in data["results"]) + ".", "",
              "### Growth, per file", ""]
    growth = []
    for size, d in imports:
        for r in d["results"]:
            store = r["step_ms_by_decile"]["store"]
            growth.append([KINDS[r["kind"]], size, r["seconds"]["median"], 1000 / r["files_per_s"]["median"],
                           1000 / r["files_per_cpu_s"]["median"], r["peak_rss_mib"]["median"], store[0], store[-1]])
    lines += [markdown_table(["corpus", "files", "wall s", "ms/file", "CPU ms/file", "peak RSS MiB",
                              "store ms/file, first tenth", "store ms/file, last tenth"], growth), ""]
    longest = max(r["seconds"]["median"] for r in data["results"])
    lines += [f"100,000 files were not run: at the per-file cost measured at {n:,} it would take about "
              f"{longest * 100_000 / n / 60:,.0f} minutes per kind. Growth is shown from "
              f"{imports[0][0]:,} to {n:,} instead; the store column shows whether one insert gets dearer "
              "as the store fills.", ""]
    return lines

def import_split(results: dict) -> list[str]:
    imports = _imports(results)
    if not imports:
        return []
    n, data = imports[-1]
    jobs = data.get("jobs", 1)
    lines = [f"**Import** ({n:,} files). With `--jobs {jobs}` the writer (this process) waits for parsed files, "
             "stores them, and commits (other):", "",
             markdown_table(["corpus", "wait for parsed files", "store", "other"],
                            [[KINDS[r["kind"]], *(f"{r['step_shares'][s]:.0%}" for s in ("wait", "store", "other"))]
                             for r in data["results"]]), "",
             "With `--jobs 1` everything runs in one process and each step is timed (read: reading, hashing, "
             "the unchanged-file check and the text's content hash and MinHash; parse: `parse_bytes`; complete: `complete_article`, the summary and "
             "tags; store: `store_article`; other: commits and the loop):", "",
             markdown_table(["corpus", "wall s", "articles/s", *SPLIT_STEPS.values()],
                            [[KINDS[r["kind"]], r["split"]["seconds"], r["split"]["files"] / r["split"]["seconds"],
                              *(f"{r['split']['step_shares'][s]:.0%}" for s in SPLIT_STEPS)]
                             for r in data["results"] if r["split"]]), ""]
    for r in data["results"]:
        p = r.get("profile")
        if not p:
            continue
        top = [f for f in p["ours_by_cumulative"] if f["share"] < 0.95][:10]
        lines += [f"- {r['kind']}, {p['files']}-file sample under cProfile, `--jobs 1` ({p['profiled_seconds']:.1f} s): "
                  + "; ".join(f"`{f['function']}` {f['share']:.0%}" for f in top)]
        lines += ["  - by own time: " + "; ".join(f"`{f['function']}` {f['share']:.0%}" for f in p["by_self"][:8])]
    return lines + ["", "cProfile inflates pure-Python code, so its shares rank; the timers add up.", ""]

def feeds_section(results: dict) -> list[str]:
    lines = ["## Feeds", ""]
    data = results.get("feeds")
    if not data:
        return lines + [_missing("feeds"), ""]
    w, c, t = data["workers"], data["connections"], data["duration_s"]
    lines += [
        f"`bench/bench_feeds.py` serves the app with `gunicorn 'feedsvc:create_app()' -w {w}` (sync workers)",
        f"on 127.0.0.1 and drives it with `wrk -t1 -c{c}` for {t} s per case after a 2 s warm-up. wrk shares",
        "the 2 cores with the server. Sync workers close the connection after each response, so every",
        "request includes a loopback TCP connect. No `Accept-Encoding`: the feed goes out uncompressed.",
        "(a) `GET /feeds/atom.xml` from the workers' cache; (b) `?limit=10..29&page=1..50`, 1,000 different",
        "feeds in turn, more than each worker's 256-feed cache, so every request renders the document;",
        "each entry's XML rendered by an earlier page is reused (a worker keeps 1,024, keyed by the",
        "entry's values), so (b) renders the feed's head and the entries new to that worker; (c) the same URL",
        "with `If-None-Match`, answered 304; (d) the reference: the bytes of (a) served as a static file",
        "by a minimal Flask app under the same gunicorn command.", "",
        "Stores are filled by bulk inserts (importing 100,000 files would take hours): 600 corpus files",
        "through the importer's parse-and-complete step, repeated with fresh ids, dates over a year,",
        "20 sources, 20 categories and 5% reprints, then brought to the newest migration.", "",
    ]
    rows = []
    for size in data["sizes"]:
        static = size["results"]["static"]["requests_per_s"]
        for key, label in FEED_LABELS.items():
            r = size["results"][key]
            errors = sum(r[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
            rows.append([size["n"], label, r["requests_per_s"], r["p50_us"] / 1000, r["p99_us"] / 1000,
                         r["bytes_per_request"] / 1024, _ratio(r["requests_per_s"] / static), errors])
    lines += [markdown_table(["articles", "request", "req/s", "p50 ms", "p99 ms", "KiB/response",
                              "req/s ÷ static", "errors"], rows), ""]
    for size in data["sizes"]:
        got, full = (size["results"][k]["bytes_per_request"] for k in ("not_modified", "hit"))
        if got > 2048:
            # A 304 is a few hundred bytes: a larger mean means some answers carried the whole feed.
            lines += [f"- **At {size['n']:,} articles (c) was not all 304s:** {got / 1024:.1f} KiB per response "
                      f"means about {got / full:.0%} were full 200 responses, so that row mixes both."]
    if any(s["results"]["not_modified"]["bytes_per_request"] > 2048 for s in data["sizes"]):
        lines += ["", "The run before (c) requests `?limit=20&page=1`, whose body differs from the plain URL's (its",
                  "links carry the query) but which shares its cache key; once the misses have evicted the",
                  "plain feed, a worker may cache the query's body for both, and answers the plain URL's",
                  "ETag with a 200. A feed-cache bug, not a benchmark artefact.", ""]
    lines += ["### Growth, per request", ""]
    growth = [[s["n"], s["results"]["hit"]["p50_us"] / 1000, s["results"]["miss"]["p50_us"] / 1000,
               s["results"]["miss"]["requests_per_s"], s["miss_anatomy_ms"]["whole miss (test client)"],
               s["build"]["seconds"]] for s in data["sizes"]]
    lines += [markdown_table(["articles", "hit p50 ms", "miss p50 ms", "miss req/s",
                              "one miss in-process ms", "store build s"], growth), "",
              "Stores are built once and cached under `bench/out/`; the build time is from that first build,",
              "which may have been on a busier machine (its `load_before` is in the JSON).", ""]
    return lines


def feeds_split(results: dict) -> list[str]:
    data = results.get("feeds")
    if not data:
        return []
    parts = list(data["sizes"][0]["miss_anatomy_ms"])
    return ["**Feed miss**, median ms of what one miss does, in-process through Flask's test client"
            " (no HTTP, no gunicorn):", "",
            markdown_table(["articles", *parts], [[s["n"], *s["miss_anatomy_ms"].values()] for s in data["sizes"]]),
            ""]


def digest_section(results: dict) -> list[str]:
    lines = ["## Digest delivery", ""]
    data = results.get("digest")
    if not data:
        return lines + [_missing("digest"), ""] + relay_section(results)
    rs = data["results"]
    lines += [
        "`bench/bench_digest.py` stores 50 new articles (through the importer) and N confirmed",
        "subscribers (bulk insert) in a fresh SQLite instance, then runs `feedsvc digest send --all` (build the",
        "day's editions, deliver the outbox) with `FEEDSVC_MAIL_CONNECTIONS=1` to a sink on loopback, a process",
        "of its own that accepts and discards. Delivery is the span from the first message the sink accepted to",
        "the last; build is what the command did before. The reference sends the same messages (one per render",
        "group, made by `feedsvc digest preview`) with a bare `smtplib` loop to a fresh sink. Each phase is a",
        "fresh interpreter, so each peak RSS is its own.", "",
    ]
    rows = [[r["subscribers"], r["sink"]["ours"]["messages"], r["delivery"]["seconds"], r["messages_per_s"],
             r["send"]["peak_rss_mib"], r["bare_messages_per_s"], r["bare"]["peak_rss_mib"],
             _ratio(r["bare_messages_per_s"] / r["messages_per_s"]), r["delivery"]["build_s"]] for r in rs]
    lines += [markdown_table(["subscribers", "sent", "delivery s", "messages/s", "peak RSS MiB (build + delivery)",
                              "bare smtplib messages/s", "bare peak RSS MiB", "our time ÷ bare", "build s"], rows), "",
              "### Growth, per subscriber", ""]
    growth = [[r["subscribers"], r["groups"], 1000 * r["delivery"]["build_s"] / r["subscribers"],
               1000 / r["messages_per_s"], 1000 / r["bare_messages_per_s"], r["delivery"]["build_peak_rss_mib"],
               r["delivery"]["delivery_peak_rss_mib"]] for r in rs]
    lines += [markdown_table(["subscribers", "render groups", "build ms/subscriber", "delivery ms/message",
                              "bare ms/message", "RSS MiB at the end of build", "RSS MiB, delivery's highest"],
                             growth), ""]
    low, high = rs[0], rs[-1]
    grew = high["send"]["peak_rss_mib"] - low["send"]["peak_rss_mib"]
    lines += [f"**Memory:** peak RSS {low['send']['peak_rss_mib']:.1f} MiB at {low['subscribers']:,} subscribers and "
              f"{high['send']['peak_rss_mib']:.1f} MiB at {high['subscribers']:,} ({grew:+.1f} MiB for "
              f"{high['subscribers'] / low['subscribers']:,.0f}× the subscribers). RSS of the sending process over "
              "each tenth of the delivery:", ""]
    lines += [f"- {r['subscribers']:,}: {', '.join(f'{v:.1f}' for v in r['delivery']['rss_by_tenth_mib'])} MiB"
              for r in rs]
    t = data.get("profile", {}).get("tracemalloc")
    if t and t.get("between"):
        lines += ["", f"tracemalloc over a {t['sent']:,}-message run, between message {t['between'][0]:,} and the "
                  f"end: {t['growth_kib']:+,.1f} KiB still allocated ({t['bytes_per_message']:+.0f} B per message)."]
    failed = [f"{r['subscribers']}: {k}" for r in rs for k, ok in r["checks"].items() if not ok]
    lines += ["", "Checks (every message built, sent and received once, one connection, sample message "
              f"parses without defects): {'all passed' if not failed else 'FAILED ' + ', '.join(failed)}"
              f"{'; sample has defects ' + str(data['sample']['defects']) if data['sample']['defects'] else ''}.",
              ""]
    return lines + relay_section(results)

def digest_split(results: dict) -> list[str]:
    data = results.get("digest")
    if not data:
        return []
    rows = [row for row in map(step_split, data["results"]) if row]
    lines = []
    if rows:
        lines += ["**Digest delivery**, share of delivery time (timers around today's names, unprofiled):", "",
                  markdown_table(step_header(), rows), ""]
    p = data.get("profile", {}).get("profile")
    if p:
        lines += [f"cProfile of `digest send --all` to {p['sent']:,} subscribers, build and delivery "
                  f"({p['profiled_seconds']:.1f} s): "
                  + "; ".join(f"`{f['function']}` {f['share']:.0%}" for f in p["ours_by_cumulative"][1:10]), ""]
    return lines

def kill_section(results: dict) -> list[str]:
    lines = ["## Crash safety", ""]
    k = results.get("kill")
    if not k:
        return lines + [_missing("kill") + " Run `bench/run_all.py --with-kill-test --only kill`.", ""]
    connections = k.get("connections", 1)  # runs before issue 11's connections sent over one
    return lines + [
        "`tests/delivery/test_crash.py -k killed` starts the delivery worker (`feedsvc worker`) against an",
        "SMTP server that holds each message 20 ms on the wire, kills its whole process group with",
        "SIGKILL at a random moment, starts it again after its lease ran out, and repeats; a last",
        "uninterrupted run finishes the outbox. Then it counts what the server received.", "",
        markdown_table(["messages", "connections", "kills", "lost", "doubled", "bound", "sent by the last run"],
                       [[k["messages"], connections, k["kills"], k["lost"], k["doubled"], k["kills"] * connections,
                         k["final_run_sent"]]]), "",
        "Nothing is lost: a message leaves the outbox only after the server accepted it. A message can",
        "go twice only when the worker dies between the server's acceptance and the commit that marks it",
        "sent: those are the messages on the wire at the moment of the kill, one per open connection, so",
        f"doubles are bounded by one per connection per kill ({k['doubled']} doubled for {k['kills']} kills",
        f"over {connections} connection(s) here), and the test asserts that bound.", "",
    ]


def summary_section(results: dict) -> list[str]:
    """The headline figures of what issue 11's table does not already give, and the crash test."""
    lines = ["## In short", ""]
    imports = _imports(results)
    if imports:
        n, data = imports[-1]
        for r in data["results"]:
            split = (r["split"] or {}).get("step_shares")
            top = split and max(("read", "parse", "complete", "store"), key=lambda k: split[k])
            lines.append(f"- **Import, {KINDS[r['kind']]}, {n:,} files, `--jobs {r['jobs']}`:** "
                         f"{r['articles_per_s']['median']:,.1f} articles/s, peak RSS {r['peak_rss_mib']['median']:.0f}"
                         f" MiB (workers {r['children_peak_rss_mib']['median']:.0f} MiB); the writer waits for parsed "
                         f"files {r['step_shares']['wait']:.0%} of the time and stores {r['step_shares']['store']:.0%}."
                         + (f" Largest step in one process: {SPLIT_STEPS[top]} ({split[top]:.0%})." if split else ""))
    if results.get("feeds"):
        for s in results["feeds"]["sizes"][-2:]:
            res = s["results"]
            static = res["static"]["requests_per_s"]
            parts = "; ".join(f"{FEED_LABELS[k][4:]} {res[k]['requests_per_s']:,.0f} req/s "
                              f"(p50 {res[k]['p50_us'] / 1000:.1f} ms, p99 {res[k]['p99_us'] / 1000:.1f} ms, "
                              f"{_ratio(res[k]['requests_per_s'] / static)} static)" for k in ("hit", "miss", "not_modified"))
            if res["not_modified"]["bytes_per_request"] > 2048:
                parts += " (but about half of those were 200s: see Feeds)"
            lines.append(f"- **Feeds, {s['n']:,} articles:** {parts}; static file {static:,.0f} req/s "
                         f"(p50 {res['static']['p50_us'] / 1000:.1f} ms, p99 {res['static']['p99_us'] / 1000:.1f} ms).")
    if results.get("digest"):
        r = results["digest"]["results"][-1]
        lines.append(f"- **Digest, {r['subscribers']:,} subscribers, 50 articles:** {r['messages_per_s']:,.0f} "
                     f"messages/s over one connection, delivery {_secs(r['delivery']['seconds'])} s (plus "
                     f"{_secs(r['delivery']['build_s'])} s building editions), peak RSS {r['send']['peak_rss_mib']:.0f} "
                     f"MiB; bare smtplib loop: {r['bare_messages_per_s']:,.0f} messages/s "
                     f"({_ratio(r['bare_messages_per_s'] / r['messages_per_s'])} faster).")
    if results.get("kill"):
        k = results["kill"]
        lines.append(f"- **Crash safety:** {k['kills']} kills while delivering {k['messages']} messages: "
                     f"{k['lost']} lost, {k['doubled']} sent twice.")
    return lines + [""]


# --- the plot ----------------------------------------------------------------------------------

def growth_svg(results: dict) -> str | None:
    """Cost per unit of work (log axes) and peak memory (linear) against size; None without data."""
    cost, memory = [], []
    imports = _imports(results)
    for kind in KINDS:
        runs = [(n, r) for n, d in imports for r in d["results"] if r["kind"] == kind]
        if runs:
            cost.append((f"import {kind}: ms per file", [(n, 1000 / r["files_per_s"]["median"]) for n, r in runs]))
            memory.append((f"import {kind}", [(n, r["peak_rss_mib"]["median"]) for n, r in runs]))
    if results.get("feeds"):
        sizes = results["feeds"]["sizes"]
        cost.append(("feed miss: p50 ms per request", [(s["n"], s["results"]["miss"]["p50_us"] / 1000) for s in sizes]))
        cost.append(("feed hit: p50 ms per request", [(s["n"], s["results"]["hit"]["p50_us"] / 1000) for s in sizes]))
    if results.get("digest"):
        rs = results["digest"]["results"]
        cost.append(("digest: ms per message", [(r["subscribers"], 1000 / r["messages_per_s"]) for r in rs]))
        cost.append(("digest build: ms per subscriber",
                     [(r["subscribers"], 1000 * r["delivery"]["build_s"] / r["subscribers"]) for r in rs]))
        memory.append(("digest send (build + delivery)", [(r["subscribers"], r["send"]["peak_rss_mib"]) for r in rs]))
    if not cost:
        return None
    lines = max(len(cost), len(memory))
    height = 60 + 260 + 56 + 16 * lines
    body = panel(70, 40, 330, 260, ("Cost per unit (flat = linear total)", AXIS, "ms"),
                  [(label, COLOURS[i], pts) for i, (label, pts) in enumerate(cost)])
    if memory:
        body += panel(500, 40, 260, 260, ("Peak RSS of the process", AXIS, "MiB"),
                      [(label, COLOURS[i], pts) for i, (label, pts) in enumerate(memory)], ylog=False)
    return svg_document(800, height, body)


# --- the document ------------------------------------------------------------------------------

HEADER = """# Performance

What starting a command, the importer, the feeds and digest delivery cost on one small machine, and how that cost
grows with the store and the subscriber list. **This file is generated** by `bench/run_all.py`
(template in `bench/report_doc.py` and `bench/report_goals.py`) from the JSON its run left in `{out}/`: re-run it rather
than editing here. Generated {now}{quick}.
"""
REPRODUCE = """## How to reproduce

```sh
make test                                             # once: creates .venv and installs feedsvc
apt-get install -y wrk                                # the feed benchmark's load generator
.venv/bin/python bench/run_all.py --with-kill-test    # everything, ~45-50 minutes on 2 cores
.venv/bin/python bench/run_all.py --quick             # a smoke run, 1-2 minutes (bench/out/quick/)
.venv/bin/python bench/run_all.py --report-only       # rewrite this file from the last run's JSON
.venv/bin/python bench/run_all.py --only feeds        # re-run one benchmark, keep the others' JSON
```

Each benchmark also runs alone: `bench/bench_startup.py`, `bench/bench_import.py --n N --jobs J`,
`bench/bench_feeds.py --sizes A,B --duration S`, `bench/bench_digest.py --sizes A,B`,
`bench/bench_relay.py --connections 1,4,8` (see their `--help`; `--database-url` runs import,
digest and relay against a throwaway PostgreSQL database). Corpora (`bench/corpus.py`,
seed 0) and feed stores are cached under `bench/out/`; a run's JSON and logs go to
`bench/out/all/`.
"""
FIXED = """Earlier rounds fixed: near-duplicate candidates from a join over every canonical article
(now the band index); a feed miss reading the whole table for its `Last-Modified` (now the index
`ix_articles_changed`); MIME bodies encoded per message (now once per render group). Issue 11
(this round): commands start without building what they do not use; a feed miss reuses its
scope's count and newest change per store version and reads a page's ids from the listing index
before its rows; the importer parses in parallel, stores in batches and tokenises Chinese with
rjieba (see `feedsvc/ingest/importer.py`). Since: a feed document is its head with each entry's
XML kept per entry; delivery builds the next message, and claims the next batch, while the relay
decides on the one on the wire, and records a sent message in one statement; the importer's
parsing workers run below the writer's priority. Latest: the writer keeps a batch open while it
waits for the workers until the batch is due (batches of ~115 articles instead of ~26), runs a
new article's lookups and inserts on SQLite's own connection, and has 64 files per worker
parsed ahead; body lines are ruled out of chrome by their cheapest sign first. Since then: the
writer's batches keep each article's savepoint journal in memory with a 32 MiB page cache (it
wrote 200 KB an article to temp files before), and the largest import runs three times, its
references likewise, with the medians in issue 11's table. Latest: two lookups that grew with
the store when storing saved pages (0.8 -> 4.0 ms an article over 10,000): the exact-copy lookup
asked for the same text OR the same original URL, which SQLite answered by walking every canonical
article's row (now two indexed lookups), and the band index held rowids, not article ids (now
`ix_article_bands_band_article`, which the lookup reads alone). Outside this report's rows, three
reads that grew with a whole table now read a range: a tag's feed (article_tags by tag), the
digest archive (each date's distinct lists, noted as editions are built) and the dashboard's
messages of today (deliveries by state and creation time).
"""


def render_doc(results: dict, plan: dict, doc: Path) -> list[Path]:
    """Write the document (and the plot beside it); return the paths written."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = plan["dir"].relative_to(PROJECT_ROOT)
    quick = " from a `--quick` smoke run: tiny sizes, not figures to quote" if "quick" in out.parts else ""
    svg = growth_svg(results)
    written = []
    lines = [HEADER.format(out=out, now=now, quick=quick)]
    lines += goals_section(results) + summary_section(results) + machine_section(results)
    lines += startup_section(results) + import_section(results) + feeds_section(results) + digest_section(results)
    if svg:
        svg_path = doc.with_name("perf-growth.svg")
        svg_path.write_text(svg, encoding="utf-8")
        written.append(svg_path)
        lines += ["## Growth at a glance", "", f"![cost per unit and peak memory against size]({svg_path.name})", "",
                  "Left: cost of one unit of work (a file imported, a feed request, a message delivered, an",
                  "edition built) against the size of the store or the subscriber list. A flat line means the",
                  "total grows linearly; a rising one, faster. Right: peak RSS of the process doing the work, on a linear scale from 0.", ""]
    lines += ["## Where the time goes", "", FIXED]
    lines += import_split(results) + feeds_split(results) + digest_split(results)
    lines += kill_section(results) + [REPRODUCE]
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return [doc, *written]
