"""What both benchmarks share: the machine's description, cached corpora, worker processes, tables."""
from __future__ import annotations

import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

from corpus import generate_corpus

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
OUT = BENCH_DIR / "out"
SEED = 0


def machine() -> dict:
    """CPU model, cores, memory, Python and SQLite versions of this machine."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as fh:
        mem_kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(),
    }


def ensure_corpus(kind: str, n: int, seed: int = SEED) -> list[Path]:
    """The seeded corpus of ``n`` files of ``kind``, generated once under bench/out/corpus/."""
    dest = OUT / "corpus" / f"{kind}-{n}-seed{seed}"
    done = dest / ".complete"
    if not done.exists() or not (dest / ".manifest.json").exists():
        # A run killed half-way leaves a partial folder; the marker says it was finished.
        paths = generate_corpus(dest, n, kind, seed)
        done.write_text(str(len(paths)))
    suffix = ".txt" if kind == "text" else ".html"
    return sorted(dest.rglob(f"*{suffix}"))


def planted_reprints(kind: str, n: int, seed: int = SEED) -> int:
    """How many files of the seeded corpus are reprints of another (what an import should merge)."""
    ensure_corpus(kind, n, seed)
    manifest = OUT / "corpus" / f"{kind}-{n}-seed{seed}" / ".manifest.json"
    return len(json.loads(manifest.read_text())["reprints"])


def peak_rss_mib() -> float:
    """This process's resident-set high-water mark (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User plus system CPU time of this process so far; unlike wall time, it barely moves when
    another process competes for the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_worker(script: Path, task: dict, *, env: dict | None = None, timeout: float) -> dict:
    """Run ``script --worker TASK`` in a fresh interpreter and return the JSON it prints last.

    A fresh process per run keeps one run's memory high-water mark and warm caches out of
    the next one's figures.
    """
    load = os.getloadavg()[0]
    if load > 0.5:
        # Another process is busy on this small machine: the figures will be low; say so.
        print(f"warning: load average {load:.2f} before {task.get('task')}", file=sys.stderr)
    done = subprocess.run(
        [sys.executable, str(script), "--worker", json.dumps(task)],
        env={**os.environ, **(env or {})},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {task.get('task')} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_before"] = load
    return result


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A GitHub-flavoured Markdown table; numbers right-aligned."""
    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    cells = [[cell(v) for v in row] for row in rows]
    align = ["---:" if rows and isinstance(rows[0][i], (int, float)) else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def write_json(name: str, data: dict) -> Path:
    """Write ``data`` to bench/out/NAME (or to NAME if absolute), pretty-printed."""
    path = OUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
