"""Storing parsed articles: one transaction per article, idempotent, reprints merged or linked."""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import unicodedata
import uuid
from html import escape
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from enum import Enum
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..models import (
    Article, ArticleBand, Category, ImportRun, Source, Tag, bump_store_version, utcnow,
)
from ..sanitize import is_safe_url, sanitize_html, strip_control_chars
from ..text.lang import detect_lang
from ..text.signature import (
    NEAR_DUPLICATE_THRESHOLD, band_keys, content_hash, signature, similarity_from_signatures,
)
from ..text.summary import summarize
from ..text.tokens import extract_tags
from .article import ParsedArticle, ParseError
from .parse import parse_bytes

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".html", ".htm", ".md", ".markdown", ".json"})
# Publication years we believe; outside them a parsed date is noise, and years near 1 or 9999
# cannot be stored in UTC or written in RSS (RFC 2822 3.3 wants four year digits).
PLAUSIBLE_YEARS = range(1900, 3000)
NAME_LENGTH = 200  # the String(200) columns: author, site, source, category, tag names
URL_LENGTH = 2048


class Outcome(str, Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class ImportSettings:
    """What the importer needs from the configuration."""

    tz: tzinfo
    summary_chars: int = 200
    auto_tags: int = 5
    near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD
    max_bytes: int = 20 * 1024 * 1024


@dataclass
class ImportReport:
    """Counts per outcome (one per article; one per file that failed) and the failures."""

    counts: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    hub_errors: list[str] = field(default_factory=list)  # WebSub pings that failed afterwards

    @property
    def failed(self) -> int:
        return self.counts[Outcome.FAILED]

    @property
    def changed(self) -> bool:
        """True when the import added or changed what readers see."""
        return bool(self.counts[Outcome.NEW] or self.counts[Outcome.UPDATED])

    def summary_line(self) -> str:
        return ", ".join(f"{self.counts[o]} {o.value}" for o in Outcome)


def prepare_articles(data: bytes, filename: str, *, settings: ImportSettings) -> list[ParsedArticle]:
    """Parse a file and complete each article (language, summary, tags); touches no database."""
    return [complete_article(article, settings) for article in parse_bytes(
        data, filename, tz=settings.tz, max_bytes=settings.max_bytes
    )]


def complete_article(article: ParsedArticle, settings: ImportSettings) -> ParsedArticle:
    """Clean an extracted article and fill what the file left out: language, summary, tags."""
    text = strip_control_chars(article.text).strip()
    title = " ".join(strip_control_chars(article.title).split())
    if not title or not text:
        raise ParseError("no article title or text found")
    lang = article.lang or detect_lang(text)
    original_url = _clean_url(article.original_url)
    original_url = original_url if is_safe_url(original_url) else None
    summary = " ".join(strip_control_chars(article.summary or "").split())
    generated = not summary
    if generated:
        summary = summarize(text, lang=lang, max_chars=settings.summary_chars)
    tags = [t for t in dict.fromkeys(_clean_name(t) for t in article.tags) if t]
    if not tags and settings.auto_tags:
        tags = extract_tags(text, lang, k=settings.auto_tags)
    html = article.html or "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
    published = article.published if article.published and article.published.year in PLAUSIBLE_YEARS else None
    return dataclasses.replace(
        article,
        title=title,
        text=text,
        html=sanitize_html(html, base_url=original_url or article.canonical_url),
        lang=lang,
        published=published,
        original_url=original_url,
        canonical_url=_clean_url(article.canonical_url),
        summary=summary,
        summary_generated=generated,
        tags=tags,
        author=_clean_name(article.author),
        author_affiliation=_clean_name(article.author_affiliation),
        source_name=_clean_name(article.source_name),
        site_name=_clean_name(article.site_name),
        category=_clean_name(article.category),
    )


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and supported files under folders (recursively, hidden ones skipped).

    Inside a folder, a file whose real path lies outside it (a symlink to /etc/passwd, say)
    is skipped: whoever can write to the drop folder must not read the rest of the disk.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            root_real = path.resolve()
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    Path(root) / f for f in sorted(files)
                    if not f.startswith(".") and Path(f).suffix.lower() in SUPPORTED_SUFFIXES
                    and (Path(root) / f).resolve().is_relative_to(root_real)
                )
        else:
            found.append(path)
    return found


def import_files(
    make_session: sessionmaker,
    files: list[Path],
    *,
    settings: ImportSettings,
    origin: str,
    on_file: Callable[[Path, list[Outcome]], None] | None = None,
) -> ImportReport:
    """Import each file on its own; a broken file is reported and the rest go on."""
    report = ImportReport()
    started = utcnow()
    for path in files:
        try:
            outcomes = import_file(make_session, path, settings=settings)
        except (ParseError, OSError) as exc:
            outcomes = [Outcome.FAILED]
            report.errors.append((str(path), error_line(exc)))
        except Exception as exc:  # a bug must not stop the other files
            # The report gets one line; the trace is for developers, with debug logging on.
            log.debug("importing %s failed", path, exc_info=True)
            outcomes = [Outcome.FAILED]
            report.errors.append((str(path), f"internal error: {error_line(exc)}"))
        report.counts.update(outcomes)
        if on_file:
            on_file(path, outcomes)
    with make_session() as session, session.begin():
        session.add(ImportRun(
            origin=origin,
            started_at=started,
            finished_at=utcnow(),
            errors="\n".join(f"{p}: {m}" for p, m in report.errors),
            **{o.value: report.counts[o] for o in Outcome},
        ))
    return report


def import_file(make_session: sessionmaker, path: Path, *, settings: ImportSettings) -> list[Outcome]:
    """Import the article(s) in one file, each in its own transaction."""
    size = path.stat().st_size
    if size > settings.max_bytes:
        raise ParseError(f"file too large ({size} bytes; the limit is {settings.max_bytes})")
    data = path.read_bytes()
    file_hash = hashlib.sha256(data).hexdigest()
    key = str(path.resolve())
    with make_session() as session:
        known = session.scalars(select(Article.file_hash).where(Article.source_file == key)).all()
    if known and all(h == file_hash for h in known):
        return [Outcome.UNCHANGED] * len(known)
    articles = prepare_articles(data, path.name, settings=settings)
    outcomes = []
    for index, article in enumerate(articles):
        with make_session() as session, session.begin():
            outcomes.append(store_article(
                session, article, source_file=key, index=index, file_hash=file_hash,
                settings=settings,
            ))
    return outcomes


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


def _apply(session, row: Article, parsed: ParsedArticle, chash: str, settings, sig=None) -> None:
    published = parsed.published
    if published is None:
        row.published_at = row.published_at or utcnow()
        row.published_known = False
    else:
        row.published_at = _aware(published, settings.tz)
        row.published_known = True
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
        row.title, row.body_text, row.body_html, row.summary, row.published_at, row.author,
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


def _clean_name(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(strip_control_chars(value).split())
    return value[:NAME_LENGTH] or None


def _clean_url(value: str | None) -> str | None:
    return strip_control_chars(value or "").strip() or None


def _url(value: str | None) -> str | None:
    return value if value and len(value) <= URL_LENGTH else None


def error_line(exc: BaseException) -> str:
    """An exception as one line fit for a user's report."""
    return " ".join(str(exc).split()) or type(exc).__name__
