"""Start-up: how long ``feedsvc --help`` and ``feedsvc parse FILE`` take, beside ``python -c pass``.

    .venv/bin/python bench/bench_startup.py                 # 20 rounds
    .venv/bin/python bench/bench_startup.py --rounds 5

Each round runs every command once, in turn (so a busy moment on the machine costs each of
them alike), in a fresh process each time, with an empty instance folder and no FEEDSVC_*
variable of the caller's. Wall time is what a user waits; CPU time (user + system of the
child, from getrusage) barely moves when other processes share the cores, so both are kept.
The parse file is the shared sample of a Chinese text dump (or --file). The second reference
is the same parse inside a warm process: what the command costs beyond start-up.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT_ROOT, machine, markdown_table, write_json

VENV_BIN = Path(sys.executable).parent
SAMPLE = PROJECT_ROOT.parent / "shared" / "samples" / "lzfz-reprint-2023-10-11.txt"
IN_PROCESS = """
import sys, time
from pathlib import Path
from feedsvc.config import import_settings, read
from feedsvc.ingest.enrich import prepare_articles
path = Path(sys.argv[1])
settings = import_settings(read())
prepare_articles(path.read_bytes(), path.name, settings=settings)  # first use loads the word lists
times = []
for _ in range(20):
    started = time.perf_counter()
    prepare_articles(path.read_bytes(), path.name, settings=settings)
    times.append(time.perf_counter() - started)
print(sorted(times)[len(times) // 2])
"""


def timed_run(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv`` (which must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def summary(runs: list[tuple[float, float]]) -> dict:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return {"wall_median_s": statistics.median(walls), "wall_min_s": min(walls), "wall_max_s": max(walls),
            "cpu_median_s": statistics.median(cpus), "runs": len(runs)}


def measure(args) -> dict:
    """Every command ``args.rounds`` times, round-robin; the in-process parse once."""
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "feedsvc --help": [str(VENV_BIN / "feedsvc"), "--help"],
        "feedsvc parse FILE": [str(VENV_BIN / "feedsvc"), "parse", str(args.file)],
    }
    with tempfile.TemporaryDirectory(prefix="feedsvc-bench-startup-") as instance:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")}
        env["FEEDSVC_INSTANCE_PATH"] = instance
        for argv in commands.values():  # once each unmeasured: the OS caches the files they read
            timed_run(argv, env)
        runs: dict[str, list] = {name: [] for name in commands}
        load = os.getloadavg()
        for _ in range(args.rounds):
            for name, argv in commands.items():
                runs[name].append(timed_run(argv, env))
        in_process = subprocess.run([sys.executable, "-c", IN_PROCESS, str(args.file)], env=env, cwd=PROJECT_ROOT,
                                    capture_output=True, text=True, check=True)
    return {"load_before": list(load), "load_after": list(os.getloadavg()), "file": str(args.file),
            "commands": {name: summary(r) for name, r in runs.items()},
            "in_process_parse_s": float(in_process.stdout.strip())}


def report(data: dict) -> str:
    """The Markdown printed on stdout."""
    c = data["commands"]
    rows = [[name, 1000 * s["wall_median_s"], 1000 * s["wall_min_s"], 1000 * s["cpu_median_s"]]
            for name, s in c.items()]
    return "\n".join([
        f"## Start-up, {c['python -c pass']['runs']} rounds (load before {data['load_before'][0]:.2f})", "",
        markdown_table(["command", "wall ms, median", "wall ms, min", "CPU ms, median"], rows), "",
        f"In-process parse of the same file (warm): {1000 * data['in_process_parse_s']:.1f} ms",
    ])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write bench/out/startup.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--file", type=Path, default=SAMPLE, help="the file feedsvc parse reads")
    parser.add_argument("--out", default="startup.json", help="the JSON file, under bench/out/ unless absolute")
    args = parser.parse_args(argv)
    data = {"machine": machine(), **measure(args)}
    path = write_json(args.out, data)
    print(report(data))
    print(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
