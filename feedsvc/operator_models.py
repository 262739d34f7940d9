"""The operators' tables beside models.py: sign-in sessions, and the tasks the worker runs for them.

Registered on models.Base (models.py imports this module at its end), so migrations and
``Base.metadata`` see them like any other table.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .columns import UTCDateTime
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
