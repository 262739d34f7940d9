"""Digests with this app's configuration: the editions that are due, previews, test sends."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from sqlalchemy.orm import Session

from ..digest.messages import digest_message
from ..digest.editions import BuildReport, build_editions, digest_article_ids, local_date, window_start
from ..digest.operator_wording import load_wording
from ..models import Delivery, DeliveryKind, DeliveryState, Frequency, Subscriber, utcnow
from ..subscribers import new_message_id, topics_of
from .outbox import deliver_now, links, mail_domain, mail_settings


def build_due(app: Flask, **options) -> BuildReport:
    """Create the editions (and outbox messages) that are due now."""
    options.setdefault("now", utcnow())
    return build_editions(
        app.extensions["feedsvc.sessionmaker"], domain=mail_domain(app),
        send_empty=app.config["DIGEST_SEND_EMPTY"], max_items=app.config["DIGEST_MAX_ITEMS"],
        **options,
    )


def stand_in_reader(app: Flask, language: str) -> Subscriber:
    """A new subscriber to every topic (never stored), for previews without a chosen one."""
    return Subscriber(id=0, email=f"preview@{mail_domain(app)}", language=language,
                      timezone=app.config["TIMEZONE"], topics="[]", digest_cursor=None,
                      frequency=Frequency.DAILY, weekday=1)


def addressed_to(reader: Subscriber, address: str) -> Subscriber:
    """A copy of ``reader`` (never stored) with another address: a test shows their digest.

    Its personal links are signed for ``address``, so they never act on the real subscriber.
    """
    return Subscriber(id=reader.id, email=address, language=reader.language, timezone=reader.timezone,
                      topics=reader.topics, digest_cursor=reader.digest_cursor,
                      frequency=reader.frequency, weekday=reader.weekday)


def preview_digest(app: Flask, session: Session, reader: Subscriber, *, now: datetime, day: date | None = None,
            message_id: str | None = None) -> tuple[bytes, int]:
    """The complete message ``reader`` would get if their digest were built now, and its article count.

    As a real edition: the articles since their last digest, their topics, their local date
    (or ``day``), daily or weekly, the operators' wording. Nothing is stored or sent.
    """
    ids = digest_article_ids(session, topics_of(reader), window_start(reader, now), now,
                             limit=app.config["DIGEST_MAX_ITEMS"])
    data = digest_message(session, reader, tuple(ids), day or local_date(now, reader.timezone),
                          message_id=message_id, settings=mail_settings(app), links=links(app),
                          now=now, wording=load_wording(session), weekly=reader.frequency == Frequency.WEEKLY)
    return data, len(ids)


def send_test(app: Flask, session: Session, reader: Subscriber, to: str) -> Delivery:
    """Send the digest ``reader`` would get now to ``to``, through the outbox, and return its row.

    The outbox rebuilds a digest from its edition and a test has none, so the message is
    built here and kept on the row; it is committed, sent at once, and the row read back
    (``sent``, or ``last_error`` saying why not; a temporary failure is retried like any other).
    """
    now = utcnow()
    message_id = new_message_id(mail_domain(app))
    data, _count = preview_digest(app, session, addressed_to(reader, to), now=now, message_id=message_id)
    row = Delivery(kind=DeliveryKind.TEST, to_addr=to, message_id=message_id, raw_message=data,
                   state=DeliveryState.PENDING, attempts=0, created_at=now, next_attempt_at=now)
    session.add(row)
    session.commit()
    deliver_now(app, [row.id])
    session.refresh(row)
    return row
