"""Every benchmark, one after another, then docs/PERFORMANCE.md written from their JSON.

Together they measure each row of issue 11's table beside its reference in the same run:
start-up (bench_startup), import (bench_import), feeds (bench_feeds), delivery over one
connection (bench_digest) and to a relay taking 20 ms per message over N connections
(bench_relay); the document opens with that table, each figure beside its reference and goal.

    .venv/bin/python bench/run_all.py                     # the full set, ~45 minutes on 2 cores
    .venv/bin/python bench/run_all.py --with-kill-test    # and the delivery kill test
    .venv/bin/python bench/run_all.py --quick             # tiny sizes, 1-2 minutes, under bench/out/quick/
    .venv/bin/python bench/run_all.py --report-only       # rewrite the doc from the last run's JSON

The benchmarks run serially, each a subprocess (two at once would share the 2 cores). Before
each one the script waits, at most --quiet-wait seconds, until no other test run, gunicorn or
benchmark is running and the machine is idle, and records the load it started at. The document
is generated from the template in bench/report_doc.py: edit the template, never the document.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from common import OUT, PROJECT_ROOT, machine
from report_doc import render_doc

BENCH_DIR = Path(__file__).resolve().parent
PYTHON = sys.executable
OTHERS = "pytest|gunicorn|bench_"
PLANS = {
    "full": {"dir": OUT / "all", "doc": PROJECT_ROOT / "docs" / "PERFORMANCE.md", "startup_rounds": 20,
             "import": [1000, 10_000], "import_sample": 500, "import_repeat": 3, "feeds": "1000,10000,100000",
             "feeds_duration": 10, "digest": "1000,10000,100000", "relay": 1000, "relay_connections": "1,4,8"},
    "quick": {"dir": OUT / "quick", "doc": OUT / "quick" / "PERFORMANCE.md", "startup_rounds": 3,
              "import": [40, 160], "import_sample": 40, "import_repeat": 1, "feeds": "300,1000",
              "feeds_duration": 2, "digest": "100,400", "relay": 100, "relay_connections": "1,4,8"},
}
STEPS = ("startup", "import", "feeds", "digest", "relay", "kill")


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            # The command name, in parentheses, may hold spaces: the fields after it are fixed.
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _ancestry(pid: int) -> set[int]:
    chain = set()
    while pid > 1 and pid not in chain:
        chain.add(pid)
        pid = _ppid(pid)
    return chain


def other_processes() -> list[str]:
    """Test runs, gunicorns and benchmarks running outside this script's own process tree."""
    me = os.getpid()
    mine = _ancestry(me)
    found = subprocess.run(["pgrep", "-af", OTHERS], capture_output=True, text=True, check=False).stdout
    rows = []
    for line in found.splitlines():
        pid = int(line.split(None, 1)[0])
        if pid not in mine and me not in _ancestry(pid):
            rows.append(line[:160])
    return rows


def busy_cores(seconds: float = 5.0) -> float:
    """Cores the whole machine kept busy over the next few seconds (/proc/stat)."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = list(map(int, fh.readline().split()[1:9]))
        return sum(fields) - fields[3] - fields[4], sum(fields)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (os.cpu_count() or 1) * (busy1 - busy0) / max(1, total1 - total0)


def wait_quiet(limit: float, first: bool) -> dict:
    """Poll every 15 s until nothing else runs and the machine is idle, for at most ``limit`` s.

    The first wait asks for a 1-minute load average below 0.5. Later ones ask for less than
    0.15 busy cores over 5 s instead: after a step the load average still carries that step's
    own work for a minute or two, which is no contention.
    """
    started = time.monotonic()
    while True:
        others, load, busy = other_processes(), os.getloadavg(), busy_cores()
        idle = load[0] < 0.5 if first else busy < 0.15
        waited = time.monotonic() - started
        if (not others and idle) or waited >= limit:
            return {"waited_s": round(waited), "load": [round(v, 2) for v in load], "busy_cores": round(busy, 2),
                    "others": others, "quiet": not others and idle}
        print(f"waiting for a quiet machine: load {load[0]:.2f}, {busy:.2f} cores busy, "
              f"{len(others)} other process(es)", file=sys.stderr, flush=True)
        time.sleep(15)


def commands(plan: dict, with_kill: bool) -> list[tuple[str, str, list[str], dict]]:
    """(step, label, argv, extra env) of every run in the plan, in order."""
    out = plan["dir"]
    runs = [("startup", "startup", [PYTHON, str(BENCH_DIR / "bench_startup.py"), "--rounds",
                                    str(plan["startup_rounds"]), "--out", str(out / "startup.json")], {})]
    largest = max(plan["import"])
    for n in plan["import"]:
        # The largest corpus also gets the jobs=1 run that splits the time into steps, and the
        # profile; the smaller one gives the growth per file. Its import and references run
        # several times and issue 11's table reports the medians: on this 2-vCPU VM one run of
        # the same code ranged over ±20% within an hour.
        detail = (["--sample", str(min(n, plan["import_sample"])), "--repeat", str(plan["import_repeat"])]
                  if n == largest else ["--no-split", "--sample", "0"])
        runs.append(("import", f"import-{n}", [PYTHON, str(BENCH_DIR / "bench_import.py"), "--n", str(n), *detail,
                                               "--out", str(out / f"import-{n}.json")], {}))
    runs.append(("feeds", "feeds", [PYTHON, str(BENCH_DIR / "bench_feeds.py"), "--sizes", plan["feeds"],
                 "--duration", str(plan["feeds_duration"]), "--out", str(out / "feeds.json")], {}))
    runs.append(("digest", "digest", [PYTHON, str(BENCH_DIR / "bench_digest.py"), "--sizes", plan["digest"],
                 "--out", str(out / "digest.json")], {}))
    runs.append(("relay", "relay", [PYTHON, str(BENCH_DIR / "bench_relay.py"), "--subscribers", str(plan["relay"]),
                 "--connections", plan["relay_connections"], "--out", str(out / "relay.json")], {}))
    if with_kill:
        pytest = str(Path(PYTHON).parent / "pytest")
        runs.append(("kill", "kill", [pytest, "-q", "-p", "no:cacheprovider", "tests/delivery/test_crash.py",
                     "-k", "killed", "-s"], {"FEEDSVC_KILL_REPORT": str(out / "kill.json")}))
    return runs


def run_steps(plan: dict, args) -> None:
    """Run the plan's commands serially, logging each, and record how each went in run.json."""
    out = plan["dir"]
    out.mkdir(parents=True, exist_ok=True)
    record_path = out / "run.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {"runs": {}}
    only = set(args.only.split(",")) if args.only else set(STEPS)
    first = True
    for step, label, argv, env in commands(plan, args.with_kill_test):
        if step not in only:
            continue
        quiet = wait_quiet(args.quiet_wait, first)
        first = False
        print(f"[{datetime.now():%H:%M:%S}] {label}: {' '.join(argv[1:])}", file=sys.stderr, flush=True)
        started, started_at = time.perf_counter(), datetime.now(timezone.utc)
        with open(out / f"{label}.log", "w", encoding="utf-8") as log:
            done = subprocess.run(argv, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=log,
                                  stderr=subprocess.STDOUT, check=False)
        record["runs"][label] = {"started": started_at.isoformat(timespec="seconds"),
                                 "seconds": round(time.perf_counter() - started), "returncode": done.returncode,
                                 **quiet}
        record_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        if done.returncode != 0:
            print(f"  {label} exited {done.returncode}; see {out / (label + '.log')}", file=sys.stderr)
        if step == "kill" and not (out / "kill.json").exists():
            # The tests' instance_path fixture drops every FEEDSVC_* variable, FEEDSVC_KILL_REPORT
            # too, so the summary the test prints (-s) is the one that arrives.
            found = re.search(r"^kill test: (\{.*\})$", (out / "kill.log").read_text(encoding="utf-8"), re.M)
            if found:
                (out / "kill.json").write_text(found.group(1) + "\n", encoding="utf-8")


def environment() -> dict:
    """The machine plus library and tool versions."""
    env = machine()
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        info = dict(line.split(":", 1) for line in fh.read().split("\n\n")[0].splitlines() if ":" in line)
    info = {k.strip(): v.strip() for k, v in info.items()}
    guest = "hypervisor" in info.get("flags", "").split()
    env["cpu"] += (f" (family {info.get('cpu family', '?')}, model {info.get('model', '?')},"
                   f" {float(info.get('cpu MHz', 0)) / 1000:.1f} GHz){', virtual machine' if guest else ''}")
    env["libraries"] = {name: metadata.version(name) for name in
                        ("trafilatura", "rjieba", "numpy", "SQLAlchemy", "Flask", "gunicorn", "feedgen")}
    try:
        banner = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
        env["wrk"] = re.search(r"wrk (\S+)", banner).group(1)
    except (OSError, AttributeError):
        env["wrk"] = "not installed"
    return env


def load_results(plan: dict) -> dict:
    """Every JSON the plan's runs wrote (absent ones left out)."""
    out, data = plan["dir"], {}
    for path in sorted(out.glob("*.json")):
        data[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return data


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks (unless --report-only), then write the document and its plot."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run of everything")
    parser.add_argument("--with-kill-test", action="store_true", help="also run the delivery kill test")
    parser.add_argument("--only", help=f"comma-separated steps to run: {', '.join(STEPS)}")
    parser.add_argument("--report-only", action="store_true", help="only rewrite the document")
    parser.add_argument("--quiet-wait", type=float, default=1200, help="most seconds to wait for quiet")
    parser.add_argument("--doc", type=Path, help="where to write the document")
    args = parser.parse_args(argv)
    plan = PLANS["quick" if args.quick else "full"]
    if not args.report_only:
        run_steps(plan, args)
    doc = args.doc or plan["doc"]
    results = load_results(plan)
    results["environment"] = environment()
    written = render_doc(results, plan, doc)
    print("\n".join(f"wrote {path}" for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
