"""``make run`` on a fresh instance, on another port (issue 14: it printed the sign-in URL on 5000)."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from procs import ROOT, Processes, get, wait_for
from smtpsink import free_port


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_on_another_port_says_and_serves_that_port(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")}
    env.update({"FEEDSVC_INSTANCE_PATH": str(tmp_path / "instance"), "PORT": str(port)})
    log = tmp_path / "make.log"
    with open(log, "wb") as out:
        # -o: the virtualenv is there already (make test made it); never reinstall it from a test.
        make = subprocess.Popen(["make", "--no-print-directory", "-o", ".venv/.installed", "run"], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    processes = Processes(tmp_path)
    processes.started.append((make, log))
    try:
        wait_for(lambda: b"<html" in get(f"http://127.0.0.1:{port}/"), timeout=90)
        printed = log.read_text()
        assert f"http://127.0.0.1:{port}/admin/login" in printed, printed
        assert ":5000" not in printed
        feed = get(f"http://127.0.0.1:{port}/feeds/atom.xml").decode()
        assert f"http://127.0.0.1:{port}/articles/" in feed, "links are on the port it serves"
    finally:
        processes.stop_all()
