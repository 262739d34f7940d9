"""The outbox: claim messages, record what happened to them, retry; for every kind of mail.

Each message is a ``Delivery`` row, moving pending -> sending -> sent / failed / cancelled.
A connection claims a batch (pending and due, or ``sending`` whose lease ran out) with lean
SQL that returns what building the messages needs, and after each send records the outcome
in one UPDATE, committed right after the backend answered. A crash can therefore leave at
most the messages that were on the wire (one per open connection) unrecorded; they are sent
again once their lease runs out, because there is no proof they were accepted. The runs that
send over one or more connections are feedsvc.mail.sender's.

What a message says is not the outbox's business: confirmations and digests are built by
the digest module's builder (feedsvc.digest.messages), which also says when a message is no
longer wanted. Whether the backend is down is the backend's: it raises BackendUnavailable,
and the run stops (issue 12).
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Callable, NamedTuple, Protocol

from sqlalchemy import Connection, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..config import DEFAULTS
from ..driver_sql import DriverStatement
from ..models import Delivery, DeliveryKind, DeliveryState, Subscriber
from ..subscribers import count_bounce
from .verp import make_verp_address

UNSENT = (DeliveryState.PENDING, DeliveryState.SENDING)


class SendOutcome(StrEnum):
    """What one attempt at a message did, as ``on_message`` hears it."""

    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Claimed(NamedTuple):
    """A claimed message: its row's columns that building and recording it need."""

    id: int
    kind: DeliveryKind
    to_addr: str
    message_id: str
    subscriber_id: int | None
    edition_id: int | None
    attempts: int
    state: DeliveryState  # what it was claimed from: pending, or sending with its lease run out


class Builder(Protocol):
    """Reads what a claimed batch needs and returns the function that makes each message's
    bytes with no database: None when a message is no longer wanted (it is cancelled);
    ValueError when our data cannot make a valid message (it fails, without retries).
    Connections share one builder, each calling it for its own batches, in a read-only
    transaction after the claim's."""

    def __call__(self, session: Session, batch: Sequence[Claimed],
                 now: datetime) -> Callable[[Claimed, datetime], bytes | None]: ...

    def prepare(self, session: Session, now: datetime, only: list[int] | None) -> None:
        """Once a run, before its first claim: what many batches share (a digest's groups)."""


@dataclass(frozen=True)
class OutboxSettings:
    """How the outbox sends: the envelope, leases, retries, the bounce limit.

    Defaults are the configuration's own (config.DEFAULTS), never a second copy of them.
    """

    envelope_from: str  # the bare address of SMTP's MAIL FROM, where bounces go
    bounce_address: str | None = None  # with it, MAIL FROM is a VERP address per message
    verp_key: bytes = b""
    lease_seconds: int = DEFAULTS["DELIVERY_LEASE_SECONDS"]
    max_attempts: int = DEFAULTS["DELIVERY_MAX_ATTEMPTS"]
    retry_base_seconds: float = DEFAULTS["DELIVERY_RETRY_BASE_SECONDS"]
    retry_cap_seconds: float = 6 * 3600.0
    bounce_limit: int = DEFAULTS["BOUNCE_LIMIT"]

    def envelope_sender(self, delivery_id: int) -> str:
        """MAIL FROM for one message: ``bounces+<signed id>@…`` with a bounce address (VERP)."""
        if self.bounce_address is None:
            return self.envelope_from
        return make_verp_address(self.bounce_address, delivery_id, self.verp_key)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    stopped: str | None = None  # why the run ended early (e.g. the server is down)
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: SendOutcome, error: str | None = None) -> None:
        """Count one message's outcome (and the error that made it fail)."""
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)
        if error is not None:
            self.errors.append(error)


def due(now: datetime):
    """The condition of a message a run may claim at ``now``: pending and due, or its lease run out."""
    return or_(
        and_(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now),
        and_(Delivery.state == DeliveryState.SENDING, Delivery.lease_until < now),
    )


_CLAIMED_COLUMNS = (Delivery.id, Delivery.kind, Delivery.to_addr, Delivery.message_id, Delivery.subscriber_id,
                    Delivery.edition_id, Delivery.attempts, Delivery.state)


def claim(session: Session, now: datetime, lease_seconds: int, size: int,
          only: list[int] | None = None, after: Mapping[DeliveryState, int] | None = None) -> list[Claimed]:
    """Take up to ``size`` due messages for this connection, in the caller's transaction: those
    whose lease ran out first (they were claimed before any pending one), then pending ones,
    each by id above ``after[state]`` (where a run's claims from that state reached).

    A query per state, each reading its state's part of the state index in id order and
    stopping at the batch: one query with OR sorted every due message at every claim (a
    temporary B-tree on SQLite), which made a mailing's claims quadratic; ``after`` spares
    PostgreSQL, whose index on state is not known to be in id order, a walk over the rows a
    run sent already. Every row a pick locks is claimed, so a concurrent claim that skipped it
    (SKIP LOCKED) loses nothing by moving ``after`` on.

    The rows are picked first and then updated: PostgreSQL may re-run an ``IN (subquery
    LIMIT n)`` per row and so claim more than ``n`` (seen here: one worker took all 200 rows
    with ``size=100``). The picks are ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers
    take disjoint batches; on SQLite the transaction began IMMEDIATE and holds the one
    write lock, which does the same.
    """
    after = after or {}
    batch: list[Claimed] = []
    for state, ready in ((DeliveryState.SENDING, Delivery.lease_until < now),
                         (DeliveryState.PENDING, Delivery.next_attempt_at <= now)):
        if len(batch) >= size:
            break
        pick = (select(*_CLAIMED_COLUMNS).where(Delivery.state == state, ready, Delivery.id > after.get(state, 0))
                .order_by(Delivery.id).limit(size - len(batch)))
        if only is not None:
            pick = pick.where(Delivery.id.in_(only))
        if session.get_bind().dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        batch += [Claimed(*row) for row in session.execute(pick)]
    if batch:
        session.execute(
            update(Delivery).where(Delivery.id.in_([c.id for c in batch]))
            .values(state=DeliveryState.SENDING, lease_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
    return batch


def count_due(session: Session, now: datetime, only: list[int] | None = None) -> int:
    """How many messages a run could claim now."""
    query = select(func.count(Delivery.id)).where(due(now))
    if only is not None:
        query = query.where(Delivery.id.in_(only))
    return session.execute(query).scalar_one()


def release(session: Session, ids: list[int]) -> None:
    """Give claimed but unsent messages back, as if never claimed."""
    if ids:
        session.execute(
            update(Delivery).where(Delivery.id.in_(ids), Delivery.state == DeliveryState.SENDING)
            .values(state=DeliveryState.PENDING, lease_until=None)
            .execution_options(synchronize_session=False)
        )


# One statement each on the table, compiled once (SQLAlchemy caches it) and run with the
# message's values: the outbox's state changes are the hot path of a mailing (issue 11), where
# the ORM's update machinery cost as much as the SMTP exchange, and no object is loaded.
_TABLE = Delivery.__table__
_SET = update(_TABLE).where(_TABLE.c.id == bindparam("delivery_id"))
_SENT = _SET.values(state=DeliveryState.SENT, sent_at=bindparam("now"), lease_until=None, last_error=None,
                    attempts=_TABLE.c.attempts + 1)
_SENT_ON_DRIVER = DriverStatement(_SENT)


def record_sent(db: Session | Connection, delivery_id: int, now: datetime) -> None:
    """The backend accepted the message: ``sent``, in one UPDATE (a bare Connection will do)."""
    db.execute(_SENT, {"delivery_id": delivery_id, "now": now})


def sent_recorder(db: Connection) -> Callable[[int, datetime], None]:
    """``record_sent`` committed at once, for a connection that records message after message.

    On SQLite the UPDATE goes to the driver's connection (driver_sql), outside any transaction,
    so it commits as it runs: one call into sqlite3 instead of SQLAlchemy's execute, its BEGIN
    and its commit, which cost a message twice what SQLite's own work did (0.6 against 0.27 ms
    of CPU in the 20 ms relay run; SQLAlchemy's deep call paths run cold between two 77 KB
    messages). Other databases take ``record_sent`` and a commit.
    """
    if db.dialect.name != "sqlite":
        def record(delivery_id: int, now: datetime) -> None:
            record_sent(db, delivery_id, now)
            db.commit()
        return record

    def record_on_sqlite(delivery_id: int, now: datetime) -> None:
        if db.in_transaction():
            raise RuntimeError("record the sent message outside a transaction, so it commits at once")
        _SENT_ON_DRIVER.execute(db, {"delivery_id": delivery_id, "now": now})

    return record_on_sqlite


def record_cancelled(session: Session, claimed: Claimed) -> SendOutcome:
    """The message is no longer wanted (its reader left, or confirmed already)."""
    session.execute(_SET.values(state=DeliveryState.CANCELLED, lease_until=None), {"delivery_id": claimed.id})
    return SendOutcome.CANCELLED


def record_failure(session: Session, claimed: Claimed, message: str, settings: OutboxSettings,
                   *, bounce: bool) -> tuple[SendOutcome, str]:
    """The message will never go: ``failed``; with ``bounce``, the refusal counts against its address."""
    session.execute(_SET.values(state=DeliveryState.FAILED, lease_until=None, last_error=message[:1000],
                                attempts=_TABLE.c.attempts + 1), {"delivery_id": claimed.id})
    if bounce and claimed.subscriber_id is not None:
        subscriber = session.get(Subscriber, claimed.subscriber_id)
        if subscriber is not None:
            count_bounce(subscriber, settings.bounce_limit)
            session.flush()
    return SendOutcome.FAILED, f"{claimed.to_addr}: {message}"


def record_retry(session: Session, claimed: Claimed, message: str, settings: OutboxSettings,
                 now: datetime) -> tuple[SendOutcome, str | None]:
    """Try again after a backoff, or give up once the attempts are used up."""
    attempts = claimed.attempts + 1
    if attempts >= settings.max_attempts:
        session.execute(_SET.values(state=DeliveryState.FAILED, lease_until=None, last_error=message[:1000],
                                    attempts=attempts), {"delivery_id": claimed.id})
        return SendOutcome.FAILED, f"{claimed.to_addr}: gave up after {attempts} attempts: {message}"
    later = now + timedelta(seconds=backoff_seconds(attempts, settings))
    session.execute(_SET.values(state=DeliveryState.PENDING, lease_until=None, last_error=message[:1000],
                                attempts=attempts, next_attempt_at=later), {"delivery_id": claimed.id})
    return SendOutcome.RETRYING, None


def backoff_seconds(attempts: int, settings: OutboxSettings, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: half the step fixed, half random (no thundering herd)."""
    step = min(settings.retry_cap_seconds, settings.retry_base_seconds * 2 ** max(0, attempts - 1))
    return step / 2 + (rng or random).uniform(0, step / 2)


def count_unsent(session: Session) -> int:
    """How many messages are waiting in the outbox (pending, or claimed and not yet sent)."""
    return session.scalar(select(func.count(Delivery.id)).where(Delivery.state.in_(UNSENT))) or 0


def prune_deliveries(session: Session, *, before: datetime) -> int:
    """Delete the records of messages sent or cancelled before ``before``; returns how many."""
    finished = (DeliveryState.SENT, DeliveryState.CANCELLED)
    return session.execute(
        delete(Delivery).where(Delivery.state.in_(finished), Delivery.created_at < before)
    ).rowcount
