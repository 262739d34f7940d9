"""/healthz: is the database reachable, and is a worker running the scheduled jobs?"""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .db import get_session
from .models import utcnow
from .schedule import on_schedule, stored_jobs

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """200 when the database answers (503 otherwise); the scheduler's state is reported beside it.

    A stale scheduler does not fail the check: web processes stay healthy while the worker
    is restarted, and a load balancer must not take the site down for it.
    """
    session = get_session()
    try:
        session.execute(text("SELECT 1"))
        jobs = stored_jobs(session)
    except SQLAlchemyError as exc:
        return jsonify(status="error", database=f"unreachable: {type(exc).__name__}"), 503
    now = utcnow()
    report = {
        job.job: {
            "enabled": job.enabled,
            "last_status": job.last_status,
            "last_finished_at": job.last_finished_at.isoformat() if job.last_finished_at else None,
            "next_run_at": job.next_run_at.isoformat() if job.next_run_at else None,
            "on_schedule": on_schedule(job, now),
        }
        for job in jobs
    }
    deliver = report.get("deliver_outbox")
    scheduler = "not started" if not jobs else ("running" if deliver and deliver["on_schedule"] else "stale")
    return jsonify(status="ok", database="ok", scheduler=scheduler, jobs=report)
