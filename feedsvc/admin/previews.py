"""Digest previews in the admin: a built message as the page shows it, and wording tried on real content."""
from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from ..config import site_timezone
from ..digest.compose import DigestContent, DigestItem, compose_items
from ..digest.messages import digest_items
from ..digest.editions import FIRST_WINDOW, digest_article_ids, local_date
from ..digest.render import RenderedDigest, personalise, render_digest
from ..digest.wording import DigestWording, validate_wording
from ..services import outbox
from ..languages import CODES as LANGUAGE_CODES


@dataclass(frozen=True)
class Preview:
    """A digest message as its reader would see it: headers, the HTML part and the text part."""

    to: str
    from_addr: str
    subject: str
    html: str
    text: str
    items: int


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
    items = compose_items(digest_items(session, ids, outbox.links(app), site_timezone(app)))
    items = items or (_sample_item(settings.site_url, now),)
    return DigestContent(site_name=settings.site_name, site_url=settings.site_url,
                         edition_date=local_date(now, app.config["TIMEZONE"]), language=language,
                         timezone=app.config["TIMEZONE"], items=items)


def wording_problems(app: Flask, session: Session, wording: DigestWording, *, now: datetime) -> list[str]:
    """Every error of ``wording`` against today's content in each language (empty: it may be saved)."""
    problems = []
    for language in LANGUAGE_CODES:
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
