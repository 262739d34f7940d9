"""The queue of operators' tasks: queued by a request, claimed and run by a worker (issue 14).

A task is claimed like an outbox message: one atomic pick (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite's one write lock does the same), with a lease that each progress report
renews. A worker that dies leaves its task to be claimed again when the lease runs out;
what the tasks do (imports, editions, the outbox) is safe to run twice. A task whose
attempts are used up fails instead of being tried forever.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Callable, Iterable

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from .models import utcnow
from .operator_models import Task, TaskFile, TaskKind, TaskState

LEASE_SECONDS = 300
MAX_ATTEMPTS = 3
PROGRESS_EVERY_SECONDS = 0.5  # the page refreshes every two seconds; fewer writes are enough


def queue_task(session: Session, kind: TaskKind, *, actor: str, files: Iterable[tuple[str, str, bytes]] = (),
               result: list | dict | None = None) -> Task:
    """Add a task (and its files: shown name, safe name, bytes) in the caller's transaction."""
    task = Task(kind=kind, state=TaskState.QUEUED, actor=actor[:320], created_at=utcnow(), attempts=0,
                done=0, summary="", result=json.dumps(result or [], ensure_ascii=False))
    session.add(task)
    session.flush()
    session.add_all(TaskFile(task_id=task.id, shown_name=shown[:200], name=name, data=data)
                    for shown, name, data in files)
    return task


def claim_next(session: Session, now: datetime) -> Task | None:
    """Take the oldest due task for this worker, in the caller's transaction (None: nothing to do)."""
    due = or_(Task.state == TaskState.QUEUED, and_(Task.state == TaskState.RUNNING, Task.lease_until < now))
    pick = select(Task.id).where(due, Task.attempts < MAX_ATTEMPTS).order_by(Task.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    task_id = session.scalar(pick)
    if task_id is None:
        return None
    task = session.get(Task, task_id)
    task.state, task.attempts = TaskState.RUNNING, task.attempts + 1
    task.started_at = task.started_at or now
    task.lease_until = now + timedelta(seconds=LEASE_SECONDS)
    return task


def fail_abandoned(session: Session, now: datetime) -> int:
    """Fail running tasks whose lease ran out after their last attempt (a worker died each time)."""
    return session.execute(
        update(Task).where(Task.state == TaskState.RUNNING, Task.lease_until < now,
                           Task.attempts >= MAX_ATTEMPTS)
        .values(state=TaskState.FAILED, finished_at=now, lease_until=None,
                error="the worker stopped while running it, each time it was tried")
        .execution_options(synchronize_session=False)
    ).rowcount


def progress_reporter(make_session: sessionmaker, task_id: int, *, clock=time.monotonic
                      ) -> Callable[..., None]:
    """``report(done=…, total=…, summary=…)``: store progress and renew the lease, at most twice a second."""
    last = [float("-inf")]

    def report(*, force: bool = False, **values) -> None:
        if not force and clock() - last[0] < PROGRESS_EVERY_SECONDS:
            return
        last[0] = clock()
        values["lease_until"] = utcnow() + timedelta(seconds=LEASE_SECONDS)
        with make_session() as session, session.begin():
            session.execute(update(Task).where(Task.id == task_id, Task.state == TaskState.RUNNING).values(**values))

    return report


def finish(session: Session, task_id: int, *, failed: bool = False, summary: str = "",
           result: list | dict | None = None, error: str | None = None) -> None:
    """Record how a task ended, in the caller's transaction, and drop its files."""
    values = {"state": TaskState.FAILED if failed else TaskState.DONE, "finished_at": utcnow(),
              "lease_until": None, "summary": summary[:2000], "error": error[:2000] if error else None}
    if result is not None:
        values["result"] = json.dumps(result, ensure_ascii=False)
    session.execute(update(Task).where(Task.id == task_id).values(**values))
    session.execute(delete(TaskFile).where(TaskFile.task_id == task_id))


def files_of(session: Session, task_id: int) -> list[TaskFile]:
    """The files of an upload task, in the order they were sent."""
    return list(session.scalars(select(TaskFile).where(TaskFile.task_id == task_id).order_by(TaskFile.id)))


def result_of(task: Task):
    """What a task found: per file [shown name, outcomes, error] for imports, counts for sends."""
    return json.loads(task.result or "[]")
