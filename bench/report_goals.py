"""docs/PERFORMANCE.md's opening: issue 11's table, each row measured beside its reference in
one run, with its goal; and the sections of the two benchmarks that have no other home
(start-up, delivery to a slow relay)."""
from __future__ import annotations

from common import markdown_table

MISSING = "not measured in this run"


def _run_load(results: dict, label: str) -> str:
    run = results.get("run", {}).get("runs", {}).get(label)
    if not run:
        return "?"
    quiet = "" if run["quiet"] else ", **not quiet**"
    return f"{run['load'][0]:.2f} ({run['busy_cores']:.2f} cores busy{quiet})"


def _met(ok: bool | None) -> str:
    return "?" if ok is None else "**yes**" if ok else "no"


def _largest_import(results: dict) -> dict | None:
    imports = sorted((d["n"], d) for key, d in results.items() if key.startswith("import-"))
    return imports[-1][1] if imports else None


def startup_rows(results: dict) -> list[list]:
    data = results.get("startup")
    if not data:
        return [["`feedsvc --help`", MISSING, "", "≤ 0.3 s", "?", ""],
                ["`feedsvc parse FILE` (Chinese text dump)", MISSING, "", "≤ 0.6 s", "?", ""]]
    c, load = data["commands"], _run_load(results, "startup")
    bare = c["python -c pass"]
    reference = f"`python -c pass` {bare['wall_median_s']:.3f} s"

    def row(name: str, label: str, goal: float) -> list:
        s = c[name]
        return [label, f"{s['wall_median_s']:.3f} s (CPU {s['cpu_median_s']:.3f} s)", reference, f"≤ {goal} s",
                _met(s["wall_median_s"] <= goal), load]

    parse = row("feedsvc parse FILE", "`feedsvc parse FILE` (Chinese text dump)", 0.6)
    parse[2] += f"; the same parse in a warm process {1000 * data['in_process_parse_s']:.0f} ms"
    return [row("feedsvc --help", "`feedsvc --help`", 0.3), parse]


def import_rows(results: dict) -> list[list]:
    data = _largest_import(results)
    if not data:
        return [["import, Chinese text dumps", MISSING, "", "≥ 500 articles/s", "?", ""],
                ["import, saved HTML", MISSING, "", "≤ 1.5× (stretch 1.3×)", "?", ""]]
    load, rows = _run_load(results, f"import-{data['n']}"), []
    for r in data["results"]:
        found = f"; {r['counts']['duplicate']} of {r['planted_reprints']} reprints found"
        if r["kind"] == "text":
            ref = r["references"]["read@1"]["files_per_s"]["median"]
            rate = r["articles_per_s"]["median"]
            rows.append([f"import, Chinese text dumps ({data['n']:,} files, `--jobs {r['jobs']}`)",
                         f"{rate:,.0f} articles/s{_runs(r['articles_per_s'], '{:,.0f}')}{found}",
                         f"read + decode {ref:,.0f} files/s", "≥ 500 articles/s",
                         _met(rate >= 500), load])
            continue
        ours, ours_cpu = r["files_per_s"]["median"], r["files_per_cpu_s"]["median"]
        same = r["references"].get(f"importer-options@{r['jobs']}", r["references"]["importer-options@1"])
        one = r["references"]["importer-options@1"]
        ratio = same["files_per_s"]["median"] / ours
        rows.append([f"import, saved HTML ({data['n']:,} files, `--jobs {r['jobs']}`)",
                     f"{ratio:.1f}× trafilatura's time over {same['jobs']} process(es); "
                     f"{one['files_per_s']['median'] / ours:.1f}× one process's; CPU "
                     f"{one['files_per_cpu_s']['median'] / ours_cpu:.1f}×; ours {ours:,.0f} files/s"
                     f"{_runs(r['files_per_s'], '{:,.0f}')}{found}",
                     f"trafilatura (our options) {same['files_per_s']['median']:,.0f} files/s over {same['jobs']}, "
                     f"{one['files_per_s']['median']:,.0f} in one", "≤ 1.5× (stretch 1.3×)", _met(ratio <= 1.5), load])
    return rows


def _runs(spread: dict, style: str) -> str:
    """" (median of 3 runs: 452, 508, 530)" for a figure measured more than once; "" for one run."""
    runs = spread.get("runs", [])
    if len(runs) < 2:
        return ""
    return f" (median of {len(runs)} runs: {', '.join(style.format(v) for v in sorted(runs))})"


def delivery_rows(results: dict) -> list[list]:
    rows = []
    data = results.get("digest")
    if data:
        low, high = data["results"][0], data["results"][-1]
        ratio = high["messages_per_s"] / high["bare_messages_per_s"]
        grew = high["send"]["peak_rss_mib"] - low["send"]["peak_rss_mib"]
        rows.append([f"digest delivery, one connection, {high['subscribers']:,} subscribers",
                     f"{high['messages_per_s']:,.0f} msg/s ({ratio:.3f}×); peak RSS {low['send']['peak_rss_mib']:.0f} "
                     f"MiB at {low['subscribers']:,}, {high['send']['peak_rss_mib']:.0f} MiB at {high['subscribers']:,}",
                     f"bare smtplib loop {high['bare_messages_per_s']:,.0f} msg/s", "≥ 0.5× the bare loop, memory flat",
                     _met(ratio >= 0.5 and grew < 20), _run_load(results, "digest")])
    else:
        rows.append(["digest delivery, one connection", MISSING, "", "≥ 0.5× the bare loop, memory flat", "?", ""])
    relay = results.get("relay")
    if not relay:
        return rows + [["delivery to a relay taking 20 ms per message", MISSING, "", "≥ 0.8 × N × 50 msg/s", "?", ""]]
    for r in relay["rows"]:
        rows.append([f"delivery to a relay taking {relay['delay_s'] * 1000:.0f} ms per message, N = {r['connections']}",
                     f"{r['messages_per_s']:,.1f} msg/s over {r['connections_used']} connection(s)",
                     f"bare smtplib over {r['connections']}: {r['bare_messages_per_s']:,.1f} msg/s",
                     f"≥ {r['goal_per_s']:,.0f} msg/s", _met(r["messages_per_s"] >= r["goal_per_s"]),
                     _run_load(results, "relay")])
    return rows


def feed_rows(results: dict) -> list[list]:
    data = results.get("feeds")
    if not data:
        return [["feed cache miss at 100k articles", MISSING, "", "p50 ≤ 20 ms", "?", ""]]
    size = data["sizes"][-1]
    miss, static = size["results"]["miss"], size["results"]["static"]
    return [[f"feed cache miss at {size['n']:,} articles",
             f"{miss['requests_per_s']:,.0f} req/s, p50 {miss['p50_us'] / 1000:.1f} ms",
             f"static file {static['requests_per_s']:,.0f} req/s, p50 {static['p50_us'] / 1000:.1f} ms",
             "p50 ≤ 20 ms", _met(miss["p50_us"] / 1000 <= 20), _run_load(results, "feeds")]]


def goals_section(results: dict) -> list[str]:
    """Issue 11's table: what each row measured, its reference in the same run, its goal."""
    rows = startup_rows(results) + import_rows(results) + delivery_rows(results) + feed_rows(results)
    return ["## Issue 11's table", "",
            "Each row measured in this run, beside its reference measured in the same run; the load is",
            "the 1-minute load average (and the busy cores over 5 s) when that benchmark started.", "",
            markdown_table(["what", "measured", "reference (same run)", "goal", "met", "load at start"], rows), ""]


def startup_section(results: dict) -> list[str]:
    data = results.get("startup")
    lines = ["## Start-up", ""]
    if not data:
        return lines + ["*Not measured in this run: `startup.json` is missing.*", ""]
    c = data["commands"]
    rounds = c["python -c pass"]["runs"]
    return lines + [
        f"`bench/bench_startup.py` runs each command {rounds} times, in turn, each in a fresh process with an",
        "empty instance folder (`feedsvc parse` reads the shared sample of a Chinese text dump). Wall time is",
        "what a user waits; CPU time (user + system) barely moves when other processes share the cores.", "",
        markdown_table(["command", "wall ms, median", "wall ms, min", "wall ms, max", "CPU ms, median"],
                       [[name, 1000 * s["wall_median_s"], 1000 * s["wall_min_s"], 1000 * s["wall_max_s"],
                         1000 * s["cpu_median_s"]] for name, s in c.items()]), "",
        f"The same parse inside a warm process: {1000 * data['in_process_parse_s']:.1f} ms; the rest of "
        "`feedsvc parse` is the interpreter, the imports of what a text dump needs and the Chinese word "
        "list with its IDF table. `feedsvc --help` imports no command module, Flask, SQLAlchemy or Alembic; "
        "commands that use the app build it (and check the schema without Alembic) when they run.", "",
    ]


def relay_section(results: dict) -> list[str]:
    data = results.get("relay")
    lines = ["### Delivery to a slow relay, over N connections", ""]
    if not data:
        return lines + ["*Not measured in this run: `relay.json` is missing.*", ""]
    rows = data["rows"]
    ms = data["delay_s"] * 1000
    lines += [
        f"`bench/bench_relay.py`: a real SMTP server on loopback that takes {ms:.0f} ms to accept each message",
        f"(bench/smtp_sink.py with a delay, each connection on its own), {rows[0]['subscribers']:,} subscribers, a",
        "fresh instance per N sent by `feedsvc digest send --all` with `FEEDSVC_MAIL_CONNECTIONS=N`. One connection",
        f"carries at most {1000 / ms:.0f} messages a second; the reference sends the same messages with N threads",
        "of bare smtplib, one connection each. \"Connections used\" is the most the relay saw open at once.", "",
        markdown_table(["N", "connections used", "messages/s", "goal", "bare smtplib, N connections", "ours ÷ bare",
                        "delivery s", "messages per connection"],
                       [[r["connections"], r["connections_used"], r["messages_per_s"], r["goal_per_s"],
                         r["bare_messages_per_s"], f"{r['messages_per_s'] / r['bare_messages_per_s']:.2f}",
                         r["delivery_s"], " / ".join(map(str, r["per_connection"]))] for r in rows]), "",
    ]
    if all(r["connections_used"] == 1 for r in rows):
        lines += ["This version sends over one connection whatever `FEEDSVC_MAIL_CONNECTIONS` says (the setting",
                  "is not implemented yet), so every N gets the one-connection rate.", ""]
    return lines
