"""Subscribers: double opt-in, preferences, unsubscribe, CSV import and export."""
from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from .articles import KINDS
from .languages import CODES as LANGUAGE_CODES
from .mail.message import normalise_address
from .models import Delivery, DeliveryKind, DeliveryState, Frequency, Subscriber, SubscriberState, utcnow
from .sanitize import from_spreadsheet_cell, has_control_characters, spreadsheet_cell, split_list

MAX_TOPICS = 100
# frequency and weekday last (issue 12): a CSV of before has the same first six columns.
CSV_COLUMNS = ("email", "state", "language", "timezone", "delivery_hour", "topics", "frequency", "weekday")


@dataclass(frozen=True)
class Preferences:
    """What a subscriber chooses: send hour, zone, language, daily or weekly and on which ISO
    weekday (1 Monday … 7 Sunday), topics (empty: everything).

    No defaults here: a new subscriber's come from the configuration
    (services.subscriptions.default_preferences).
    """

    delivery_hour: int
    timezone: str
    language: str
    frequency: Frequency
    weekday: int
    topics: tuple[str, ...] = ()


@dataclass
class PreferenceErrors(ValueError):
    """Field name -> one-line message, for forms and APIs alike."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())


def parse_preferences(session: Session, raw: dict, defaults: Preferences) -> Preferences:
    """Validate submitted preferences (from a form, CSV or JSON) against what exists; raise PreferenceErrors.

    Every wrong type is a field error, never an exception of its own (issue 14): JSON may send
    numbers, booleans, lists or objects where a form sends strings.
    """
    errors: dict[str, str] = {}
    topics = _topics(raw.get("topics"), errors)
    for topic in topics:
        kind, _, slug = topic.partition(":")
        model = KINDS.get(kind)
        if model is None or session.scalar(select(model.id).where(model.slug == slug)) is None:
            errors["topics"] = f"unknown topic {topic!r}"
            break
    hour = _whole(raw.get("delivery_hour"), defaults.delivery_hour, 0, 23)
    if hour is None:
        errors["delivery_hour"] = "must be an hour from 0 to 23"
    frequency = _text(raw.get("frequency"), defaults.frequency)
    if frequency not in tuple(Frequency):
        errors["frequency"] = "must be daily or weekly"
    weekday = _whole(raw.get("weekday"), defaults.weekday, 1, 7)
    if weekday is None:
        errors["weekday"] = "must be an ISO weekday from 1 (Monday) to 7 (Sunday)"
    zone = _text(raw.get("timezone"), defaults.timezone)
    if zone is None or not is_timezone(zone):
        errors["timezone"] = f"unknown time zone {zone!r}" if zone else "must be a time zone name"
    language = _text(raw.get("language"), defaults.language)
    if language not in LANGUAGE_CODES:
        errors["language"] = f"must be one of {', '.join(LANGUAGE_CODES)}"
    if errors:
        raise PreferenceErrors(errors)
    return Preferences(topics=topics, delivery_hour=hour, timezone=zone, language=language,
                       frequency=Frequency(frequency), weekday=weekday)


def _topics(value, errors: dict[str, str]) -> tuple[str, ...]:
    """Topic names from a typed list ("a, b"), a list of strings, or nothing; a field error otherwise."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = split_list(value)
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        errors["topics"] = "must be a list of topic names"
        return ()
    topics = tuple(sorted({t.strip() for t in value}))
    if len(topics) > MAX_TOPICS or any(len(t) > 250 or has_control_characters(t) for t in topics):
        errors["topics"] = "must be a list of topic names"
        return ()
    return () if "all" in topics else topics


def _whole(value, default: int, low: int, high: int) -> int | None:
    """A whole number low-high (an hour, a weekday) from an int, a whole float (JSON has one number
    type) or digits; the default when empty; else None."""
    if value in (None, ""):
        return default
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 2:
        value = int(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _text(value, default: str) -> str | None:
    """A short text choice (zone, language), the default when empty; None when it is no such text."""
    if value in (None, ""):
        return default
    if not isinstance(value, str) or has_control_characters(value):
        return None
    return value.strip()[:64]


def is_timezone(name: str) -> bool:
    """True for an IANA zone name this machine knows."""
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def topics_of(subscriber: Subscriber) -> tuple[str, ...]:
    """The subscriber's topics as a tuple ("kind:slug", ...); empty means everything."""
    return tuple(json.loads(subscriber.topics or "[]"))


def apply_preferences(subscriber: Subscriber, prefs: Preferences) -> None:
    """Store ``prefs`` on the subscriber row."""
    subscriber.topics = json.dumps(list(prefs.topics), ensure_ascii=False)
    subscriber.delivery_hour = prefs.delivery_hour
    subscriber.timezone = prefs.timezone
    subscriber.language = prefs.language
    subscriber.frequency = prefs.frequency
    subscriber.weekday = prefs.weekday


def find(session: Session, email: str) -> Subscriber | None:
    """The subscriber with this address (any letter case), if any."""
    return session.scalar(select(Subscriber).where(Subscriber.email == email.strip().lower()))


def subscribe(session: Session, email: str, prefs: Preferences, *, confirmed: bool = False,
              now: datetime | None = None) -> tuple[Subscriber, bool]:
    """Add or re-activate an address; returns it and whether a confirmation mail is due.

    A confirmed subscriber is left as is (an anonymous form must not change their
    choices); anyone else becomes pending with the submitted preferences.
    """
    now = now or utcnow()
    address = normalise_address(email).lower()
    row = find(session, address)
    if row is not None and row.state == SubscriberState.CONFIRMED:
        return row, False
    if row is None:
        row = Subscriber(email=address, created_at=now, bounce_count=0)
        session.add(row)
    apply_preferences(row, prefs)
    row.unsubscribed_at = None
    if confirmed:
        _confirm(row, now)
        return row, False
    row.state = SubscriberState.PENDING
    return row, True


def confirm(session: Session, subscriber: Subscriber, *, now: datetime | None = None) -> bool:
    """Mark a pending subscriber confirmed; False for anyone else, who stays as they are.

    An unsubscribed address is never confirmed by an old link: consent withdrawn is final
    until the address subscribes anew, which makes it pending again (issue 14).
    """
    if subscriber.state != SubscriberState.PENDING:
        return False
    _confirm(subscriber, now or utcnow())
    return True


def _confirm(row: Subscriber, now: datetime) -> None:
    row.state = SubscriberState.CONFIRMED
    row.confirmed_at = now
    row.bounce_count = 0
    # The first digest covers what is added from now on, plus the last 24 hours.
    row.digest_cursor = None


def unsubscribe(session: Session, subscriber: Subscriber, *, now: datetime | None = None) -> None:
    """Stop all mail to this subscriber, and drop digests not yet sent."""
    subscriber.state = SubscriberState.UNSUBSCRIBED
    subscriber.unsubscribed_at = now or utcnow()
    for delivery in session.scalars(
        select(Delivery).where(Delivery.subscriber_id == subscriber.id,
                               Delivery.state == DeliveryState.PENDING)
    ):
        delivery.state = DeliveryState.CANCELLED


def count_bounce(subscriber: Subscriber, limit: int) -> bool:
    """Count one permanent failure against the address; at ``limit`` it is bounced. True when it was now."""
    subscriber.bounce_count += 1
    if subscriber.bounce_count >= limit and subscriber.state in (SubscriberState.PENDING,
                                                                 SubscriberState.CONFIRMED):
        subscriber.state = SubscriberState.BOUNCED
        return True
    return False


def queue_confirmation(session: Session, subscriber: Subscriber, *, domain: str,
                       not_needed: bool = False) -> Delivery:
    """Put a confirmation mail for ``subscriber`` in the outbox.

    ``not_needed``: the address is confirmed already; the row is written cancelled (nothing is
    sent), so a subscribe request does the same writes for a known address as for a new one.
    """
    delivery = Delivery(
        kind=DeliveryKind.CONFIRM, subscriber=subscriber, to_addr=subscriber.email,
        message_id=new_message_id(domain), state=DeliveryState.PENDING, attempts=0, next_attempt_at=utcnow(),
    )
    if not_needed:
        delivery.state, delivery.last_error = DeliveryState.CANCELLED, "already confirmed: nothing sent"
    session.add(delivery)
    return delivery


def new_message_id(domain: str) -> str:
    """A Message-ID on our domain, fixed when the outbox row is made."""
    return f"<{uuid.uuid4().hex}@{domain}>"


@dataclass
class CsvReport:
    """Rows taken in, and rows refused with the reason (1-based line numbers)."""

    added: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_csv(session: Session, text: str, defaults: Preferences, *, confirmed: bool = False) -> tuple[CsvReport, list[Subscriber]]:
    """Validate every row first; add the valid ones. Returns the report and the rows needing confirmation."""
    report = CsvReport()
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "email" not in [f.strip().lower() for f in reader.fieldnames]:
        report.errors.append((1, "the header row needs an 'email' column"))
        return report, []
    valid: list[tuple[str, Preferences]] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): from_spreadsheet_cell((v or "").strip()) for k, v in row.items()}
        try:
            address = normalise_address(row.get("email", "")).lower()
            prefs = parse_preferences(session, {k: v for k, v in row.items() if v}, defaults)
        except ValueError as exc:
            report.errors.append((line, " ".join(str(exc).split())))
            continue
        if address in seen:
            report.errors.append((line, f"{address} appears twice"))
            continue
        seen.add(address)
        valid.append((address, prefs))
    to_confirm = []
    for address, prefs in valid:
        existing = find(session, address)
        if existing is not None and existing.state == SubscriberState.CONFIRMED:
            report.unchanged += 1
            continue
        row, needs_mail = subscribe(session, address, prefs, confirmed=confirmed)
        report.added += 1
        if needs_mail:
            to_confirm.append(row)
    return report, to_confirm


def export_csv(rows: Iterable[Subscriber]) -> Iterator[str]:
    """CSV lines (header first) with the columns import_csv reads, safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield _drain(buffer)
    for s in rows:
        # Addresses come from an anonymous form: =1+1@example.com is one (issue 14).
        writer.writerow([spreadsheet_cell(value) for value in (
            s.email, s.state, s.language, s.timezone, s.delivery_hour, ",".join(topics_of(s)),
            s.frequency, s.weekday)])
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value
