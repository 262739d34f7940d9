"""What our mails say: the builder the outbox (feedsvc.mail.outbox) asks for each message's bytes.

Confirmations and digests are built when they are sent, from the subscriber and the edition;
an operator's test is built when queued and kept on its row. A digest is rendered once per
group (the same articles, language, zone, day and frequency), built to bytes once, and filled
in per reader (feedsvc.mail.stencil).
"""
from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import DEFAULTS
from ..mail.message import (
    OutgoingMessage, build_message, list_headers, list_unsubscribe, parse_mailbox, sign_message,
)
from ..mail.outbox import Claimed, due
from ..mail.stencil import Stencil
from ..models import Article, Delivery, DeliveryKind, Edition, Frequency, Subscriber, SubscriberState
from ..timestamps import day_only
from .compose import DigestContent, DigestItem, compose_items
from .render import DigestWording, RenderedDigest, personal_values, render_confirmation, render_digest
from .wording import PLACEHOLDERS


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


class Reader(Protocol):
    """What mails need of a subscriber: a Subscriber, or a row of these columns."""

    id: int
    email: str
    state: SubscriberState
    language: str
    timezone: str


@dataclass(frozen=True)
class Links:
    """Absolute URLs for a subscriber's mail; the web layer builds them (it holds the secret)."""

    article: Callable[[str], str]
    confirm: Callable[[Reader], str]
    preferences: Callable[[Reader], str]
    unsubscribe: Callable[[Reader], str]
    # (date, language) -> that day's general edition on the web: one link for every reader.
    edition: Callable[[date, str], str] | None = None


class MessageBuilder:
    """The outbox's builder for confirmations, digests and tests; digests by render group."""

    def __init__(self, settings: MailSettings, links: Links, wording: DigestWording | None = None):
        self.settings, self.links = settings, links
        self.digests = DigestGroups(settings, links, wording)

    def prepare(self, session: Session, now: datetime, only: list[int] | None = None) -> None:
        """Render every group the run's digests fall in (one query), before anything is sent."""
        query = (
            select(Edition.article_ids, Edition.edition_date, Edition.frequency, Subscriber.language,
                   Subscriber.timezone).distinct()
            .join(Delivery, Delivery.edition_id == Edition.id).join(Subscriber, Subscriber.id == Edition.subscriber_id)
            .where(due(now), Delivery.kind == DeliveryKind.DIGEST, Subscriber.state == SubscriberState.CONFIRMED)
        )
        if only is not None:
            query = query.where(Delivery.id.in_(only))
        for article_ids, day, frequency, language, zone in session.execute(query):
            self.digests.render(session, tuple(json.loads(article_ids)), language, zone, day,
                                weekly=frequency == Frequency.WEEKLY)

    def __call__(self, session: Session, batch: Sequence[Claimed], now: datetime) -> Callable[[Claimed, datetime], bytes | None]:
        """Read what ``batch`` needs (three queries) and render any group prepare() did not;
        the function that makes each message's bytes with no database."""
        subscriber_ids = {c.subscriber_id for c in batch if c.subscriber_id is not None}
        edition_ids = {c.edition_id for c in batch if c.edition_id is not None}
        readers = {row.id: row for row in session.execute(
            select(Subscriber.id, Subscriber.email, Subscriber.state, Subscriber.language, Subscriber.timezone)
            .where(Subscriber.id.in_(subscriber_ids)))} if subscriber_ids else {}
        editions = {row.id: row for row in session.execute(
            select(Edition.id, Edition.article_ids, Edition.edition_date, Edition.frequency)
            .where(Edition.id.in_(edition_ids)))
        } if edition_ids else {}
        raw = dict(session.execute(select(Delivery.id, Delivery.raw_message).where(
            Delivery.id.in_([c.id for c in batch]), Delivery.raw_message.is_not(None))).all())
        groups = {}
        for claimed in batch:
            reader, edition = readers.get(claimed.subscriber_id), editions.get(claimed.edition_id)
            if claimed.kind == DeliveryKind.DIGEST and reader is not None:
                ids = tuple(json.loads(edition.article_ids)) if edition else ()
                day = edition.edition_date if edition else now.date()
                weekly = edition is not None and edition.frequency == Frequency.WEEKLY
                groups[claimed.id] = self.digests.render(session, ids, reader.language, reader.timezone, day,
                                                         weekly=weekly)

        def build(claimed: Claimed, now: datetime) -> bytes | None:
            reader = readers.get(claimed.subscriber_id)
            if not still_wanted(claimed, reader):
                return None
            if claimed.id in raw:
                return raw[claimed.id]
            if claimed.kind == DeliveryKind.CONFIRM:
                return self.confirmation(claimed, reader, now)
            return self.digests.message(groups[claimed.id], reader, message_id=claimed.message_id, now=now)

        return build

    def confirmation(self, delivery: Claimed, subscriber: Reader, now: datetime) -> bytes:
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


def still_wanted(delivery: Claimed, subscriber: Reader | None) -> bool:
    """A confirmation only while pending, a digest only while confirmed; a test always."""
    if delivery.kind == DeliveryKind.TEST:
        return True
    wanted_state = SubscriberState.PENDING if delivery.kind == DeliveryKind.CONFIRM else SubscriberState.CONFIRMED
    return subscriber is not None and subscriber.state == wanted_state


class DigestGroups:
    """Digests by render group (the same articles, language, zone, day and frequency): each
    group is rendered once, built into a stencil by its first reader, and filled in for every
    reader (issue 11). One per delivery run, shared by its connections."""

    def __init__(self, settings: MailSettings, links: Links, wording: DigestWording | None = None):
        self.settings, self.links, self.wording = settings, links, wording
        self._renders: dict[tuple, RenderedDigest | str] = {}  # str: why the group cannot be built
        self._stencils: dict[tuple, Stencil] = {}
        self._lock = threading.Lock()  # no two connections render one group

    def render(self, session: Session, ids: tuple[int, ...], language: str, zone: str, day: date, *,
               weekly: bool = False) -> tuple:
        """Render the digest of these articles in this language, zone and day (daily or weekly)
        unless done; its key."""
        key = (ids, language, zone, day, weekly)
        with self._lock:
            if key not in self._renders:
                settings = self.settings
                content = DigestContent(
                    site_name=settings.site_name, site_url=settings.site_url, edition_date=day,
                    language=language, timezone=zone, weekly=weekly,
                    items=compose_items(digest_items(session, ids, self.links, ZoneInfo(settings.site_timezone))),
                    archive_url=self.links.edition(day, language) if self.links.edition else None,
                )
                try:
                    self._renders[key] = render_digest(content, templates_dir=settings.templates_dir,
                                                       wording=self.wording)
                except ValueError as exc:  # the operators' wording, our data: every reader alike
                    self._renders[key] = str(exc)
        return key

    def message(self, key: tuple, reader: Reader, *, message_id: str | None, now: datetime) -> bytes:
        """``reader``'s digest of the rendered group ``key``, signed when a DKIM key is configured."""
        rendered = self._renders[key]
        if isinstance(rendered, str):
            raise ValueError(rendered)
        settings = self.settings
        unsubscribe = self.links.unsubscribe(reader)
        values = personal_values(unsubscribe_url=unsubscribe, preferences_url=self.links.preferences(reader))
        fields = {
            "To": reader.email,
            "Message-ID": message_id or make_msgid(domain=parse_mailbox(settings.from_addr).domain),
            "Date": format_datetime(now.astimezone(timezone.utc)),
            "List-Unsubscribe": list_unsubscribe(unsubscribe, settings.unsubscribe_mailto),
        }
        stencil = self._stencils.get(key)
        if stencil is None:  # this reader's message, built by the email package, is the pattern
            msg = build_message(OutgoingMessage(
                to=reader.email, subject=rendered.subject, text=rendered.text, html=rendered.html,
                from_addr=settings.from_addr, reply_to=settings.reply_to, message_id=fields["Message-ID"],
                headers=list_headers(settings.list_id, unsubscribe, settings.unsubscribe_mailto),
            ), now=now)
            stencil = self._stencils[key] = Stencil.from_message(msg, fields=fields, placeholders=PLACEHOLDERS)
        return sign(stencil.fill(fields, values), settings)


def digest_message(session: Session, subscriber: Reader, ids: tuple[int, ...], day: date, *,
                   message_id: str | None, settings: MailSettings, links: Links, now: datetime,
                   wording: DigestWording | None = None, weekly: bool = False) -> bytes:
    """The complete digest message for one subscriber, as the outbox sends it (previews, tests)."""
    groups = DigestGroups(settings, links, wording)
    key = groups.render(session, ids, subscriber.language, subscriber.timezone, day, weekly=weekly)
    return groups.message(key, subscriber, message_id=message_id, now=now)


def finish(message: OutgoingMessage, settings: MailSettings, now: datetime) -> bytes:
    """The message's bytes, DKIM-signed when a key is configured."""
    return sign(build_message(message, now=now).as_bytes(), settings)


def sign(data: bytes, settings: MailSettings) -> bytes:
    """``data`` with a DKIM signature when a key is configured."""
    if settings.dkim is None:
        return data
    return sign_message(data, selector=settings.dkim.selector, domain=settings.dkim.domain,
                        private_key_pem=settings.dkim.private_key_pem)


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
