"""Workers killed mid-send, and workers racing: nothing lost, at most the messages on the wire
(one per open connection) twice.

These run the real ``feedsvc`` command in subprocesses against the test's database and a
loopback SMTP server, and kill them with SIGKILL.
"""
from __future__ import annotations

import email
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from feedsvc import db
from feedsvc.models import Delivery, utcnow
from feedsvc.services import outbox
from feedsvc.services.digests import build_due

from .conftest import NOW

ROUNDS = 12
CONNECTIONS = 4  # FEEDSVC_MAIL_CONNECTIONS of the killed workers: at most this many on the wire
# Read at import: the instance_path fixture hides every FEEDSVC_* variable from the tests.
KILL_REPORT = os.environ.get("FEEDSVC_KILL_REPORT")


def command_env(app, instance_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")}
    env.update({
        "FEEDSVC_INSTANCE_PATH": str(instance_path),
        "FEEDSVC_DATABASE_URL": app.config["DATABASE_URL"],
        "FEEDSVC_SECRET_KEY": app.config["SECRET_KEY"],
        "FEEDSVC_BASE_URL": app.config["BASE_URL"],
        "FEEDSVC_MAIL_URL": app.config["MAIL_URL"],
        **extra,
    })
    return env


def start(args, env, log=None) -> subprocess.Popen:
    """The feedsvc command in a process group of its own (so SIGKILL reaches all of it)."""
    return subprocess.Popen([sys.executable, "-m", "feedsvc", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=log or subprocess.PIPE,
                            start_new_session=True)


def receipts(handler) -> Counter:
    return Counter(email.message_from_bytes(r.content)["Message-ID"] for r in handler.received)


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_worker_killed_mid_send_loses_nothing(app, handler, populate, instance_path, tmp_path):
    n = populate(150)
    build_due(app, now=NOW)
    handler.delay = 0.02  # each message spends 20 ms on the wire, so kills land mid-send
    env = command_env(app, instance_path, FEEDSVC_DELIVERY_LEASE_SECONDS="1",
                      FEEDSVC_MAIL_CONNECTIONS=str(CONNECTIONS))
    rng = random.Random(5005)
    kills = 0
    for _ in range(ROUNDS):
        before = len(handler.received)
        with open(tmp_path / "worker.log", "ab") as log:
            worker = start(["worker"], env, log)
        try:
            if not wait_until(lambda: len(handler.received) > before, timeout=30):
                break  # the outbox is empty: nothing left to interrupt
            time.sleep(rng.uniform(0, 0.15))
            os.killpg(worker.pid, signal.SIGKILL)
            kills += 1
        finally:
            worker.kill()
            worker.wait(timeout=10)
        time.sleep(1.1)  # the killed worker's lease runs out
    assert kills >= ROUNDS // 2, "the test must actually interrupt sending"

    # A last, uninterrupted run resolves everything left "sending" or "pending".
    report = outbox.run_delivery(app, now=lambda: utcnow() + timedelta(seconds=2))
    with db.new_session(app) as session:
        rows = session.execute(select(Delivery.message_id, Delivery.state)).all()
    got = receipts(handler)
    lost = [mid for mid, _state in rows if got[mid] == 0]
    doubled = sum(count - 1 for count in got.values() if count > 1)
    summary = {"messages": n, "connections": CONNECTIONS, "kills": kills, "lost": len(lost),
               "doubled": doubled, "bound": kills * CONNECTIONS, "final_run_sent": report.sent}
    print("kill test:", json.dumps(summary))
    if KILL_REPORT:
        with open(KILL_REPORT, "w") as out:
            json.dump(summary, out)
    assert {state for _mid, state in rows} == {"sent"}
    assert lost == []
    # Only a message on the wire when the worker died can go twice: one per open connection.
    assert doubled <= kills * CONNECTIONS
    assert set(got) == {mid for mid, _state in rows}


def test_two_workers_racing_send_each_message_once(app, handler, populate, instance_path):
    n = populate(200)
    build_due(app, now=NOW)
    handler.delay = 0.002
    handler.wait_for_connections = 2  # no message is accepted until both workers are sending
    env = command_env(app, instance_path,
                      FEEDSVC_MAIL_URL=app.config["MAIL_URL"].replace("timeout=2", "timeout=60"))
    workers = [start(["digest", "send"], env) for _ in range(2)]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
    got = receipts(handler)
    assert len(got) == n and set(got.values()) == {1}
    assert handler.connections() >= 2, "both workers sent"
    with db.new_session(app) as session:
        assert set(session.scalars(select(Delivery.state))) == {"sent"}
