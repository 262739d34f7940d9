"""The worker's runtime: an APScheduler in this process running feedsvc.jobs on the stored schedule,
and the operators' task queue (feedsvc.taskqueue) every TASK_POLL_SECONDS.

Started only by ``feedsvc worker`` (never in ``create_app``: every web worker and the
reloader would each run one). The scheduler's jobs get the app as an argument, so nothing
here is a module-global; its in-memory job store never pickles them. Nothing depends on
only one worker running: editions have unique keys and messages are claimed atomically,
so a second scheduler makes no second mail.
"""
from __future__ import annotations

import logging
import signal
import threading
import traceback
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import select

from . import db
from .jobs import JOBS, run_tasks
from .models import JobSchedule, JobStatus, utcnow
from .schedule import ensure_schedules, record_run

log = logging.getLogger(__name__)
# How often the worker looks for tasks operators queued: they watch the page while it runs.
TASK_POLL_SECONDS = 2


def run_job(app: Flask, job: str) -> None:
    """Run one job in an app context and record how it went (the scheduler calls this)."""
    record_run(app, job, last_started_at=utcnow())
    message, status = _run(app, job, JOBS[job].run)
    record_run(app, job, last_finished_at=utcnow(), last_status=status, last_message=message)


def poll_tasks(app: Flask) -> None:
    """Run the tasks operators queued (the scheduler calls this every TASK_POLL_SECONDS)."""
    _run(app, "run_tasks", run_tasks)


def _run(app: Flask, name: str, job) -> tuple[str, JobStatus]:
    """Run ``job`` in an app context; one log line when it did something, and always on failure."""
    try:
        with app.app_context():
            message, status = job(app), JobStatus.OK
    except Exception as exc:  # a failing job must not stop the scheduler; it runs again next time
        log.error("job %s failed: %s", name, exc)
        log.debug("%s", traceback.format_exc())
        return " ".join(str(exc).split())[:1000], JobStatus.ERROR
    if not getattr(message, "idle", False):
        log.info("%s: %s", name, message)
    return message, status


def sync_schedule(app: Flask, scheduler: BlockingScheduler) -> None:
    """Bring the scheduler in line with the job_schedules table, and publish next run times."""
    with db.new_session(app) as session, session.begin():
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
                    args=[app, row.job], id=row.job, name=row.job, replace_existing=True,
                    next_run_time=datetime.now(timezone.utc) if job is None else None,
                    coalesce=True, max_instances=1, misfire_grace_time=row.interval_seconds,
                )
            row.next_run_at = job.next_run_time


def quiet_scheduler_logs() -> None:
    """APScheduler logs each run at INFO ("Running job…", "…executed successfully"): the schedule
    sync alone made a line every 10 seconds. Its warnings and errors stay; our own lines say
    what a run did (issue 14). FEEDSVC_LOG_LEVEL=DEBUG keeps everything."""
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _stop_when_set(scheduler: BlockingScheduler, stop: threading.Event) -> None:
    if stop.is_set():
        scheduler.shutdown(wait=False)


def run_worker(app: Flask, *, stop: threading.Event | None = None) -> None:
    """Run the scheduler in this process until SIGTERM/SIGINT (or ``stop`` is set)."""
    ensure_schedules(app)
    quiet_scheduler_logs()
    scheduler = BlockingScheduler(timezone=timezone.utc)
    scheduler.add_job(sync_schedule, "interval", seconds=app.config["WORKER_SYNC_SECONDS"],
                      args=[app, scheduler], id="_sync", next_run_time=datetime.now(timezone.utc),
                      max_instances=1, coalesce=True)
    scheduler.add_job(poll_tasks, "interval", seconds=TASK_POLL_SECONDS, args=[app], id="_tasks",
                      next_run_time=datetime.now(timezone.utc), max_instances=1, coalesce=True)
    if stop is not None:
        scheduler.add_job(_stop_when_set, "interval", seconds=0.2, args=[scheduler, stop], id="_stop")
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: scheduler.shutdown(wait=False))
    log.info("worker started")
    scheduler.start()
