"""Real processes for the deployment tests: gunicorn and ``feedsvc worker``, and waiting on them.

Importable from any test folder, like smtpsink and pages.
"""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEB_UNIT = ROOT / "deploy" / "feedsvc-web.service"


def wait_for(check, timeout=30.0):
    """Call ``check`` until it returns something true (an OSError counts as not yet); that value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except OSError as exc:  # the server is not up yet
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting: {last}")


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def shipped_gunicorn_args(bind: str) -> list[str]:
    """gunicorn's arguments exactly as deploy/feedsvc-web.service gives them, bound to ``bind``."""
    text = WEB_UNIT.read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    args = shlex.split(line.removeprefix("ExecStart="))
    args = args[args.index(next(a for a in args if a.endswith("/gunicorn"))) + 1:]
    at = args.index("--bind")
    return ["gunicorn", *args[:at + 1], bind, *args[at + 2:]]


class Processes:
    """Processes started for one test, each logging to a file; all stopped by ``stop_all``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, args: list[str], env: dict) -> subprocess.Popen:
        log_path = self.folder / f"proc{len(self.started)}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", *args], env=env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append((proc, log_path))
        return proc

    def log(self, index: int) -> str:
        return self.started[index][1].read_text(errors="replace")

    def stop_all(self) -> None:
        for proc, _log in self.started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
