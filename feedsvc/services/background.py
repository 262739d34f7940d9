"""Operators' long actions, run by the worker: uploads, drop-folder scans, "build and send now".

A request only queues them (taskqueue.queue_task) and shows their progress; no request does unbounded
work (issue 14: a 12.7 MB upload imported inside the request outlived gunicorn's 30 s
timeout, the file kept and no article made). Each runner reports progress as it goes and
returns (a one-line summary, its result); the audit entry is written when the change is
made, under the operator who asked.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from flask import Flask

from .. import accounts, db, taskqueue
from ..mail.outbox import count_unsent
from ..ingest.importer import ImportReport, error_line
from ..models import ImportOrigin, utcnow
from ..operator_models import TaskKind
from . import imports, outbox
from .digests import build_due

log = logging.getLogger(__name__)
Report = Callable[..., None]  # a taskqueue.ProgressReporter: report(done=…, total=…, summary=…)


def run_next(app: Flask) -> str | None:
    """Claim the oldest due task and run it; its summary, or None when there was none."""
    with db.new_session(app) as session, session.begin():
        now = utcnow()
        taskqueue.fail_abandoned(session, now)
        task = taskqueue.claim_next(session, now)
        if task is None:
            return None
        task_id, kind, actor = task.id, task.kind, task.actor
        known = taskqueue.result_of(task)
    report = taskqueue.ProgressReporter(app.extensions["feedsvc.sessionmaker"], task_id)
    try:
        summary, result, action, target = RUNNERS[kind](app, task_id, report, known)
    except Exception as exc:  # the task fails, the worker goes on
        log.exception("task %s (%s) failed", task_id, kind)
        report.close()
        with db.new_session(app) as session, session.begin():
            taskqueue.finish(session, task_id, failed=True, error=error_line(exc))
        return f"task {task_id} ({kind}) failed: {error_line(exc)}"
    report.close()
    with db.new_session(app) as session, session.begin():
        taskqueue.finish(session, task_id, summary=summary, result=result)
        accounts.audit(session, actor, action, target, summary)
    return f"task {task_id} ({kind}): {summary}"


def _import_uploads(app: Flask, task_id: int, report: Report, refused: list) -> tuple:
    """Store the task's files where the importer reads them, and import them."""
    root = Path(app.instance_path) / "uploads"
    with db.new_session(app) as session:
        shown, stored = {}, []
        for row in taskqueue.files_of(session, task_id):
            try:
                path = imports.store_upload(root, row.name, row.data)
            except ValueError as exc:
                refused.append([row.shown_name, [], str(exc)])
                continue
            shown[str(path)] = row.shown_name
            stored.append(path)
    results = list(refused)
    if stored:
        results += _import(report, shown, lambda **hooks: imports.run_import(
            app, stored, origin=ImportOrigin.UPLOAD, **hooks))
    return (_summary(results), results, "import.upload",
            ", ".join(sorted(name for name, _o, _e in results))[:255])


def _scan_drop_folder(app: Flask, task_id: int, report: Report, _known) -> tuple:
    """Import what is new or changed in the drop folder."""
    folder = imports.drop_folder(app)
    results = _import(report, {}, lambda **hooks: imports.scan_drop_folder(app, **hooks))
    return _summary(results), results, "import.drop-folder", str(folder)


def _import(report: Report, shown: dict[str, str], run: Callable[..., ImportReport]) -> list:
    """Run an import reporting each file; [shown name, outcomes, error] per file."""
    outcomes: dict[str, list[str]] = {}

    def start(total: int) -> None:
        report(total=total, done=0)

    def record(path: Path, found) -> None:
        outcomes[str(path)] = [o.value for o in found]
        report(done=len(outcomes))

    result = run(on_start=start, on_file=record)
    errors = dict(result.errors)
    report(done=len(outcomes), summary=result.summary_line())
    return [[shown.get(path, path), found, errors.get(path, "")] for path, found in outcomes.items()]


def _summary(results: list) -> str:
    failed = sum(1 for _name, _found, error in results if error)
    return f"{len(results)} files, {failed} failed"


def _send_digests(app: Flask, task_id: int, report: Report, _known) -> tuple:
    """Build today's editions for every confirmed subscriber who has none, whatever their hour, and send."""
    built = build_due(app, ignore_hours=True)
    with db.new_session(app) as session:
        due = count_unsent(session)
    report(total=due, done=0, summary=f"{built.created} editions built")
    done = [0]

    def step(_delivery_id, _outcome) -> None:
        done[0] += 1
        report(done=done[0])

    sent = outbox.run_delivery(app, on_message=step)
    report(done=done[0])
    counts = {"built": built.created, "sent": sent.sent, "retrying": sent.retrying, "failed": sent.failed,
              "stopped": sent.stopped}
    summary = (f"{built.created} built, {sent.sent} sent, {sent.retrying} retrying, {sent.failed} failed"
               + (f"; stopped: {sent.stopped}" if sent.stopped else ""))
    return summary, counts, "digest.send_now", ""


RUNNERS: dict[TaskKind, Callable[..., tuple]] = {
    TaskKind.IMPORT_UPLOADS: _import_uploads,
    TaskKind.SCAN_DROP_FOLDER: _scan_drop_folder,
    TaskKind.SEND_DIGESTS: _send_digests,
}
