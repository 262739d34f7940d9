"""The worker's runtime: jobs run on the stored schedule, their outcome recorded, until stopped."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sqlalchemy import select

from feedsvc import db, taskqueue
from feedsvc.models import JobSchedule
from feedsvc.operator_models import Task, TaskKind
from feedsvc.worker import run_worker


def test_worker_runs_the_enabled_jobs_and_stops(app):
    app.config["WORKER_SYNC_SECONDS"] = 1
    with db.new_session(app) as session, session.begin():
        for job, enabled in (("scan_drop_folder", False), ("build_digests", True),
                             ("deliver_outbox", True), ("prune", False)):
            session.add(JobSchedule(job=job, interval_seconds=3600, enabled=enabled))
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(app,), kwargs={"stop": stop})
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with db.new_session(app) as session:
                rows = {row.job: row for row in session.scalars(select(JobSchedule))}
            if all(rows[j].last_status for j in ("build_digests", "deliver_outbox")):
                break
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert rows["deliver_outbox"].last_status == "ok" and rows["deliver_outbox"].next_run_at
    assert rows["scan_drop_folder"].last_status is None and rows["scan_drop_folder"].next_run_at is None



def run_for(app, seconds: float, until=None) -> None:
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(app,), kwargs={"stop": stop})
    worker.start()
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until and until()):
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()


def test_an_idle_worker_is_quiet(app, caplog):
    """Issue 14: no APScheduler line every 10 seconds; one line per run that did something."""
    app.config["WORKER_SYNC_SECONDS"] = 1
    caplog.set_level(logging.INFO)
    run_for(app, 3.5)
    lines = [(r.name, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    assert lines == [("feedsvc.worker", "worker started")]
    with db.new_session(app) as session:
        assert {row.last_status for row in session.scalars(select(JobSchedule))} == {"ok"}, "the jobs did run"


def test_the_worker_runs_queued_tasks_and_says_so(app, caplog):
    caplog.set_level(logging.INFO)
    drop = Path(app.config["DROP_FOLDER"])
    drop.mkdir(parents=True, exist_ok=True)
    (drop / "tram.md").write_text("---\ntitle: Tram line extended\n---\n\nThe tram now runs to the port.\n")
    with db.new_session(app) as session, session.begin():
        for job in ("scan_drop_folder", "build_digests", "deliver_outbox", "prune"):
            session.add(JobSchedule(job=job, interval_seconds=3600, enabled=False))
        task_id = taskqueue.queue_task(session, TaskKind.SCAN_DROP_FOLDER, actor="ops@example.org").id

    def finished():
        with db.new_session(app) as session:
            return session.get(Task, task_id).state == "done"

    run_for(app, 20, until=finished)
    assert finished()
    assert [r.getMessage() for r in caplog.records if r.name == "feedsvc.worker"][1:] == [
        "run_tasks: task 1 (scan-drop-folder): 1 files, 0 failed"]
