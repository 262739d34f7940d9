"""The outbox: claim messages, render and send them, record what happened.

Each message is a ``Delivery`` row. A worker claims a batch (pending and due, or
``sending`` whose lease ran out) in one atomic UPDATE, sends, and commits ``sent`` right
after the server accepted each message. A crash can therefore leave at most the messages
that were on the wire (one per open connection) unrecorded; they are sent again once their
lease runs out, because there is no proof they were accepted.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from ..config import DEFAULTS
from ..mail.backends import BackendUnavailable, MailBackend, PermanentFailure, TemporaryFailure
from ..mail.message import OutgoingMessage, build_message, list_headers, parse_mailbox, sign_message
from ..models import (
    Article, Delivery, DeliveryKind, DeliveryState, Subscriber, SubscriberState, utcnow,
)
from ..timestamps import day_only
from .compose import DigestContent, DigestItem, compose_items
from .render import DigestWording, personalise, render_confirmation, render_digest

UNSENT = (DeliveryState.PENDING, DeliveryState.SENDING)


class SendOutcome(StrEnum):
    """What one attempt at a message did, as ``on_message`` hears it."""

    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # another worker had it already


@dataclass(frozen=True)
class Dkim:
    selector: str
    domain: str
    private_key_pem: bytes


@dataclass(frozen=True)
class MailSettings:
    """What sending needs from the configuration (services.outbox.mail_settings fills it in).

    Defaults are the configuration's own (config.DEFAULTS), never a second copy of them.
    """

    from_addr: str
    site_name: str
    site_url: str
    list_id: str
    templates_dir: Path
    site_timezone: str = DEFAULTS["TIMEZONE"]  # date-only articles keep their day in it
    reply_to: str | None = None
    unsubscribe_mailto: str | None = None
    confirm_max_age_hours: int = DEFAULTS["CONFIRM_MAX_AGE_HOURS"]
    lease_seconds: int = DEFAULTS["DELIVERY_LEASE_SECONDS"]
    max_attempts: int = DEFAULTS["DELIVERY_MAX_ATTEMPTS"]
    retry_base_seconds: float = DEFAULTS["DELIVERY_RETRY_BASE_SECONDS"]
    retry_cap_seconds: float = 6 * 3600.0
    bounce_limit: int = DEFAULTS["BOUNCE_LIMIT"]
    dkim: Dkim | None = None

    @cached_property
    def envelope_from(self) -> str:
        """The bare address of From, for SMTP's MAIL FROM (where bounces go)."""
        return parse_mailbox(self.from_addr).addr_spec


@dataclass(frozen=True)
class Links:
    """Absolute URLs for a subscriber's mail; the web layer builds them (it holds the secret)."""

    article: Callable[[str], str]
    confirm: Callable[[Subscriber], str]
    preferences: Callable[[Subscriber], str]
    unsubscribe: Callable[[Subscriber], str]


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
    make_session: sessionmaker, backend: MailBackend, settings: MailSettings, links: Links, *,
    now: Callable[[], datetime] = utcnow, wording: DigestWording | None = None,
    only: list[int] | None = None, batch: int = 100, limit: int | None = None,
    on_message: Callable[[int, SendOutcome], None] | None = None,
    throttle: Callable[[], None] | None = None,
) -> DeliveryReport:
    """Send what is due in the outbox until it is empty, ``limit`` is reached or the server is down."""
    report = DeliveryReport()
    renders: dict = {}
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
                outcome = _deliver_one(make_session, delivery_id, backend, settings, links,
                                       now, wording, renders, report)
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


def count_unsent(session: Session) -> int:
    """How many messages are waiting in the outbox (pending, or claimed and not yet sent)."""
    return session.scalar(select(func.count(Delivery.id)).where(Delivery.state.in_(UNSENT))) or 0


def prune_deliveries(session: Session, *, before: datetime) -> int:
    """Delete the records of messages sent or cancelled before ``before``; returns how many."""
    finished = (DeliveryState.SENT, DeliveryState.CANCELLED)
    return session.execute(
        delete(Delivery).where(Delivery.state.in_(finished), Delivery.created_at < before)
    ).rowcount


def _deliver_one(make_session, delivery_id, backend, settings, links, now, wording, renders,
                 report) -> SendOutcome:
    # Two short transactions per message: one to read and render, one to record the
    # outcome right after the server answered (the crash guarantee rests on the second).
    with make_session() as session, session.begin():
        delivery = session.get(Delivery, delivery_id, options=[
            joinedload(Delivery.subscriber), joinedload(Delivery.edition)])
        if delivery is None or delivery.state != DeliveryState.SENDING:
            return SendOutcome.SKIPPED
        subscriber = delivery.subscriber
        if not _still_wanted(delivery, subscriber):
            delivery.state = DeliveryState.CANCELLED
            delivery.lease_until = None
            report.cancelled += 1
            return SendOutcome.CANCELLED
        try:
            data = _message_bytes(session, delivery, subscriber, settings, links, now(), wording, renders)
        except ValueError as exc:  # our data cannot make a valid message: retrying won't help
            delivery.attempts += 1
            return _fail(delivery, subscriber, f"cannot build message: {exc}", settings, report, bounce=False)
        to_addr = delivery.to_addr
    try:
        backend.send(data, from_addr=settings.envelope_from, to_addrs=[to_addr])
    except PermanentFailure as exc:
        with make_session() as session, session.begin():
            delivery = session.get(Delivery, delivery_id)
            delivery.attempts += 1
            return _fail(delivery, delivery.subscriber, str(exc), settings, report, bounce=True)
    except TemporaryFailure as exc:
        with make_session() as session, session.begin():
            delivery = session.get(Delivery, delivery_id)
            delivery.attempts += 1
            outcome = _retry_later(delivery, str(exc), settings, now(), report)
        if isinstance(exc, BackendUnavailable):
            # The backend, not this recipient, is the problem: stop instead of burning the
            # attempts of every message behind this one.
            report.stopped = str(exc)
        return outcome
    with make_session() as session, session.begin():
        session.execute(
            update(Delivery).where(Delivery.id == delivery_id)
            .values(state=DeliveryState.SENT, sent_at=now(), lease_until=None, last_error=None,
                    attempts=Delivery.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    report.sent += 1
    return SendOutcome.SENT


def _still_wanted(delivery: Delivery, subscriber: Subscriber | None) -> bool:
    """A confirmation only while pending, a digest only while confirmed; a test always."""
    if delivery.kind == DeliveryKind.TEST:
        return True
    wanted_state = SubscriberState.PENDING if delivery.kind == DeliveryKind.CONFIRM else SubscriberState.CONFIRMED
    return subscriber is not None and subscriber.state == wanted_state


def _fail(delivery, subscriber, message, settings, report, *, bounce: bool) -> SendOutcome:
    delivery.state = DeliveryState.FAILED
    delivery.lease_until = None
    delivery.last_error = message[:1000]
    if bounce and subscriber is not None:
        subscriber.bounce_count += 1
        if subscriber.bounce_count >= settings.bounce_limit:
            subscriber.state = SubscriberState.BOUNCED
    report.failed += 1
    report.errors.append(f"{delivery.to_addr}: {message}")
    return SendOutcome.FAILED


def _retry_later(delivery, message, settings, now, report) -> SendOutcome:
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


def backoff_seconds(attempts: int, settings: MailSettings, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: half the step fixed, half random (no thundering herd)."""
    step = min(settings.retry_cap_seconds, settings.retry_base_seconds * 2 ** max(0, attempts - 1))
    return step / 2 + (rng or random).uniform(0, step / 2)


def _message_bytes(session, delivery, subscriber, settings, links, now, wording, renders) -> bytes:
    if delivery.raw_message is not None:
        return delivery.raw_message
    if delivery.kind == DeliveryKind.CONFIRM:
        rendered = render_confirmation(
            site_name=settings.site_name, confirm_url=links.confirm(subscriber),
            language=subscriber.language, expires_hours=settings.confirm_max_age_hours,
            templates_dir=settings.templates_dir,
        )
        return _finish(OutgoingMessage(
            to=delivery.to_addr, subject=rendered.subject, text=rendered.text, html=rendered.html,
            from_addr=settings.from_addr, reply_to=settings.reply_to,
            headers={"Auto-Submitted": "auto-generated"}, message_id=delivery.message_id,
        ), settings, now)
    edition = delivery.edition
    ids = tuple(json.loads(edition.article_ids)) if edition else ()
    day = edition.edition_date if edition else now.date()
    return digest_message(session, subscriber, ids, day, message_id=delivery.message_id,
                          settings=settings, links=links, now=now, wording=wording, renders=renders)


def digest_message(session: Session, subscriber: Subscriber, ids: tuple[int, ...], day, *,
                   message_id: str | None, settings: MailSettings, links: Links, now: datetime,
                   wording: DigestWording | None = None, renders: dict | None = None) -> bytes:
    """The complete digest message for one subscriber: rendered once per group, then personalised."""
    renders = {} if renders is None else renders
    key = (ids, subscriber.language, subscriber.timezone, day)
    if key not in renders:
        renders[key] = render_digest(
            DigestContent(
                site_name=settings.site_name, site_url=settings.site_url, edition_date=day,
                language=subscriber.language, timezone=subscriber.timezone,
                items=compose_items(digest_items(session, ids, links, ZoneInfo(settings.site_timezone))),
            ),
            templates_dir=settings.templates_dir, wording=wording,
        )
    unsubscribe = links.unsubscribe(subscriber)
    rendered = personalise(renders[key], unsubscribe_url=unsubscribe,
                           preferences_url=links.preferences(subscriber))
    return _finish(OutgoingMessage(
        to=subscriber.email, subject=rendered.subject, text=rendered.text, html=rendered.html,
        from_addr=settings.from_addr, reply_to=settings.reply_to, message_id=message_id,
        headers=list_headers(settings.list_id, unsubscribe, settings.unsubscribe_mailto),
    ), settings, now)


def _finish(message: OutgoingMessage, settings: MailSettings, now: datetime) -> bytes:
    data = build_message(message, now=now).as_bytes()
    if settings.dkim is not None:
        data = sign_message(data, selector=settings.dkim.selector, domain=settings.dkim.domain,
                            private_key_pem=settings.dkim.private_key_pem)
    return data


def digest_items(session: Session, ids, links: Links, site_zone: ZoneInfo) -> list[DigestItem]:
    """The articles of an edition as digest items (one query)."""
    if not ids:
        return []
    rows = session.scalars(select(Article).where(Article.id.in_(ids)))
    return [
        DigestItem(
            title=a.title, url=links.article(a.slug), published=a.published_at, summary=a.summary,
            original_url=a.original_url, source_name=a.source.name if a.source else None,
            category=a.category.name if a.category else None,
            day=day_only(a.published_at, a.published_date_only, site_zone),
        )
        for a in rows
    ]
