"""Storing a completed article: insert or update by file, reprints merged or linked.

A new article, nearly every one an import meets, is written with Core statements built once
at import time: the ORM's unit of work, its autoflushes and building each query anew were
most of an import's time (issue 11: 10-14 ms of an article's 16 ms on SQLite). A stored one
whose file changed goes through the ORM, which compares the row before and after.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections import Counter
from datetime import date, datetime, time, tzinfo
from enum import Enum
from functools import lru_cache

from sqlalchemy import Connection, bindparam, exists, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..driver_sql import DriverInsert, DriverStatement
from ..models import (
    Article,
    ArticleBand,
    Category,
    Source,
    Tag,
    article_tags,
    bump_store_version,
    utcnow,
)
from ..text.signature import band_keys, bands_shared_at, most_similar, text_keys
from .article import ParsedArticle
from .enrich import NAME_LENGTH
from .settings import ImportSettings

URL_LENGTH = 2048

_articles, _bands = Article.__table__, ArticleBand.__table__
_CANONICAL = _articles.c.duplicate_of_id.is_(None)
# What storing a new article runs most, on SQLite's own connection (driver_sql): the
# writer's CPU per article, 2,000 text dumps into a store of 2,000, went from 1.13 to 0.98 ms.
_STORED = DriverStatement(select(_articles.c.id).where(
    _articles.c.source_file == bindparam("file"), _articles.c.source_index == bindparam("index")
))
_SAME_TEXT = _articles.c.content_hash == bindparam("chash")
_EXACT = select(_articles.c.id, _articles.c.original_url).order_by(_articles.c.id).limit(1)
# The same text and the same original URL are looked up apart: asked for either at once,
# SQLite walked every canonical article in id order (the index on duplicate_of_id) and read
# each row, so an article naming its source cost more with every article stored.
_EXACT_BY_TEXT = DriverStatement(_EXACT.where(_CANONICAL, _SAME_TEXT))
_EXACT_BY_URL = DriverStatement(_EXACT.where(_CANONICAL, _articles.c.original_url == bindparam("url")))
_NEW_TAGS = DriverInsert(article_tags, ("article_id", "tag_id"))
_NEW_BANDS = DriverInsert(_bands, ("article_id", "band"))
# Near duplicates are found through the band index: the articles sharing as many of a
# signature's band keys as a near duplicate must (most that share one are merely on the same
# topic), then each one's signature. Driven from the band index, the rows read grow far slower
# than the store (as a join, SQLite walked the canonical articles and probed bands for each,
# which made an import quadratic: 10 -> 64 ms per article). The counting is done here, not by
# a GROUP BY: SQLite built a temporary b-tree for it and a list for the IN, per article.
_CANDIDATE = DriverStatement(
    select(_articles.c.signature, _articles.c.original_url).where(_CANONICAL, _articles.c.id == bindparam("id"))
)


@lru_cache(maxsize=4)
def _band_members(count: int) -> DriverStatement:
    """The articles holding any of ``count`` band keys (bound as band0, band1, ...), once per key held."""
    return DriverStatement(select(_bands.c.article_id).where(
        _bands.c.band.in_([bindparam(f"band{i}") for i in range(count)])
    ))


_LINK_ORIGINAL = (
    _articles.update().where(_articles.c.id == bindparam("canonical"))
    .values(original_url=bindparam("url"), updated_at=bindparam("now"))
)

# SQLite's search index (migrations 0002, 0013); PostgreSQL's is an expression index.
_INDEX_FOR_SEARCH = text(
    "INSERT INTO articles_fts(rowid, title, body_text) SELECT id, title, body_text FROM articles WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))


class Outcome(str, Enum):
    """What an import did with one article (or, FAILED, with a file)."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    FAILED = "failed"


class NameIds:
    """The ids of sources, categories and tags by name, remembered from one article to the next.

    Nothing deletes those rows, so an id stays good; what a rolled-back article created is
    gone, though, so the caller calls ``forget`` when one fails.
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[type, str], int] = {}

    def id_of(self, session: Session, model, name: str | None) -> int | None:
        """The id of the ``model`` row called ``name`` (created if new); None for no name."""
        if not name:
            return None
        key = (model, name)
        if key not in self._ids:
            self._ids[key] = named_id(session, model, name)
        return self._ids[key]

    def forget(self) -> None:
        self._ids.clear()


def store_article(
    session: Session,
    parsed: ParsedArticle,
    *,
    source_file: str,
    index: int,
    file_hash: str,
    settings: ImportSettings,
    keys: tuple[str, bytes] | None = None,
    names: NameIds | None = None,
    bump: bool = True,
    search_later: list[int] | None = None,
) -> Outcome:
    """Insert or update one article in the caller's transaction and say what happened.

    ``keys`` are the text's ``signature.text_keys`` when a parsing worker worked them out.
    ``bump=False`` leaves the store version to the caller, who bumps it once for a batch;
    with ``search_later``, a new article's id is added to it and the caller indexes the batch
    for search (index_for_search) before it commits.
    """
    chash, sig = keys or text_keys(parsed.text)
    stored = _STORED.first(session.connection(), {"file": source_file, "index": index})
    if stored is None:
        outcome = _insert(session, parsed, source_file=source_file, index=index, file_hash=file_hash,
                          chash=chash, sig=sig, settings=settings, names=names or NameIds(),
                          search_later=search_later)
    else:
        if search_later is not None and stored[0] in search_later:
            # Added earlier in this batch (a file named twice and changed between its reads):
            # into the search index first, or the update's trigger would take out of it what
            # it was never given, which FTS5 reports as a malformed database.
            search_later.remove(stored[0])
            index_for_search(session.connection(), [stored[0]])
        outcome = _update(session, session.get(Article, stored[0], populate_existing=True), parsed,
                          file_hash=file_hash, chash=chash, sig=sig, settings=settings)
    if bump and outcome is not Outcome.UNCHANGED:
        bump_store_version(session)
    return outcome


def _update(session: Session, row: Article, parsed: ParsedArticle, *, file_hash: str, chash: str, sig: bytes,
            settings: ImportSettings) -> Outcome:
    before = _fingerprint(row)
    row.file_hash = file_hash
    _apply(session, row, parsed, chash, sig, settings)
    if _fingerprint(row) == before:
        return Outcome.UNCHANGED
    row.updated_at = utcnow()
    _store_bands(session, row)
    return Outcome.UPDATED


def _insert(session: Session, parsed: ParsedArticle, *, source_file: str, index: int, file_hash: str,
            chash: str, sig: bytes, settings: ImportSettings, names: NameIds,
            search_later: list[int] | None) -> Outcome:
    conn = session.connection()
    duplicate = _find_duplicate(session, parsed, chash, sig, settings)
    uid = uuid.uuid4().hex
    values = _fields(parsed, settings.tz)
    values["published_at"] = values["published_at"] or utcnow()
    values.update(
        uid=uid, source_file=source_file, source_index=index, file_hash=file_hash, added_at=utcnow(),
        updated_at=utcnow(), original_url=_url(parsed.original_url), content_hash=chash, signature=sig,
        source_id=names.id_of(session, Source, parsed.source_name),
        category_id=names.id_of(session, Category, parsed.category),
        slug=_slug_for(parsed.title, values["published_at"], uid),
    )
    tag_ids = [names.id_of(session, Tag, name) for name in parsed.tags]
    if duplicate is not None:
        canonical, canonical_url, kind = duplicate
        values.update(duplicate_of_id=canonical, duplicate_kind=kind)
        # The story is shown once, through the canonical article; it keeps the link to
        # the original source whichever copy named it.
        if canonical_url is None and values["original_url"]:
            conn.execute(_LINK_ORIGINAL, {"canonical": canonical, "url": values["original_url"], "now": utcnow()})
    article_id = _article_insert(tuple(values)).insert(conn, values)
    _NEW_TAGS.insert_many(conn, [{"article_id": article_id, "tag_id": t} for t in dict.fromkeys(tag_ids)])
    _NEW_BANDS.insert_many(conn, [{"article_id": article_id, "band": band} for band in set(band_keys(sig))])
    if search_later is None:
        index_for_search(conn, [article_id])
    else:
        search_later.append(article_id)
    return Outcome.DUPLICATE if duplicate is not None else Outcome.NEW


@lru_cache(maxsize=8)
def _article_insert(columns: tuple[str, ...]) -> DriverInsert:
    """The insert of these columns (a duplicate names two more than a first copy)."""
    return DriverInsert(_articles, columns)


def index_for_search(conn: Connection, ids: list[int]) -> None:
    """Add new articles to SQLite's search index, in one statement for a batch of them.

    Called outside any savepoint when it can be: FTS5 writes its pending terms out as a new
    index segment at each savepoint, so a batch indexed at once makes one segment, where an
    article at a time made one each and paid to merge them (migration 0013).
    """
    if ids and conn.dialect.name == "sqlite":
        conn.execute(_INDEX_FOR_SEARCH, {"ids": ids})


def store_is_empty(session: Session) -> bool:
    """True when no article has been imported yet."""
    return not session.scalar(select(exists().where(Article.id.is_not(None))))


def _fields(parsed: ParsedArticle, tz: tzinfo) -> dict:
    """The columns a file decides, as an insert and an update write them (no date: None here)."""
    published = parsed.published
    return {
        "published_at": None if published is None else _aware(published, tz),
        "published_known": published is not None,
        "published_date_only": published is not None and not isinstance(published, datetime),
        "title": parsed.title,
        "body_text": parsed.text,
        "body_html": parsed.html or "",
        "summary": parsed.summary or "",
        "summary_generated": parsed.summary_generated,
        "author": parsed.author,
        "author_affiliation": parsed.author_affiliation,
        "site_name": parsed.site_name,
        "lang": parsed.lang,
        "format": parsed.format,
        "canonical_url": _url(parsed.canonical_url),
    }


def _apply(session: Session, row: Article, parsed: ParsedArticle, chash: str, sig: bytes,
           settings: ImportSettings) -> None:
    values = _fields(parsed, settings.tz)
    values["published_at"] = values["published_at"] or row.published_at or utcnow()
    for name, value in values.items():
        setattr(row, name, value)
    row.original_url = _url(parsed.original_url) or row.original_url
    if row.content_hash != chash:
        row.content_hash = chash
        row.signature = sig
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


def _find_duplicate(session: Session, parsed: ParsedArticle, chash: str, sig: bytes,
                    settings: ImportSettings) -> tuple[int, str | None, str] | None:
    """The canonical article this one repeats (its id and original URL), and whether exactly or nearly."""
    conn = session.connection()
    exact = _EXACT_BY_TEXT.first(conn, {"chash": chash})
    if parsed.original_url:
        # The first canonical article with either, as one query with OR would find.
        by_url = _EXACT_BY_URL.first(conn, {"url": parsed.original_url})
        if by_url is not None and (exact is None or by_url[0] < exact[0]):
            exact = by_url
    if exact is not None:
        return exact[0], exact[1], "exact"
    bands = band_keys(sig)
    if not bands:
        return None
    threshold = settings.near_duplicate_threshold
    held = Counter(row[0] for row in _band_members(len(bands)).all(
        conn, {f"band{i}": band for i, band in enumerate(bands)}))
    shared = bands_shared_at(threshold)
    candidates = {}  # id -> (signature, original URL), in id order: most_similar breaks ties by it
    # One indexed lookup per candidate, on the driver: a statement for each count of ids would
    # be compiled anew. A real reprint has one or two; the bench's English pages, built from
    # shared phrases, about 120 an article by 10,000, where reading them in fixed chunks of 32
    # ids saved a fifth of this loop (0.70 -> 0.55 ms), about 1% of an import, not worth it.
    for article_id in sorted(i for i, n in held.items() if n >= shared):
        found = _CANDIDATE.first(conn, {"id": article_id})
        if found is not None:  # a canonical article
            candidates[article_id] = found
    best_id = most_similar(sig, ((i, found[0]) for i, found in candidates.items()), threshold)
    if best_id is None:
        return None
    return best_id, candidates[best_id][1], "near"


def _store_bands(session: Session, row: Article) -> None:
    keys = set(band_keys(row.signature))
    stored = set(session.scalars(select(ArticleBand.band).where(ArticleBand.article_id == row.id)))
    for band in stored - keys:
        session.delete(session.get(ArticleBand, (row.id, band)))
    session.add_all(ArticleBand(article_id=row.id, band=band) for band in keys - stored)


def get_or_create_named(session: Session, model, name: str | None):
    """The Source/Category/Tag called ``name``, created if new; None for no name."""
    return session.get(model, named_id(session, model, name)) if name else None


def named_id(session: Session, model, name: str) -> int:
    """The id of the Source/Category/Tag called ``name``, created if new (safe when two importers race)."""
    table = model.__table__
    conn = session.connection()
    by_name = select(table.c.id).where(table.c.name == name)
    found = conn.execute(by_name).scalar()
    if found is not None:
        return found
    slug = slugify(name)
    if conn.execute(select(table.c.id).where(table.c.slug == slug)).scalar() is not None:
        slug = f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"
    try:
        with session.begin_nested():
            return conn.execute(insert(table).values(name=name, slug=slug)).inserted_primary_key[0]
    except IntegrityError:
        return conn.execute(by_name).scalar()


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
