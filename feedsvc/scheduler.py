"""The worker's scheduler: module-level jobs over the same domain functions as the CLI.

Started only by ``feedsvc worker`` (never in ``create_app``: every web worker and the
reloader would each run one). Jobs read their intervals from the ``job_schedules`` table,
re-read every WORKER_SYNC_SECONDS, so an operator's change takes effect without a restart.
Nothing depends on only one worker running: editions have unique keys and messages are
claimed atomically, so a second scheduler makes no second mail.
"""
from __future__ import annotations

import logging
import signal
import threading
import traceback
from datetime import datetime, timedelta, timezone
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import delete, select

from . import db, ratelimit
from .models import Delivery, JobSchedule, utcnow
from .services import outbox
from .services.digests import build_due
from .services.imports import run_import

log = logging.getLogger(__name__)

# job id -> default interval in seconds
DEFAULT_INTERVALS = {
    "scan_drop_folder": 300,
    "build_digests": 60,
    "deliver_outbox": 30,
    "prune": 86400,
}
KEEP_DELIVERIES_DAYS = 180

_app: Flask | None = None  # the app the jobs run in; set by run_worker


def scan_drop_folder() -> str:
    """Import new and changed files from the drop folder."""
    folder = Path(_app.config["DROP_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    report = run_import(_app, (folder,), origin="drop-folder")
    if report.failed:
        raise RuntimeError(f"{report.summary_line()}; first error: {report.errors[0][1]}")
    return report.summary_line()


def build_digests() -> str:
    """Create the editions that are due (each subscriber's hour in their own zone)."""
    report = build_due(_app)
    return f"{report.created} new editions ({report.empty} empty), {report.not_due} not due"


def deliver_outbox() -> str:
    """Send due messages, including retries and messages whose claim's lease ran out."""
    report = outbox.run_delivery(_app)
    summary = f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed"
    if report.stopped:
        raise RuntimeError(f"{summary}; stopped: {report.stopped}")
    return summary


def prune() -> str:
    """Drop old rate-limit counters and delivery records."""
    cutoff = utcnow() - timedelta(days=KEEP_DELIVERIES_DAYS)
    with db.new_session(_app) as session, session.begin():
        hits = ratelimit.prune(session)
        old = session.execute(
            delete(Delivery).where(Delivery.state.in_(("sent", "cancelled")), Delivery.created_at < cutoff)
        ).rowcount
    return f"{hits} counters, {old} deliveries pruned"


JOBS = {
    "scan_drop_folder": scan_drop_folder,
    "build_digests": build_digests,
    "deliver_outbox": deliver_outbox,
    "prune": prune,
}


def ensure_schedules(app: Flask) -> None:
    """Give every job a row with its default interval, once."""
    with db.new_session(app) as session, session.begin():
        known = set(session.scalars(select(JobSchedule.job)))
        for job, seconds in DEFAULT_INTERVALS.items():
            if job not in known:
                session.add(JobSchedule(job=job, interval_seconds=seconds, enabled=True))


def list_jobs(app: Flask) -> list[JobSchedule]:
    """Every job with its interval and its last and next run."""
    ensure_schedules(app)
    with db.new_session(app) as session:
        return list(session.scalars(select(JobSchedule).order_by(JobSchedule.job)))


def set_schedule(app: Flask, job: str, *, interval_seconds: int, enabled: bool) -> None:
    """Change a job's interval; a running worker picks it up within WORKER_SYNC_SECONDS."""
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}")
    if not 10 <= interval_seconds <= 7 * 86400:
        raise ValueError("interval must be between 10 seconds and 7 days")
    ensure_schedules(app)
    with db.new_session(app) as session, session.begin():
        row = session.get(JobSchedule, job)
        row.interval_seconds, row.enabled = interval_seconds, enabled


def run_job(job: str) -> None:
    """Run one job in an app context and record how it went (the scheduler calls this)."""
    started = utcnow()
    _record(job, last_started_at=started)
    try:
        with _app.app_context():
            message, status = JOBS[job](), "ok"
    except Exception as exc:  # a failing job must not stop the scheduler; it runs again next time
        log.error("job %s failed: %s", job, exc)
        log.debug("%s", traceback.format_exc())
        message, status = " ".join(str(exc).split())[:1000], "error"
    _record(job, last_finished_at=utcnow(), last_status=status, last_message=message)


def _record(job: str, **values) -> None:
    with db.new_session(_app) as session, session.begin():
        row = session.get(JobSchedule, job)
        for key, value in values.items():
            setattr(row, key, value)


def sync_schedule(scheduler: BlockingScheduler) -> None:
    """Bring the scheduler in line with the job_schedules table, and publish next run times."""
    with db.new_session(_app) as session, session.begin():
        for row in session.scalars(select(JobSchedule)):
            if row.job not in JOBS:
                continue
            job = scheduler.get_job(row.job)
            if not row.enabled:
                if job is not None:
                    scheduler.remove_job(row.job)
                row.next_run_at = None
                continue
            wanted = timedelta(seconds=row.interval_seconds)
            if job is None or job.trigger.interval != wanted:
                job = scheduler.add_job(
                    run_job, IntervalTrigger(seconds=row.interval_seconds, timezone=timezone.utc),
                    args=[row.job], id=row.job, name=row.job, replace_existing=True,
                    next_run_time=datetime.now(timezone.utc) if job is None else None,
                    coalesce=True, max_instances=1, misfire_grace_time=row.interval_seconds,
                )
            row.next_run_at = job.next_run_time


def _stop_when_set(scheduler: BlockingScheduler, stop: threading.Event) -> None:
    if stop.is_set():
        scheduler.shutdown(wait=False)


def run_worker(app: Flask, *, stop: threading.Event | None = None) -> None:
    """Run the scheduler in this process until SIGTERM/SIGINT (or ``stop`` is set)."""
    global _app
    _app = app
    ensure_schedules(app)
    scheduler = BlockingScheduler(timezone=timezone.utc)
    scheduler.add_job(sync_schedule, "interval", seconds=app.config["WORKER_SYNC_SECONDS"], args=[scheduler],
                      id="_sync", next_run_time=datetime.now(timezone.utc), max_instances=1,
                      coalesce=True)
    if stop is not None:
        scheduler.add_job(_stop_when_set, "interval", seconds=0.2, args=[scheduler, stop], id="_stop")
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: scheduler.shutdown(wait=False))
    log.info("worker started")
    scheduler.start()
