"""Digest previews: the very message a subscriber would get now, and operator wording tried on real content."""
from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from ..digest.compose import DigestContent, DigestItem, compose_items
from ..digest.delivery import digest_items, digest_message
from ..digest.editions import FIRST_WINDOW, digest_article_ids, local_date
from ..digest.operator_wording import load_wording
from ..digest.render import DigestWording, RenderedDigest, personalise, render_digest, validate_wording
from ..models import Subscriber
from ..services import outbox
from ..subscribers import LANGUAGES, topics_of


@dataclass(frozen=True)
class Preview:
    """A digest message as its reader would see it: headers, the HTML part and the text part."""

    to: str
    from_addr: str
    subject: str
    html: str
    text: str
    items: int


def stand_in_reader(app: Flask, language: str) -> Subscriber:
    """A new subscriber to every topic (never stored), for previews without a chosen one."""
    return Subscriber(id=0, email=f"preview@{outbox.mail_domain(app)}", language=language,
                      timezone=app.config["TIMEZONE"], topics="[]", digest_cursor=None)


def addressed_to(reader: Subscriber, address: str) -> Subscriber:
    """A copy of ``reader`` (never stored) with another address: a test shows their digest.

    Its personal links are signed for ``address``, so they never act on the real subscriber.
    """
    return Subscriber(id=reader.id, email=address, language=reader.language, timezone=reader.timezone,
                      topics=reader.topics, digest_cursor=reader.digest_cursor)


def digest_bytes(app: Flask, session: Session, reader: Subscriber, *, now: datetime,
                 message_id: str | None = None) -> tuple[bytes, int]:
    """The complete message ``reader`` would get if their digest were built now, and its article count."""
    ids = digest_article_ids(session, topics_of(reader), reader.digest_cursor or now - FIRST_WINDOW, now,
                             limit=app.config["DIGEST_MAX_ITEMS"])
    data = digest_message(session, reader, tuple(ids), local_date(now, reader.timezone),
                          message_id=message_id, settings=outbox.mail_settings(app),
                          links=outbox.links(app), now=now, wording=load_wording(session))
    return data, len(ids)


def read_preview(data: bytes, items: int) -> Preview:
    """The parts of a built message that a preview page shows."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    html = msg.get_body(("html",))
    text = msg.get_body(("plain",))
    return Preview(to=str(msg["To"]), from_addr=str(msg["From"]), subject=str(msg["Subject"]),
                   html=html.get_content() if html else "", text=text.get_content() if text else "",
                   items=items)


def todays_content(app: Flask, session: Session, language: str, *, now: datetime) -> DigestContent:
    """The all-topics digest of the last day in ``language``; a sample article when there is none."""
    settings = outbox.mail_settings(app)
    ids = digest_article_ids(session, (), now - FIRST_WINDOW, now, limit=app.config["DIGEST_MAX_ITEMS"])
    items = compose_items(digest_items(session, ids, outbox.links(app))) or (_sample_item(settings.site_url, now),)
    return DigestContent(site_name=settings.site_name, site_url=settings.site_url,
                         edition_date=local_date(now, app.config["TIMEZONE"]), language=language,
                         timezone=app.config["TIMEZONE"], items=items)


def wording_problems(app: Flask, session: Session, wording: DigestWording, *, now: datetime) -> list[str]:
    """Every error of ``wording`` against today's content in each language (empty: it may be saved)."""
    problems = []
    for language in LANGUAGES:
        content = todays_content(app, session, language, now=now)
        problems += [p for p in validate_wording(wording, content) if p not in problems]
        # An empty edition exercises the other branches ({% if count %} …) too.
        problems += [p for p in validate_wording(wording, replace(content, items=())) if p not in problems]
    return problems


def wording_preview(app: Flask, session: Session, wording: DigestWording, language: str, *,
                    now: datetime) -> RenderedDigest:
    """Today's digest in ``wording``; raises WordingError when it does not render."""
    rendered = render_digest(todays_content(app, session, language, now=now),
                             templates_dir=outbox.mail_settings(app).templates_dir, wording=wording)
    site = outbox.mail_settings(app).site_url
    return personalise(rendered, unsubscribe_url=site, preferences_url=site)


def _sample_item(site_url: str, now: datetime) -> DigestItem:
    # Invented for previews of an empty day, so the item template has something to show.
    return DigestItem(
        title="示例：滨江步道全线贯通 Sample: riverside walkway opens", url=site_url,
        published=now - timedelta(hours=1),
        summary="全长十二公里的滨江步道今天全线开放。 The twelve-kilometre riverside walkway opened today.",
        source_name="示例日报 Sample Daily", category="城市 City",
    )
