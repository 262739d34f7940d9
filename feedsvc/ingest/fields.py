"""Article fields from a key/value mapping: Markdown front matter and JSON documents."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone, tzinfo

from feedsvc.ingest import dates, people
from feedsvc.ingest.article import ParseError

# ParsedArticle field -> the keys files use for it, preferred first.
KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "published": ("published", "date", "published_at", "pubdate", "datePublished"),
    "author": ("author", "byline", "authors"),
    "author_affiliation": ("author_affiliation", "affiliation"),
    "source_name": ("source_name", "source"),
    "site_name": ("site_name", "site"),
    "original_url": ("original_url", "source_url", "original"),
    "canonical_url": ("canonical_url", "canonical", "url", "link"),
    "category": ("category", "section"),
    "tags": ("tags", "keywords"),
    "summary": ("summary", "description"),
    "lang": ("lang", "language"),
}


def fields_from_mapping(mapping: dict, tz: tzinfo) -> dict:
    """ParsedArticle keyword arguments (minus title and body) from a mapping's values."""
    found: dict = {}
    for field, keys in KEYS.items():
        key = next((k for k in keys if mapping.get(k) not in (None, "", [])), None)
        if key is None:
            continue
        value = mapping[key]
        if field == "published":
            found[field] = _published(value, key, tz)
        elif field == "tags":
            found[field] = _tags(value, key)
        elif field == "author" and isinstance(value, list):
            found[field] = ", ".join(_text(v, key) for v in value)
        else:
            found[field] = _text(value, key)
    if "author" in found:
        found["author"] = people.clean_person(found["author"])
    if "lang" in found:
        found["lang"] = primary_language(found["lang"])
    return found


def primary_language(value: str | None) -> str | None:
    """The primary language subtag of a tag like "zh-CN" or "en_US", lower-cased."""
    primary = re.split(r"[-_]", (value or "").strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _text(value, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ParseError(f'"{key}" must be text.')
    return " ".join(str(value).split())


def _tags(value, key: str) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,，、;；]", value)
    if not isinstance(value, list):
        raise ParseError(f'"{key}" must be a list or a comma-separated string.')
    return list(dict.fromkeys(_text(v, key) for v in value if _text(v, key)))


def _published(value, key: str, tz: tzinfo) -> datetime | date:
    if isinstance(value, datetime):  # YAML reads timestamps itself
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, timezone.utc)  # a Unix time
        except (OverflowError, OSError, ValueError):
            raise ParseError(f'"{key}" is not a date: {value!r}.') from None
    parsed = dates.parse_date(value, tz) if isinstance(value, str) else None
    if parsed is None:
        raise ParseError(f'"{key}" is not a date: {str(value)[:40]!r}.')
    return parsed
