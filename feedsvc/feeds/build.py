"""From the store to a feed document: which articles, which links, which language."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy.orm import Session

from ..articles import ALL, Listed, Scope, count_articles, list_listed, newest_change
from ..chinese import convert, convert_html
from ..languages import BY_CODE
from .formats import render
from .render import FeedEntry, FeedMeta

LANGUAGE_TAGS = {"zh": "zh-CN", "en": "en"}
# An empty feed still needs an <updated>; a fixed time keeps its bytes (and ETag) stable.
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
FEED_ID_DATE = "2026"


@dataclass(frozen=True)
class FeedLinks:
    """Absolute URLs the feed points at; the web layer builds them from BASE_URL."""

    article: Callable[[str], str]  # slug -> reading page
    feed: Callable[[int], str]  # page number -> this feed's URL at that page
    home: str  # the HTML page this feed mirrors
    tag_authority: str  # e.g. "feeds.example.org": tag: URIs (RFC 4151) are minted under it


@dataclass(frozen=True)
class ScopeFacts:
    """What every page and format of one scope's feed shares: how many articles it shows, and
    when the newest change to them was (its Last-Modified and <updated>)."""

    count: int
    updated: datetime | None


def scope_facts(session: Session, scope: Scope) -> ScopeFacts:
    """Count and newest change of ``scope``; the count walks every shown article (5 ms at
    100,000 of them), so the web layer keeps the answer per store version (issue 11)."""
    return ScopeFacts(count_articles(session, scope), newest_change(session, scope))


@dataclass(frozen=True)
class FeedRequest:
    """What the reader asked for (``limit``: entries per page, FEED_SIZE unless they chose)."""

    fmt: str
    limit: int
    scope: Scope = ALL
    page: int = 1
    full: bool = True
    language: str | None = None  # a language whose readers get Chinese in their script; None: as stored


def build_feed(
    session: Session, request: FeedRequest, links: FeedLinks, *,
    site_name: str, language: str | None = None, hub_url: str | None = None, facts: ScopeFacts | None = None,
) -> tuple[bytes, datetime]:
    """The feed document and the time it last changed (for Last-Modified).

    ``facts``: the scope's count and newest change when the caller has them (else read here).
    """
    facts = facts or scope_facts(session, request.scope)
    last_page = max(1, math.ceil(facts.count / request.limit))
    page = min(request.page, last_page)
    articles = list_listed(
        session, request.scope, limit=request.limit, offset=(page - 1) * request.limit
    )
    updated = facts.updated or EPOCH
    opencc = BY_CODE[request.language].opencc if request.language else None
    entries = [_entry(a, links, opencc, request.language) for a in articles]
    title = site_name if request.scope is ALL else f"{site_name} · {convert(request.scope.name, opencc)}"
    meta = FeedMeta(
        id=_feed_id(links.tag_authority, request.scope),
        title=title,
        subtitle=title,
        link=links.home,
        self_url=links.feed(page),
        updated=updated,
        language=request.language or language or _majority_language(articles),
        hub_url=hub_url,
        # RFC 5005 section 3: the subscription document is page 1; older pages link onward.
        first_url=links.feed(1) if last_page > 1 else None,
        last_url=links.feed(last_page) if last_page > 1 else None,
        next_url=links.feed(page + 1) if page < last_page else None,
        prev_url=links.feed(page - 1) if page > 1 else None,
    )
    return render(request.fmt, meta, entries, full=request.full), updated


def article_tag_uri(authority: str, article: Listed) -> str:
    """The article's permanent id: a tag: URI from its uid and the day it was added (RFC 4151)."""
    return f"tag:{authority},{article.added_at:%Y-%m-%d}:article/{article.uid}"


def _feed_id(authority: str, scope: Scope) -> str:
    name = "all" if scope is ALL else f"{scope.kind}/{scope.slug}"
    # RFC 4151 asks for a date on which the authority held the name; fixed, so ids never change.
    return f"tag:{authority},{FEED_ID_DATE}:feed/{name}"


def _entry(article: Listed, links: FeedLinks, opencc: str | None, language: str | None) -> FeedEntry:
    """One entry; with ``opencc``, its text in the reader's script (the stored text stays as it is)."""
    categories = [article.category_name] if article.category_name else []
    categories += article.tag_names
    chinese = opencc is not None and (article.lang or "").startswith("zh")
    return FeedEntry(
        id=article_tag_uri(links.tag_authority, article),
        title=convert(article.title, opencc),
        link=links.article(article.slug),
        published=article.published_at,
        updated=article.updated_at,
        author=convert(article.author, opencc) if article.author else None,
        categories=tuple(dict.fromkeys(convert(c, opencc) for c in categories)),
        summary=convert(article.summary, opencc),
        content_html=str(convert_html(article.body_html, opencc)),
        original_url=article.original_url,
        source_name=convert(article.source_name, opencc) if article.source_name else None,
        lang=language if chinese else article.lang,
    )


def _majority_language(articles: list[Listed]) -> str | None:
    counts = Counter(a.lang for a in articles if a.lang)
    if not counts:
        return None
    lang = counts.most_common(1)[0][0]
    return LANGUAGE_TAGS.get(lang, lang)
