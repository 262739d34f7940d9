"""The operators' tables beside models.py: sign-in sessions, and the tasks the worker runs for them.

Registered on models.Base (models.py imports this module at its end), so migrations and
``Base.metadata`` see them like any other table.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .columns import EnumText, UTCDateTime
from .models import Base, utcnow


class AdminSession(Base):
    """One sign-in: the cookie holds a random token, the row its digest (issue 14).

    Signing out ends the row, so a copy of the cookie opens nothing afterwards; "sign out
    everywhere" ends every row of the operator.
    """

    __tablename__ = "admin_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("admin_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A digest of the password hash when signed in: a new password ends older sessions.
    password_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TaskKind(StrEnum):
    """What an operator asked the worker to do (services.background runs each)."""

    IMPORT_UPLOADS = "import-uploads"
    SCAN_DROP_FOLDER = "scan-drop-folder"
    SEND_DIGESTS = "send-digests"  # "build and send now"


class TaskState(StrEnum):
    """A task's way: queued -> running -> done, or failed."""

    QUEUED = "queued"
    RUNNING = "running"  # claimed by a worker until its lease runs out (then claimed again)
    DONE = "done"
    FAILED = "failed"


class Task(Base):
    """Work an operator started that may take long: run by the worker, never inside a request (issue 14).

    A 12.7 MB upload imported inside the request outlived gunicorn's 30 s timeout; now the
    request queues a task and the page shows its progress (``done`` of ``total``).
    """

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(EnumText(TaskKind, 32))
    state: Mapped[TaskState] = mapped_column(EnumText(TaskState), default=TaskState.QUEUED, index=True)
    actor: Mapped[str] = mapped_column(String(320))  # the operator who asked, for the audit log
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)  # None until known
    summary: Mapped[str] = mapped_column(Text, default="")  # one line, updated as it runs
    result: Mapped[str] = mapped_column(Text, default="[]")  # JSON: (name, outcomes, error) per file
    error: Mapped[str | None] = mapped_column(Text)


class TaskFile(Base):
    """An uploaded file waiting for its task: kept in the database, which web processes and
    workers share (they may run on different machines); deleted when the task ends."""

    __tablename__ = "task_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    shown_name: Mapped[str] = mapped_column(String(200))  # as the operator's browser named it
    name: Mapped[str] = mapped_column(String(200))  # the safe name it is stored under
    data: Mapped[bytes] = mapped_column(LargeBinary)
