"""Completing a parsed article before it is stored: clean fields, language, summary, tags.

Pure: no database. What an import stores and what ``feedsvc parse`` prints both come from here.
"""
from __future__ import annotations

import dataclasses
from html import escape

from feedsvc.ingest.article import ParsedArticle, ParseError
from feedsvc.ingest.parse import parse_bytes
from feedsvc.ingest.settings import ImportSettings
from feedsvc.sanitize import is_safe_url, sanitize_html, strip_control_chars
from feedsvc.text.lang import detect_lang
from feedsvc.text.summary import summarize
from feedsvc.text.tokens import extract_tags

# Publication years we believe; outside them a parsed date is noise, and years near 1 or 9999
# cannot be stored in UTC or written in RSS (RFC 2822 3.3 wants four year digits).
PLAUSIBLE_YEARS = range(1900, 3000)
NAME_LENGTH = 200  # the String(200) columns: author, site, source, category, tag names


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
    generated = not summary
    if generated:
        summary = summarize(text, lang=lang, max_chars=settings.summary_chars)
    tags = [t for t in dict.fromkeys(clean_name(t) for t in article.tags) if t]
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
        canonical_url=clean_url(article.canonical_url),
        summary=summary,
        summary_generated=generated,
        tags=tags,
        author=clean_name(article.author),
        author_affiliation=clean_name(article.author_affiliation),
        source_name=clean_name(article.source_name),
        site_name=clean_name(article.site_name),
        category=clean_name(article.category),
    )


def clean_name(value: str | None) -> str | None:
    """A name on one line, without control characters, cut to what the store keeps."""
    if not value:
        return None
    value = " ".join(strip_control_chars(value).split())
    return value[:NAME_LENGTH] or None


def clean_url(value: str | None) -> str | None:
    """A URL without control characters or surrounding space; None when nothing is left."""
    return strip_control_chars(value or "").strip() or None
