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


# ISO 639-1 codes, and the 639-3 ones Chinese pages declare: a language tag must name a language.
_ISO_639_1 = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da "
    "de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz "
    "ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln "
    "lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi "
    "pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti "
    "tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu".split()
)
_ISO_639_3 = {
    **dict.fromkeys("zho chi cmn yue wuu hak nan gan".split(), "zh"), "eng": "en", "fra": "fr",
    "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "jpn": "ja", "kor": "ko", "rus": "ru",
    "por": "pt", "ita": "it", "ara": "ar",
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
    """The primary language subtag of a tag like "zh-CN" or "en_US", lower-cased; None for
    what is no language (``Content-Language: utf-8``, ``x-default``)."""
    primary = re.split(r"[-_]", (value or "").strip())[0].lower()
    return primary if primary in _ISO_639_1 else _ISO_639_3.get(primary)


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
