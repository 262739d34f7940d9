"""The outbox: claim messages, build and send them, record what happened; for every kind of mail.

Each message is a ``Delivery`` row. A worker claims a batch (pending and due, or
``sending`` whose lease ran out) in one atomic UPDATE, asks the caller's builder for each
message's bytes, sends, and commits ``sent`` right after the backend accepted each one. A
crash can therefore leave at most the messages that were on the wire (one per open
connection) unrecorded; they are sent again once their lease runs out, because there is no
proof they were accepted.

What a message says is not the outbox's business: confirmations and digests are built by
the digest module's builder (feedsvc.digest.messages), which also says when a message is no
longer wanted. Whether the backend is down is the backend's: it raises BackendUnavailable,
and the run stops (issue 12).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Callable, Protocol

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..config import DEFAULTS
from ..models import Delivery, DeliveryState, Subscriber, utcnow
from ..subscribers import count_bounce
from .backends import BackendUnavailable, MailBackend, PermanentFailure, TemporaryFailure
from .verp import make_verp_address

UNSENT = (DeliveryState.PENDING, DeliveryState.SENDING)


class SendOutcome(StrEnum):
    """What one attempt at a message did, as ``on_message`` hears it."""

    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # another worker had it already


class Builder(Protocol):
    """Makes a claimed message's bytes: None when it is no longer wanted (it is cancelled);
    ValueError when our data cannot make a valid message (it fails, without retries)."""

    def __call__(self, session: Session, delivery: Delivery, now: datetime) -> bytes | None: ...


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


def deliver_pending(
    make_session: sessionmaker, backend: MailBackend, settings: OutboxSettings, build: Builder, *,
    now: Callable[[], datetime] = utcnow, only: list[int] | None = None, batch: int = 100,
    limit: int | None = None, on_message: Callable[[int, SendOutcome], None] | None = None,
    throttle: Callable[[], None] | None = None,
) -> DeliveryReport:
    """Send what is due in the outbox until it is empty, ``limit`` is reached or the backend is down."""
    report = DeliveryReport()
    done = 0
    # No eager open(): the backend connects at the first send, so a server that is down
    # is met where its failure is recorded and the run stops cleanly.
    try:
        while limit is None or done < limit:
            size = batch if limit is None else min(batch, limit - done)
            with make_session() as session, session.begin():
                claimed = claim(session, now(), settings.lease_seconds, size, only)
            if not claimed:
                break
            for position, delivery_id in enumerate(claimed):
                if throttle:
                    throttle()
                outcome = send_one(make_session, delivery_id, backend, settings, build, now, report)
                done += 1
                if on_message:
                    on_message(delivery_id, outcome)
                if report.stopped:
                    with make_session() as session, session.begin():
                        release(session, claimed[position + 1:])
                    return report
    finally:
        backend.close()
    return report


def claim(session: Session, now: datetime, lease_seconds: int, size: int,
          only: list[int] | None = None) -> list[int]:
    """Take up to ``size`` due messages for this worker, in the caller's transaction; their ids.

    The ids are picked first and then updated: PostgreSQL may re-run an ``IN (subquery
    LIMIT n)`` per row and so claim more than ``n`` (seen here: one worker took all 200 rows
    with ``size=100``). The pick is ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers
    take disjoint batches; on SQLite the transaction began IMMEDIATE and holds the one
    write lock, which does the same.
    """
    due = or_(
        and_(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now),
        and_(Delivery.state == DeliveryState.SENDING, Delivery.lease_until < now),
    )
    pick = select(Delivery.id).where(due).order_by(Delivery.id).limit(size)
    if only is not None:
        pick = pick.where(Delivery.id.in_(only))
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    ids = list(session.scalars(pick))
    if ids:
        session.execute(
            update(Delivery).where(Delivery.id.in_(ids))
            .values(state=DeliveryState.SENDING, lease_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
    return ids


def release(session: Session, ids: list[int]) -> None:
    """Give claimed but unsent messages back, as if never claimed."""
    if ids:
        session.execute(
            update(Delivery).where(Delivery.id.in_(ids), Delivery.state == DeliveryState.SENDING)
            .values(state=DeliveryState.PENDING, lease_until=None)
            .execution_options(synchronize_session=False)
        )


def send_one(make_session: sessionmaker, delivery_id: int, backend: MailBackend,
             settings: OutboxSettings, build: Builder, now: Callable[[], datetime],
             report: DeliveryReport) -> SendOutcome:
    """Build, send and record one claimed message: two short transactions around the send.

    One reads and builds; the other records the outcome right after the backend answered
    (the crash guarantee rests on it).
    """
    with make_session() as session, session.begin():
        delivery = session.get(Delivery, delivery_id)
        if delivery is None or delivery.state != DeliveryState.SENDING:
            return SendOutcome.SKIPPED
        try:
            data = build(session, delivery, now())
        except ValueError as exc:  # our data cannot make a valid message: retrying won't help
            return record_failure(delivery, f"cannot build message: {exc}", settings, report, bounce=False)
        if data is None:
            return record_cancelled(delivery, report)
        to_addr = delivery.to_addr
    try:
        backend.send(data, from_addr=settings.envelope_sender(delivery_id), to_addrs=[to_addr])
    except PermanentFailure as exc:
        with make_session() as session, session.begin():
            return record_failure(session.get(Delivery, delivery_id), str(exc), settings, report, bounce=True)
    except TemporaryFailure as exc:
        with make_session() as session, session.begin():
            outcome = record_retry(session.get(Delivery, delivery_id), str(exc), settings, now(), report)
        if isinstance(exc, BackendUnavailable):
            # The backend, not this recipient, is the problem: stop instead of burning the
            # attempts of every message behind this one.
            report.stopped = str(exc)
        return outcome
    with make_session() as session, session.begin():
        record_sent(session, delivery_id, now())
    report.sent += 1
    return SendOutcome.SENT


def record_sent(session: Session, delivery_id: int, now: datetime) -> None:
    """The backend accepted the message: ``sent``, in one UPDATE."""
    session.execute(
        update(Delivery).where(Delivery.id == delivery_id)
        .values(state=DeliveryState.SENT, sent_at=now, lease_until=None, last_error=None,
                attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )


def record_cancelled(delivery: Delivery, report: DeliveryReport) -> SendOutcome:
    """The message is no longer wanted (its reader left, or confirmed already)."""
    delivery.state = DeliveryState.CANCELLED
    delivery.lease_until = None
    report.cancelled += 1
    return SendOutcome.CANCELLED


def record_failure(delivery: Delivery, message: str, settings: OutboxSettings, report: DeliveryReport,
                   *, bounce: bool) -> SendOutcome:
    """The message will never go: ``failed``; with ``bounce``, the refusal counts against its address."""
    delivery.attempts += 1
    delivery.state = DeliveryState.FAILED
    delivery.lease_until = None
    delivery.last_error = message[:1000]
    subscriber: Subscriber | None = delivery.subscriber
    if bounce and subscriber is not None:
        count_bounce(subscriber, settings.bounce_limit)
    report.failed += 1
    report.errors.append(f"{delivery.to_addr}: {message}")
    return SendOutcome.FAILED


def record_retry(delivery: Delivery, message: str, settings: OutboxSettings, now: datetime,
                 report: DeliveryReport) -> SendOutcome:
    """Try again after a backoff, or give up once the attempts are used up."""
    delivery.attempts += 1
    delivery.last_error = message[:1000]
    delivery.lease_until = None
    if delivery.attempts >= settings.max_attempts:
        delivery.state = DeliveryState.FAILED
        report.failed += 1
        report.errors.append(f"{delivery.to_addr}: gave up after {delivery.attempts} attempts: {message}")
        return SendOutcome.FAILED
    delivery.state = DeliveryState.PENDING
    delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts, settings))
    report.retrying += 1
    return SendOutcome.RETRYING


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
