"""Building editions: which subscribers are due, and which articles each one's digest holds."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..articles import in_topics, shown
from ..models import Article, Delivery, DeliveryKind, DeliveryState, Edition, Frequency, Subscriber, SubscriberState
from ..subscribers import new_message_id, topics_of
from .archive import note_lists

FIRST_WINDOW = timedelta(hours=24)
# A new weekly reader's first edition, up to a week after they confirm, holds the week before it:
# the daily window would leave out the days between their confirmation and their weekday.
FIRST_WEEKLY_WINDOW = timedelta(days=7)
CHUNK = 1000


@dataclass
class BuildReport:
    """How many editions were made, how many of them had nothing to send, how many existed."""

    created: int = 0
    empty: int = 0
    existing: int = 0
    not_due: int = 0


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(now: datetime, zone: str) -> date:
    """The date it is in ``zone`` at ``now``."""
    return now.astimezone(_zone(zone)).date()


def is_due(subscriber: Subscriber, now: datetime) -> bool:
    """True once the subscriber's delivery hour has come on their local day."""
    return now.astimezone(_zone(subscriber.timezone)).hour >= subscriber.delivery_hour


def on_their_day(subscriber: Subscriber, day: date) -> bool:
    """Every day for a daily subscriber; for a weekly one only their ISO weekday (issue 12).

    ``day`` is their local date, so a weekly edition comes once a week whatever builds it:
    the hourly job, "build and send now" or ``digest send --all`` (which ignore the hour only).
    """
    return subscriber.frequency != Frequency.WEEKLY or day.isoweekday() == subscriber.weekday


def window_start(subscriber: Subscriber, now: datetime) -> datetime:
    """Where the subscriber's next edition starts: their last digest, else their first window."""
    weekly = subscriber.frequency == Frequency.WEEKLY
    return subscriber.digest_cursor or now - (FIRST_WEEKLY_WINDOW if weekly else FIRST_WINDOW)


def build_editions(
    make_session: sessionmaker, *, now: datetime, domain: str, send_empty: bool, max_items: int,
    ignore_hours: bool = False, edition_date: date | None = None, only: list[int] | None = None,
) -> BuildReport:
    """Create today's edition (and its outbox message) for every confirmed subscriber due.

    Each edition is keyed (subscriber, local date): building twice, or in two processes at
    once, makes one. Subscribers are read in chunks and grouped by their topics and where
    their window starts, so one query finds the articles of a whole group.
    """
    report = BuildReport()
    last_id = 0
    while True:
        with make_session() as session, session.begin():
            query = select(Subscriber).where(Subscriber.state == SubscriberState.CONFIRMED, Subscriber.id > last_id)
            if only is not None:
                query = query.where(Subscriber.id.in_(only))
            chunk = list(session.scalars(query.order_by(Subscriber.id).limit(CHUNK)))
            if not chunk:
                return report
            last_id = chunk[-1].id
            _build_chunk(session, chunk, report, now=now, domain=domain, ignore_hours=ignore_hours,
                         edition_date=edition_date, send_empty=send_empty, max_items=max_items)


def _build_chunk(session: Session, chunk, report, *, now, domain, ignore_hours, edition_date,
                 send_empty, max_items) -> None:
    dates = {s.id: edition_date or local_date(now, s.timezone) for s in chunk}
    due = [s for s in chunk
           if on_their_day(s, dates[s.id]) and (ignore_hours or edition_date or is_due(s, now))]
    report.not_due += len(chunk) - len(due)
    if not due:
        return
    have = set(session.execute(
        select(Edition.subscriber_id, Edition.edition_date)
        .where(Edition.subscriber_id.in_([s.id for s in due]))
        .where(Edition.edition_date.in_(set(dates[s.id] for s in due)))
    ).all())
    groups: dict[tuple, list[Subscriber]] = defaultdict(list)
    for s in due:
        if (s.id, dates[s.id]) in have:
            report.existing += 1
            continue
        groups[(topics_of(s), window_start(s, now))].append(s)
    made = []  # (date, article_ids) of each edition made, for the archive
    for (topics, start), members in groups.items():
        ids = digest_article_ids(session, topics, start, now, limit=max_items)
        for s in members:
            try:
                with session.begin_nested():
                    edition = Edition(
                        subscriber_id=s.id, edition_date=dates[s.id], window_start=start,
                        window_end=now, article_ids=json.dumps(ids), created_at=now, frequency=s.frequency,
                    )
                    session.add(edition)
                    session.flush()
                    if ids or send_empty:
                        session.add(Delivery(
                            kind=DeliveryKind.DIGEST, subscriber_id=s.id, edition_id=edition.id,
                            to_addr=s.email, message_id=new_message_id(domain), state=DeliveryState.PENDING,
                            attempts=0, created_at=now, next_attempt_at=now,
                        ))
                    s.digest_cursor = now
            except IntegrityError:  # another builder made it first: theirs stands
                report.existing += 1
                continue
            report.created += 1
            report.empty += not ids
            made.append((edition.edition_date, edition.article_ids))
    note_lists(session, now, made)


def digest_article_ids(session: Session, topics: tuple[str, ...], start: datetime, end: datetime,
                       *, limit: int) -> list[int]:
    """Shown articles added in (start, end] matching any of ``topics`` (none: all), newest first."""
    query = select(Article.id).where(*shown(), Article.added_at > start, Article.added_at <= end)
    if topics:
        query = query.where(in_topics(topics))
    query = query.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)
    return list(session.scalars(query))

