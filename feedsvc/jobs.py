"""The worker's jobs: module-level functions over the services, one registry of them.

Each job takes the app and returns a one-line summary, or raises when it failed; a run that
found nothing to do says so with ``idle(…)``, and the worker logs nothing for it (an idle
worker is quiet, issue 14). The worker (feedsvc.worker) runs them on the stored schedule
(feedsvc.schedule); cron could run them instead, and tests call them directly.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from flask import Flask

from . import accounts, db, ratelimit
from .ingest.store import Outcome
from .mail.outbox import prune_deliveries
from .models import utcnow
from .services import background, bounces, imports, outbox
from .services.digests import build_due

KEEP_DELIVERIES_DAYS = 180
log = logging.getLogger(__name__)


class Summary(str):
    """A job's one-line summary, as stored and shown; ``idle`` when the run did nothing."""

    idle = False


def idle(text: str) -> Summary:
    """The summary of a run that found nothing to do."""
    summary = Summary(text)
    summary.idle = True
    return summary


def busy(text: str, did_something: bool) -> str:
    """``text``, marked idle unless the run did something."""
    return text if did_something else idle(text)


def scan_drop_folder(app: Flask) -> str:
    """Import new and changed files from the drop folder."""
    report = imports.scan_drop_folder(app)
    if report.failed:
        raise RuntimeError(f"{report.summary_line()}; first error: {report.errors[0][1]}")
    return busy(report.summary_line(), report.changed or report.counts[Outcome.DUPLICATE] > 0)


def build_digests(app: Flask) -> str:
    """Create the editions that are due (each subscriber's hour in their own zone)."""
    report = build_due(app)
    return busy(f"{report.created} new editions ({report.empty} empty), {report.not_due} not due", report.created > 0)


def deliver_outbox(app: Flask) -> str:
    """Send due messages, including retries and messages whose claim's lease ran out."""
    report = outbox.run_delivery(app)
    summary = f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed"
    if report.stopped:
        raise RuntimeError(f"{summary}; stopped: {report.stopped}")
    return busy(summary, report.sent + report.retrying + report.failed + report.cancelled > 0)


def scan_bounces(app: Flask) -> str:
    """Read late bounces and complaints from FEEDSVC_BOUNCE_MAILBOX and act on them (issue 12)."""
    if not app.config["BOUNCE_MAILBOX"]:
        return idle("no bounce mailbox (FEEDSVC_BOUNCE_MAILBOX)")
    report = bounces.scan_bounces(app)
    for problem in report.problems:
        log.warning("unreadable returned message left in place: %s", problem)
    summary = report.summary_line()
    return busy(summary, report.bounces + report.complaints + report.unmatched + report.unreadable > 0)


def prune(app: Flask) -> str:
    """Drop old rate-limit counters, delivery records and expired sign-in sessions."""
    now = utcnow()
    cutoff = now - timedelta(days=KEEP_DELIVERIES_DAYS)
    expired = now - timedelta(hours=app.config["ADMIN_SESSION_HOURS"], days=1)
    with db.new_session(app) as session, session.begin():
        hits = ratelimit.prune(session)
        old = prune_deliveries(session, before=cutoff)
        sessions = accounts.prune_sessions(session, before=expired)
    return busy(f"{hits} counters, {old} deliveries, {sessions} sessions pruned", hits + old + sessions > 0)


def run_tasks(app: Flask) -> str:
    """Run the tasks operators queued (uploads, scans, send now) until none is left.

    Not on the editable schedule: the worker polls for them every TASK_POLL_SECONDS, since
    an operator watches the page while they wait.
    """
    done = []
    while (summary := background.run_next(app)) is not None:
        done.append(summary)
    return "; ".join(done) if done else idle("no tasks")


@dataclass(frozen=True)
class Job:
    """A job and how often it runs until an operator says otherwise."""

    run: Callable[[Flask], str]
    default_seconds: int


JOBS: dict[str, Job] = {
    "scan_drop_folder": Job(scan_drop_folder, 300),
    "build_digests": Job(build_digests, 60),
    "deliver_outbox": Job(deliver_outbox, 30),
    "scan_bounces": Job(scan_bounces, 300),
    "prune": Job(prune, 86400),
}
