"""The worker's runtime: jobs run on the stored schedule, their outcome recorded, until stopped."""
from __future__ import annotations

import threading
import time

from sqlalchemy import select

from feedsvc import db
from feedsvc.models import JobSchedule
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

