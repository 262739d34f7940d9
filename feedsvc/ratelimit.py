"""Fixed-window rate limits kept in the database, so every web worker shares one count."""
from __future__ import annotations

import time

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import RateHit


def hit(session: Session, key: str, *, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one hit on ``key``; True while the window's count is within ``limit``.

    One upsert per hit (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, which SQLite and
    PostgreSQL both have), committed by the caller.
    """
    now = time.time() if now is None else now
    window = int(now // window_seconds) * window_seconds  # the window's start, epoch seconds
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(RateHit)
        .values(key=key[:200], window=window, count=1)
        .on_conflict_do_update(
            index_elements=[RateHit.key, RateHit.window], set_={"count": RateHit.count + 1}
        )
        .returning(RateHit.count)
    )
    count = session.execute(statement).scalar_one()
    return count <= limit


def reset(session: Session, key: str) -> None:
    """Forget the hits on ``key`` (every window), in the caller's transaction."""
    session.execute(delete(RateHit).where(RateHit.key == key[:200]))


def prune(session: Session, *, older_than_seconds: int = 2 * 86400) -> int:
    """Delete counters of windows that started long ago; returns how many."""
    oldest = int(time.time()) - older_than_seconds
    return session.execute(delete(RateHit).where(RateHit.window < oldest)).rowcount
