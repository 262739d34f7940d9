"""What our mails say: the builder the outbox (feedsvc.mail.outbox) asks for each message's bytes.

Confirmations and digests are built when they are sent, from the subscriber and the edition;
an operator's test is built when queued and kept on its row. A digest is rendered once per
group (the same articles, language, zone and day) and personalised per reader.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import DEFAULTS
from ..models import Article, Delivery, DeliveryKind, Frequency, Subscriber, SubscriberState
from ..timestamps import day_only
from ..mail.message import OutgoingMessage, build_message, list_headers, sign_message
from .compose import DigestContent, DigestItem, compose_items
from .render import DigestWording, personalise, render_confirmation, render_digest


@dataclass(frozen=True)
class Dkim:
    selector: str
    domain: str
    private_key_pem: bytes


@dataclass(frozen=True)
class MailSettings:
    """What building messages needs from the configuration (services.outbox.mail_settings fills it in).

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
    dkim: Dkim | None = None


@dataclass(frozen=True)
class Links:
    """Absolute URLs for a subscriber's mail; the web layer builds them (it holds the secret)."""

    article: Callable[[str], str]
    confirm: Callable[[Subscriber], str]
    preferences: Callable[[Subscriber], str]
    unsubscribe: Callable[[Subscriber], str]
    # (date, language) -> that day's general edition on the web: one link for every reader.
    edition: Callable[[date, str], str] | None = None


class MessageBuilder:
    """The outbox's builder for confirmations, digests and tests; renders are shared over a run."""

    def __init__(self, settings: MailSettings, links: Links, wording: DigestWording | None = None):
        self.settings, self.links, self.wording = settings, links, wording
        self.renders: dict = {}

    def __call__(self, session: Session, delivery: Delivery, now: datetime) -> bytes | None:
        """The message's bytes; None when it is no longer wanted."""
        subscriber = delivery.subscriber
        if not still_wanted(delivery, subscriber):
            return None
        if delivery.raw_message is not None:
            return delivery.raw_message
        if delivery.kind == DeliveryKind.CONFIRM:
            return self.confirmation(delivery, subscriber, now)
        edition = delivery.edition
        ids = tuple(json.loads(edition.article_ids)) if edition else ()
        day = edition.edition_date if edition else now.date()
        return digest_message(session, subscriber, ids, day, message_id=delivery.message_id,
                              settings=self.settings, links=self.links, now=now,
                              wording=self.wording, renders=self.renders,
                              weekly=edition is not None and edition.frequency == Frequency.WEEKLY)

    def confirmation(self, delivery: Delivery, subscriber: Subscriber, now: datetime) -> bytes:
        """The double opt-in mail."""
        settings = self.settings
        rendered = render_confirmation(
            site_name=settings.site_name, confirm_url=self.links.confirm(subscriber),
            language=subscriber.language, expires_hours=settings.confirm_max_age_hours,
            templates_dir=settings.templates_dir,
        )
        return finish(OutgoingMessage(
            to=delivery.to_addr, subject=rendered.subject, text=rendered.text, html=rendered.html,
            from_addr=settings.from_addr, reply_to=settings.reply_to,
            headers={"Auto-Submitted": "auto-generated"}, message_id=delivery.message_id,
        ), settings, now)


def still_wanted(delivery: Delivery, subscriber: Subscriber | None) -> bool:
    """A confirmation only while pending, a digest only while confirmed; a test always."""
    if delivery.kind == DeliveryKind.TEST:
        return True
    wanted_state = SubscriberState.PENDING if delivery.kind == DeliveryKind.CONFIRM else SubscriberState.CONFIRMED
    return subscriber is not None and subscriber.state == wanted_state


def digest_message(session: Session, subscriber: Subscriber, ids: tuple[int, ...], day: date, *,
                   message_id: str | None, settings: MailSettings, links: Links, now: datetime,
                   wording: DigestWording | None = None, renders: dict | None = None,
                   weekly: bool = False) -> bytes:
    """The complete digest message for one subscriber: rendered once per group, then personalised."""
    renders = {} if renders is None else renders
    key = (ids, subscriber.language, subscriber.timezone, day, weekly)
    if key not in renders:
        renders[key] = render_digest(
            DigestContent(
                site_name=settings.site_name, site_url=settings.site_url, edition_date=day,
                language=subscriber.language, timezone=subscriber.timezone, weekly=weekly,
                items=compose_items(digest_items(session, ids, links, ZoneInfo(settings.site_timezone))),
                archive_url=links.edition(day, subscriber.language) if links.edition else None,
            ),
            templates_dir=settings.templates_dir, wording=wording,
        )
    unsubscribe = links.unsubscribe(subscriber)
    rendered = personalise(renders[key], unsubscribe_url=unsubscribe,
                           preferences_url=links.preferences(subscriber))
    return finish(OutgoingMessage(
        to=subscriber.email, subject=rendered.subject, text=rendered.text, html=rendered.html,
        from_addr=settings.from_addr, reply_to=settings.reply_to, message_id=message_id,
        headers=list_headers(settings.list_id, unsubscribe, settings.unsubscribe_mailto),
    ), settings, now)


def finish(message: OutgoingMessage, settings: MailSettings, now: datetime) -> bytes:
    """The message's bytes, DKIM-signed when a key is configured."""
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
