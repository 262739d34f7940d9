"""The queue of operators' tasks: queued by a request, claimed and run by a worker (issue 14).

A task is claimed like an outbox message: one atomic pick (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite's one write lock does the same), with a lease that its progress reporter
renews while it runs. A worker that dies leaves its task to be claimed again when the lease runs out;
what the tasks do (imports, editions, the outbox) is safe to run twice. A task whose
attempts are used up fails instead of being tried forever.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from .models import utcnow
from .operator_models import Task, TaskFile, TaskKind, TaskState

log = logging.getLogger(__name__)

LEASE_SECONDS = 300
MAX_ATTEMPTS = 3
PROGRESS_EVERY_SECONDS = 0.5  # the page refreshes every two seconds; fewer writes are enough
HEARTBEAT_SECONDS = 60  # the lease is renewed this often while a task runs, progress or not


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


class ProgressReporter:
    """``report(done=…, total=…, summary=…)``: a task's progress, stored by a thread of its own.

    The import it reports on may hold SQLite's one write lock for a whole batch of articles
    (ingest.importer), so the task's thread never waits for a write: it leaves the newest
    values here, and this thread stores them when it can, at most twice a second. It renews
    the lease every HEARTBEAT_SECONDS as well, so a long file is not taken for abandoned.
    ``close()`` when the task ends; a write that fails is tried again with the next.
    """

    def __init__(self, make_session: sessionmaker, task_id: int):
        self.make_session, self.task_id = make_session, task_id
        self.latest: dict = {}
        self.lock, self.wake, self.closing = threading.Lock(), threading.Event(), False
        self.thread = threading.Thread(target=self._store, name=f"task-{task_id}-progress", daemon=True)
        self.thread.start()

    def __call__(self, **values) -> None:
        with self.lock:
            self.latest.update(values)
        self.wake.set()

    def close(self) -> None:
        """Store what is left and stop the thread (before the task's end is recorded)."""
        self.closing = True
        self.wake.set()
        self.thread.join(timeout=60)

    def _store(self) -> None:
        while True:
            self.wake.wait(HEARTBEAT_SECONDS)
            self.wake.clear()
            closing = self.closing  # read first: every report made before close() is taken below
            with self.lock:
                values, self.latest = self.latest, {}
            values["lease_until"] = utcnow() + timedelta(seconds=LEASE_SECONDS)
            try:
                with self.make_session() as session, session.begin():
                    session.execute(update(Task).where(Task.id == self.task_id, Task.state == TaskState.RUNNING)
                                    .values(**values))
            except Exception:  # progress is not worth a failed task: the next write tries again
                log.warning("progress of task %s not stored", self.task_id, exc_info=True)
                with self.lock:
                    self.latest = values | self.latest
            if closing:
                return
            time.sleep(PROGRESS_EVERY_SECONDS)


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
