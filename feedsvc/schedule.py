"""The job schedule: each job's interval, whether it runs, and how it last went.

Kept in the ``job_schedules`` table, which is what the pages read and change (the admin's
settings and dashboard, /healthz) and what a running worker re-reads every
WORKER_SYNC_SECONDS (feedsvc.worker), so a change takes effect without a restart.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import db
from .jobs import JOBS
from .languages import N_
from .models import JobSchedule

MIN_INTERVAL_SECONDS = 10
MAX_INTERVAL_SECONDS = 7 * 86400


def ensure_schedules(app: Flask) -> None:
    """Give every job a row with its default interval, once."""
    with db.new_session(app) as session, session.begin():
        known = set(session.scalars(select(JobSchedule.job)))
        for name, job in JOBS.items():
            if name not in known:
                session.add(JobSchedule(job=name, interval_seconds=job.default_seconds, enabled=True))


def list_jobs(app: Flask) -> list[JobSchedule]:
    """Every job with its interval and its last and next run."""
    ensure_schedules(app)
    with db.new_session(app) as session:
        return stored_jobs(session)


def stored_jobs(session: Session) -> list[JobSchedule]:
    """The rows as they are, none made: a worker that never ran has left none (for /healthz)."""
    return list(session.scalars(select(JobSchedule).order_by(JobSchedule.job)))


def on_schedule(row: JobSchedule, now: datetime) -> bool:
    """True for a disabled job, or one that finished within two of its intervals (plus a minute)."""
    if not row.enabled:
        return True
    grace = timedelta(seconds=2 * row.interval_seconds + 60)
    return row.last_finished_at is not None and now - row.last_finished_at <= grace


def set_schedule(app: Flask, job: str, *, interval_seconds: int, enabled: bool) -> None:
    """Change a job's interval; a running worker picks it up within WORKER_SYNC_SECONDS."""
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}")
    if not MIN_INTERVAL_SECONDS <= interval_seconds <= MAX_INTERVAL_SECONDS:
        # A msgid: the settings page shows it in the operator's language.
        raise ValueError(N_("interval must be between 10 seconds and 7 days"))
    ensure_schedules(app)
    with db.new_session(app) as session, session.begin():
        row = session.get(JobSchedule, job)
        row.interval_seconds, row.enabled = interval_seconds, enabled


def record_run(app: Flask, job: str, **values) -> None:
    """Store how a run of ``job`` went: ``last_started_at``, ``last_finished_at``, ``last_status``…"""
    with db.new_session(app) as session, session.begin():
        row = session.get(JobSchedule, job)
        for key, value in values.items():
            setattr(row, key, value)
