"""Storing a completed article: insert or update by file, reprints merged or linked."""
from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from datetime import date, datetime, time, tzinfo
from enum import Enum

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import (
    Article,
    ArticleBand,
    Category,
    Source,
    Tag,
    bump_store_version,
    utcnow,
)
from ..text.signature import (
    band_keys,
    content_hash,
    signature,
    similarity_from_signatures,
)
from .article import ParsedArticle
from .enrich import NAME_LENGTH
from .settings import ImportSettings

URL_LENGTH = 2048


class Outcome(str, Enum):
    """What an import did with one article (or, FAILED, with a file)."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    FAILED = "failed"


def store_article(
    session: Session,
    parsed: ParsedArticle,
    *,
    source_file: str,
    index: int,
    file_hash: str,
    settings: ImportSettings,
) -> Outcome:
    """Insert or update one article in the caller's transaction and say what happened."""
    row = session.scalar(
        select(Article).where(Article.source_file == source_file, Article.source_index == index)
    )
    chash = content_hash(parsed.text)
    if row is not None:
        before = _fingerprint(row)
        row.file_hash = file_hash
        _apply(session, row, parsed, chash, settings)
        if _fingerprint(row) == before:
            return Outcome.UNCHANGED
        row.updated_at = utcnow()
        _store_bands(session, row)
        bump_store_version(session)
        return Outcome.UPDATED

    sig = signature(parsed.text)
    canonical, kind = _find_duplicate(session, parsed, chash, sig, settings)
    uid = uuid.uuid4().hex
    row = Article(
        uid=uid, source_file=source_file, source_index=index, file_hash=file_hash,
        added_at=utcnow(), updated_at=utcnow(),
    )
    _apply(session, row, parsed, chash, settings, sig=sig)
    row.slug = _slug_for(parsed.title, row.published_at, uid)
    if canonical is not None:
        row.duplicate_of = canonical
        row.duplicate_kind = kind
        # The story is shown once, through the canonical article; it keeps the link to
        # the original source whichever copy named it.
        if canonical.original_url is None and row.original_url:
            canonical.original_url = row.original_url
            canonical.updated_at = utcnow()
    session.add(row)
    session.flush()
    _store_bands(session, row)
    bump_store_version(session)
    return Outcome.DUPLICATE if canonical is not None else Outcome.NEW


def store_is_empty(session: Session) -> bool:
    """True when no article has been imported yet."""
    return not session.scalar(select(exists().where(Article.id.is_not(None))))


def _apply(session: Session, row: Article, parsed: ParsedArticle, chash: str, settings: ImportSettings,
           sig: bytes | None = None) -> None:
    published = parsed.published
    if published is None:
        row.published_at = row.published_at or utcnow()
        row.published_known = False
    else:
        row.published_at = _aware(published, settings.tz)
        row.published_known = True
    row.published_date_only = published is not None and not isinstance(published, datetime)
    row.title = parsed.title
    row.body_text = parsed.text
    row.body_html = parsed.html or ""
    row.summary = parsed.summary or ""
    row.summary_generated = parsed.summary_generated
    row.author = parsed.author
    row.author_affiliation = parsed.author_affiliation
    row.site_name = parsed.site_name
    row.lang = parsed.lang
    row.format = parsed.format
    row.original_url = _url(parsed.original_url) or (row.original_url if row.id else None)
    row.canonical_url = _url(parsed.canonical_url)
    if row.content_hash != chash:
        row.content_hash = chash
        row.signature = sig if sig is not None else signature(parsed.text)
    row.source = get_or_create_named(session, Source, parsed.source_name)
    row.category = get_or_create_named(session, Category, parsed.category)
    tags = [get_or_create_named(session, Tag, name) for name in parsed.tags]
    if [t.name for t in row.tags] != [t.name for t in tags]:
        row.tags = tags


def _fingerprint(row: Article) -> tuple:
    return (
        row.title, row.body_text, row.body_html, row.summary, row.published_at, row.published_date_only, row.author,
        row.author_affiliation, row.site_name, row.lang, row.original_url, row.canonical_url,
        row.source.name if row.source else None, row.category.name if row.category else None,
        tuple(sorted(t.name for t in row.tags)),
    )


def _find_duplicate(session, parsed, chash: str, sig: bytes, settings):
    """The canonical article this one repeats, exactly or nearly, and which kind; else None."""
    canonical = Article.duplicate_of_id.is_(None)
    same = Article.content_hash == chash
    if parsed.original_url:
        same = same | (Article.original_url == parsed.original_url)
    exact = session.scalar(select(Article).where(canonical, same).order_by(Article.id).limit(1))
    if exact is not None:
        return exact, "exact"
    # Driven from the band index: as a join, SQLite walked the canonical articles and probed
    # bands for each, which made an import quadratic (bench_import: 10 -> 64 ms per article).
    sharing = select(ArticleBand.article_id).where(ArticleBand.band.in_(band_keys(sig)))
    candidates = session.execute(
        select(Article.id, Article.signature).where(canonical, Article.id.in_(sharing))
    ).all()
    best_id, best = None, settings.near_duplicate_threshold
    for article_id, other in candidates:
        score = similarity_from_signatures(sig, other)
        if score >= best:
            best_id, best = article_id, score
    if best_id is None:
        return None, None
    return session.get(Article, best_id), "near"


def _store_bands(session: Session, row: Article) -> None:
    keys = set(band_keys(row.signature))
    stored = set(session.scalars(select(ArticleBand.band).where(ArticleBand.article_id == row.id)))
    for band in stored - keys:
        session.delete(session.get(ArticleBand, (row.id, band)))
    session.add_all(ArticleBand(article_id=row.id, band=band) for band in keys - stored)


def get_or_create_named(session: Session, model, name: str | None):
    """The Source/Category/Tag called ``name``, created if new (safe when two importers race)."""
    if not name:
        return None
    found = session.scalar(select(model).where(model.name == name))
    if found is not None:
        return found
    slug = slugify(name)
    if session.scalar(select(model.id).where(model.slug == slug)) is not None:
        slug = f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"
    try:
        with session.begin_nested():
            found = model(name=name, slug=slug)
            session.add(found)
    except IntegrityError:
        found = session.scalar(select(model).where(model.name == name))
    return found


def slugify(text: str) -> str:
    """A URL path segment from a name: lower-case words joined by '-', CJK kept as is."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "-", text).strip("-")[:NAME_LENGTH] or "x"


def _slug_for(title: str, published: datetime, uid: str) -> str:
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", title).lower())
    middle = "-".join(words)[:60].rstrip("-")
    return "-".join(p for p in (published.strftime("%Y-%m-%d"), middle, uid[:8]) if p)


def _aware(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    # A date-only value means that day in the site's time zone (issue 2).
    return datetime.combine(value, time(0), tzinfo=tz)


def _url(value: str | None) -> str | None:
    return value if value and len(value) <= URL_LENGTH else None
