"""The digest archive with this app's configuration: a date's general edition as a web page, the
list of editions, and their Atom feed (what a general edition is: digest/archive.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup
from sqlalchemy.orm import Session

from .. import config
from ..digest.archive import GeneralEdition, count_days, general_editions, list_days, newest_edition
from ..digest.compose import DigestContent, compose_items
from ..digest.messages import digest_items
from ..digest.operator_wording import load_wording
from ..digest.render import DigestWording, EditionPage, digest_context, render_edition_page
from ..feeds.build import EPOCH, FEED_ID_DATE
from ..feeds.formats import render
from ..feeds.render import FeedEntry, FeedMeta
from ..languages import DEFAULT, LANGUAGES, translations
from ..models import current_store_version
from ..web import external_url
from .outbox import links

TITLES_LISTED = 3  # the list shows each date with its first few titles


@dataclass(frozen=True)
class ListedDay:
    """A date in the list of editions, in the reader's language and script."""

    day: date
    label: str
    titles: tuple[str, ...]  # the first TITLES_LISTED
    more: bool  # it has more than these


def archive_version(session: Session) -> tuple:
    """What every archive page depends on besides its address: the articles, the editions made,
    the operators' wording (a cache key; any change shows a new page)."""
    return current_store_version(session), newest_edition(session), load_wording(session)


def edition_page(app: Flask, session: Session, day: date, language: str) -> tuple[bytes, datetime] | None:
    """The web page of ``day``'s general edition in ``language`` and when it last changed; None
    when no edition was made that day."""
    edition = general_editions(session, [day]).get(day)
    if edition is None:
        return None
    edition_url = links(app).edition
    page = EditionPage(
        archive_url=external_url(app, "public.archive"),
        feed_url=editions_feed_url(app, language), feed_title=editions_feed_title(app, language),
        subscribe_url=external_url(app, "public.subscribe"),
        languages=tuple((lang.code, lang.label, edition_url(day, lang.code)) for lang in LANGUAGES),
        default_url=external_url(app, "public.edition", day=day),
    )
    html = render_edition_page(_content(app, session, edition, language), page,
                               templates_dir=config.templates_dir() / "email", wording=load_wording(session))
    return html.encode("utf-8"), edition.updated


def listed_days(app: Flask, session: Session, language: str, *, page: int) -> tuple[list[ListedDay], int, datetime]:
    """One page of the dates that have an edition, newest first; the number of pages; when they last changed."""
    size = app.config["PAGE_SIZE"]
    pages = max(1, math.ceil(count_days(session) / size))
    editions = general_editions(session, list_days(session, limit=size, offset=(min(page, pages) - 1) * size))
    wording = load_wording(session)
    listed = []
    for edition in sorted(editions.values(), key=lambda e: e.day, reverse=True):
        context = digest_context(_content(app, session, edition, language), wording)
        titles = tuple(item.title for item in context["items"])
        listed.append(ListedDay(edition.day, context["edition"], titles[:TITLES_LISTED], len(titles) > TITLES_LISTED))
    return listed, pages, max((e.updated for e in editions.values()), default=EPOCH)


def editions_feed(app: Flask, session: Session, language: str, *, page: int) -> tuple[bytes, datetime]:
    """The editions' Atom feed in ``language``: one entry per date, newest first, paged (RFC 5005),
    and when it last changed."""
    size = app.config["FEED_SIZE"]
    last_page = max(1, math.ceil(count_days(session) / size))
    page = min(page, last_page)
    editions = general_editions(session, list_days(session, limit=size, offset=(page - 1) * size))
    authority = app.config["TAG_AUTHORITY"] or urlsplit(app.config["BASE_URL"]).hostname
    wording = load_wording(session)
    entries = [_entry(app, session, edition, language, wording, authority)
               for edition in sorted(editions.values(), key=lambda e: e.day, reverse=True)]
    updated = max((entry.updated for entry in entries), default=EPOCH)

    def url(n: int) -> str:
        return editions_feed_url(app, language, page=n)

    meta = FeedMeta(
        id=f"tag:{authority},{FEED_ID_DATE}:digests", title=editions_feed_title(app, language),
        link=external_url(app, "public.archive", **_lang(language)), self_url=url(page), updated=updated,
        language=language, first_url=url(1) if last_page > 1 else None,
        last_url=url(last_page) if last_page > 1 else None,
        next_url=url(page + 1) if page < last_page else None, prev_url=url(page - 1) if page > 1 else None,
    )
    return render("atom", meta, entries), updated


def editions_feed_url(app: Flask, language: str, *, page: int = 1) -> str:
    """The editions' feed in ``language`` (the default language's has no ``?lang=``)."""
    return external_url(app, "feeds.editions", **_lang(language), **({"page": page} if page > 1 else {}))


def editions_feed_title(app: Flask, language: str) -> str:
    """What a feed reader calls the editions' feed."""
    name = translations(language).gettext("Past digests")
    return f"{app.config['SITE_NAME']} · {name}"


def _lang(language: str) -> dict:
    return {} if language == DEFAULT.code else {"lang": language}


def _content(app: Flask, session: Session, edition: GeneralEdition, language: str) -> DigestContent:
    """``edition`` as a digest in ``language``, its times in the site's zone."""
    items = digest_items(session, edition.article_ids, links(app), config.site_timezone(app))
    return DigestContent(site_name=app.config["SITE_NAME"], site_url=external_url(app, "public.index"),
                         edition_date=edition.day, language=language, timezone=app.config["TIMEZONE"],
                         items=compose_items(items))


def _entry(app: Flask, session: Session, edition: GeneralEdition, language: str,
           wording: DigestWording | None, authority: str) -> FeedEntry:
    """One date's edition as a feed entry: the mail's subject, intro and articles."""
    context = digest_context(_content(app, session, edition, language), wording)
    parts = [Markup("<p>{}</p>").format(paragraph) for paragraph in context["intro"]]
    for item in context["items"]:
        parts.append(Markup('<h3><a href="{}">{}</a></h3>').format(item.url, item.title))
        parts += [Markup("<p>{}</p>").format(text) for text in (item.meta, *item.paragraphs) if text]
    return FeedEntry(
        id=f"tag:{authority},{FEED_ID_DATE}:digest/{edition.day.isoformat()}", title=context["subject"],
        link=links(app).edition(edition.day, language), published=edition.published, updated=edition.updated,
        summary=" ".join(context["intro"]), content_html=str(Markup("\n").join(parts)), lang=context["lang"],
    )
