"""Completing a parsed article before it is stored: clean fields, language, summary, tags.

Pure: no database. What an import stores and what ``feedsvc parse`` prints both come from here.
"""
from __future__ import annotations

import dataclasses
import re
from html import escape

from feedsvc.ingest.article import ParsedArticle, ParseError
from feedsvc.ingest.parse import parse_bytes
from feedsvc.ingest.settings import ImportSettings
from feedsvc.sanitize import is_safe_url, sanitize_html, strip_control_chars
from feedsvc.text.lang import detect_lang
from feedsvc.text.sentences import split_sentences
from feedsvc.text.signature import normalize_text
from feedsvc.text.summary import summarize
from feedsvc.text.tokens import extract_tags

# Publication years we believe; outside them a parsed date is noise, and years near 1 or 9999
# cannot be stored in UTC or written in RSS (RFC 2822 3.3 wants four year digits).
PLAUSIBLE_YEARS = range(1900, 3000)
NAME_LENGTH = 200  # the String(200) columns: author, site, source, category, tag names
# Characters of an article its summary and tags are worked out from.
_WORK_CHARS = 50_000


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
    original_url = clean_url(article.original_url)
    original_url = original_url if is_safe_url(original_url) else None
    summary = " ".join(strip_control_chars(article.summary or "").split())
    if not _real_summary(summary, title, text, tags=article.tags, from_page=article.format == "html"):
        summary = ""
    generated = not summary
    # A summary and tags need the start of an article, not all of it: a 12 MB one-line upload
    # must not be tokenised whole (issue 14).
    head = text[:_WORK_CHARS]
    if generated:
        summary = summarize(head, max_chars=settings.summary_chars)
    tags = [t for t in dict.fromkeys(clean_name(t) for t in article.tags) if t]
    if not tags and settings.auto_tags:
        tags = extract_tags(head, lang, k=settings.auto_tags)
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
        canonical_url=clean_url(article.canonical_url),
        summary=summary,
        summary_generated=generated,
        tags=tags,
        author=clean_name(article.author),
        editor=clean_name(article.editor),
        author_affiliation=clean_name(article.author_affiliation),
        source_name=clean_name(article.source_name),
        site_name=clean_name(article.site_name),
        category=clean_name(article.category),
    )


def _real_summary(summary: str, title: str, text: str, *, tags: list[str], from_page: bool) -> bool:
    """Whether a declared summary says something: not the title again (nor the title with the
    keyword list after it), not a keyword list, not a line of site boilerplate.

    A page's <meta> description must also be the article's own words — its lead, as sites
    mostly make it; any other description is site furniture as often as a summary. An
    author's summary (front matter, a JSON field) is taken on trust.
    """
    if not summary:
        return False
    key, title_key = normalize_text(summary), normalize_text(title)
    if not key or key == title_key or (title_key and key.startswith(title_key)):
        return False
    items = [i for i in re.split(r"[,，、;；|]\s*", summary) if i.strip()]
    if len(items) >= 3 and max(len(i) for i in items) <= 12:
        return False  # "周琦,姚明,中国男篮,篮球世界杯"
    if tags and key == normalize_text("".join(tags)):
        return False
    if not from_page:
        return True
    body = normalize_text(text)
    return all(normalize_text(s.rstrip("…")) in body for s in split_sentences(summary))


def clean_name(value: str | None) -> str | None:
    """A name on one line, without control characters, cut to what the store keeps."""
    if not value:
        return None
    value = " ".join(strip_control_chars(value).split())
    return value[:NAME_LENGTH] or None


def clean_url(value: str | None) -> str | None:
    """A URL without control characters or surrounding space; None when nothing is left."""
    return strip_control_chars(value or "").strip() or None
