"""Feed documents from plain values: RSS 2.0, Atom 1.0 and JSON Feed 1.1, as bytes.

Knows nothing of the web or the database: the caller passes absolute URLs, aware datetimes and
entries already in the order they should appear (newest first). Which formats we serve, under
which names and files, is feeds/formats.py.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from datetime import datetime, timedelta, timezone

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..sanitize import is_safe_url, strip_control_chars

RSS_MEDIA_TYPE = "application/rss+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"  # RFC 4287
JSON_FEED_MEDIA_TYPE = "application/feed+json"  # JSON Feed 1.1
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
UNTITLED = "(untitled)"

_ATOM_NS = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# RFC 4287 Appendix B, atomLanguageTag; anything else would make the Atom document invalid.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


def _require_aware(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, datetime):
            raise ValueError(
                f"{type(obj).__name__}.{name} must be a datetime, got {value!r}"
            )
        if value.utcoffset() is None:
            where = f"{type(obj).__name__}.{name}"
            raise ValueError(f"{where} must be timezone-aware, got naive {value.isoformat()}")


def _require_text(obj: object, *names: str) -> None:
    for name in names:
        # Checked as it will be written, without the characters XML forbids.
        if not strip_control_chars(getattr(obj, name) or "").strip():
            raise ValueError(f"{type(obj).__name__}.{name} must not be empty")


@dataclass(frozen=True)
class FeedMeta:
    """The feed as a whole; URLs absolute, ``updated`` timezone-aware."""

    id: str
    title: str
    link: str
    self_url: str
    updated: datetime
    subtitle: str = ""
    language: str | None = None
    generator: str = "feedsvc"
    hub_url: str | None = None
    first_url: str | None = None
    next_url: str | None = None
    prev_url: str | None = None
    last_url: str | None = None
    icon: str | None = None
    logo: str | None = None
    author: str | None = None
    rights: str | None = None

    def __post_init__(self) -> None:
        _require_text(self, "id", "title", "link", "self_url")
        _require_aware(self, "updated")


@dataclass(frozen=True)
class FeedEntry:
    """One article; ``summary`` is plain text, ``content_html`` already sanitized."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    author: str | None = None
    categories: tuple[str, ...] = ()
    summary: str = ""
    content_html: str = ""
    original_url: str | None = None
    source_name: str | None = None
    lang: str | None = None

    def __post_init__(self) -> None:
        _require_text(self, "id", "link")
        _require_aware(self, "published", "updated")
        object.__setattr__(self, "categories", tuple(self.categories))


def _scrubbed(obj):
    """``obj`` with XML-forbidden characters removed from every string (itself when it has none)."""
    changes = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        # Removing only shortens, so an unchanged length means nothing was removed.
        if isinstance(value, str):
            clean = strip_control_chars(value)
            if len(clean) != len(value):
                changes[f.name] = clean
        elif isinstance(value, tuple):
            clean = tuple(strip_control_chars(v) for v in value)
            if clean != value:
                changes[f.name] = clean
    return replace(obj, **changes) if changes else obj


def _writable(moment: datetime) -> datetime:
    """``moment`` as feeds can write it: its own offset if whole minutes within 14 hours, else UTC."""
    offset = moment.utcoffset()
    # zoneinfo gives pre-1901 local mean time to the second (Asia/Shanghai +08:05:43), which
    # neither RFC 3339 nor RFC 2822 can express; xsd:dateTime stops at +-14:00.
    if offset % timedelta(minutes=1) or abs(offset) > timedelta(hours=14):
        return moment.astimezone(timezone.utc)
    return moment


def _language_tag(value: str | None) -> str | None:
    if not value:
        return None
    tag = value.strip().replace("_", "-")
    return tag if _LANGUAGE_TAG.fullmatch(tag) else None


@dataclass(frozen=True)
class _Item:
    """An entry reduced to what every format writes."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    author: str | None
    categories: tuple[str, ...]
    summary: str
    body_html: str
    original_url: str | None
    source_label: str | None
    lang: str | None


def _prepare(entry: FeedEntry, full: bool) -> _Item:
    entry = _scrubbed(entry)
    original = entry.original_url.strip() if is_safe_url(entry.original_url) else None
    source_label = ((entry.source_name or "").strip() or original) if original else None
    body = ""
    if full:
        body = entry.content_html
        if not body and entry.summary:
            body = f"<p>{html.escape(entry.summary)}</p>"
        if original:
            body += (
                f'<p class="original">原文 / Original: '
                f'<a href="{html.escape(original)}">{html.escape(source_label)}</a></p>'
            )
    return _Item(
        id=entry.id,
        # Atom requires a non-empty title and feedgen refuses an empty one; a title made only
        # of control characters must not take the whole feed down.
        title=entry.title.strip() or UNTITLED,
        link=entry.link,
        published=_writable(entry.published),
        updated=_writable(entry.updated),
        author=(entry.author or "").strip() or None,
        categories=tuple(c.strip() for c in entry.categories if c.strip()),
        summary=entry.summary,
        body_html=body,
        original_url=original,
        source_label=source_label,
        lang=_language_tag(entry.lang),
    )


class _RssChannelLinks(BaseExtension):
    """atom:link elements for an RSS channel beyond rel="self", which is all feedgen writes."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"atom": _ATOM_NS}

    def extend_rss(self, rss_feed):
        channel = rss_feed.find("channel")
        for rel, href in self.links:
            etree.SubElement(channel, f"{{{_ATOM_NS}}}link", rel=rel, href=href)
        return rss_feed


class _AtomEntryRepairs(BaseEntryExtension):
    """What feedgen leaves out of an Atom entry: xml:lang, and the attributes of its links."""

    def __init__(self) -> None:
        self.lang: str | None = None
        self.links: list[dict] = []

    def extend_atom(self, entry):
        if self.lang:
            entry.attrib[_XML_LANG] = self.lang
        # feedgen 1.0.0 FeedEntry.atom_entry() rebinds its loop variable and so writes each
        # entry link with its href only; restore rel, type and title, in the order added.
        for element, data in zip(entry.findall("link"), self.links):
            for key in ("rel", "type", "title"):
                if data.get(key):
                    element.attrib[key] = data[key]
        return entry


def _paging_links(meta: FeedMeta) -> list[tuple[str, str]]:
    # RFC 5005 section 3 names the relations "first", "last", "previous" and "next"; "prev"
    # is its registered synonym (IANA link relations), which some readers look for instead.
    pairs = [
        ("first", meta.first_url), ("previous", meta.prev_url), ("prev", meta.prev_url),
        ("next", meta.next_url), ("last", meta.last_url), ("hub", meta.hub_url),
    ]
    return [(rel, href) for rel, href in pairs if href]


def _base_generator(meta: FeedMeta) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(meta.id)
    fg.title(meta.title)
    fg.updated(_writable(meta.updated))
    fg.generator(meta.generator or "feedsvc")
    language = _language_tag(meta.language)
    if language:
        fg.language(language)
    if meta.rights:
        fg.rights(meta.rights)
    if meta.logo:
        fg.logo(meta.logo)
    return fg


def _add_entry(fg: FeedGenerator, item: _Item, *, summary: str):
    fe = fg.add_entry(order="append")  # feedgen prepends by default; keep the caller's order
    fe.id(item.id)
    fe.title(item.title)
    fe.link(href=item.link, rel="alternate", type="text/html")
    if item.original_url:
        fe.link(href=item.original_url, rel="via", title=item.source_label)
    fe.published(item.published)
    fe.updated(item.updated)
    if item.categories:
        fe.category([{"term": c} for c in item.categories])
    if summary:
        fe.summary(summary)
    if item.body_html:
        fe.content(item.body_html, type="html")
    return fe


def render_rss(meta: FeedMeta, entries: Iterable[FeedEntry], *, full: bool = True) -> bytes:
    """The RSS 2.0 document for ``meta`` and ``entries``, UTF-8 encoded."""
    return _assembled(_rss_document(_scrubbed(meta), ()), b"</channel>",
                      [_entry_xml("rss", entry, full) for entry in entries])


def render_atom(meta: FeedMeta, entries: Iterable[FeedEntry], *, full: bool = True) -> bytes:
    """The Atom 1.0 (RFC 4287) document for ``meta`` and ``entries``, UTF-8 encoded."""
    return _assembled(_atom_document(_scrubbed(meta), ()), b"</feed>",
                      [_entry_xml("atom", entry, full) for entry in entries])


# feedgen writes entries last in their parent, each under the root's namespaces: a document is
# its head (rendered without entries) with each entry's XML, rendered alone by feedgen and kept,
# before the parent's end tag (issue 11). Keyed by the entry's values, a changed article is a new
# key; 1,024 entries of 5-10 KB with their keys are 10-20 MB a process, as the feeds' own cache.
_ENTRY_CACHE_SIZE = 1024
_FRAGMENT_META = FeedMeta(id="urn:feedsvc:fragment", title="fragment", link="https://fragment.invalid/",
                          self_url="https://fragment.invalid/feed", updated=datetime(2000, 1, 1, tzinfo=timezone.utc))


def _assembled(head: bytes, end_tag: bytes, parts: list[bytes]) -> bytes:
    cut = head.rindex(end_tag)
    return b"".join([head[:cut], *parts, head[cut:]])


@lru_cache(maxsize=_ENTRY_CACHE_SIZE)
def _entry_xml(fmt: str, entry: FeedEntry, full: bool) -> bytes:
    """One entry's XML as feedgen writes it in a ``fmt`` ("rss" or "atom") document."""
    if fmt == "rss":
        document, start, end = _rss_document(_FRAGMENT_META, (_prepare(entry, full),)), b"<item>", b"</item>"
    else:
        document, start, end = _atom_document(_FRAGMENT_META, (_prepare(entry, full),)), b"<entry", b"</entry>"
    return document[document.index(start):document.rindex(end) + len(end)]


def _rss_document(meta: FeedMeta, items: Iterable[_Item]) -> bytes:
    """feedgen's RSS 2.0 document of ``meta`` (scrubbed) and prepared ``items``."""
    fg = _base_generator(meta)
    fg.description(meta.subtitle or meta.title)
    fg.load_extension("dc", atom=False, rss=True)
    fg.register_extension("feedsvc_links", _RssChannelLinks, None, atom=False, rss=True)
    fg.feedsvc_links.links = _paging_links(meta)
    fg.link(href=meta.self_url, rel="self", type=RSS_MEDIA_TYPE)
    # feedgen takes the channel <link> from the last link added.
    fg.link(href=meta.link, rel="alternate")
    for item in items:
        # RSS descriptions are read as HTML (RSS Best Practices Profile), so plain text is escaped.
        fe = _add_entry(fg, item, summary=html.escape(item.summary, quote=False))
        if item.author:
            # <author> must be an e-mail address; Dublin Core carries a bare name.
            fe.dc.dc_creator(item.author)
        if item.lang:
            fe.dc.dc_language(item.lang)
        if item.original_url:
            fe.source(url=item.original_url, title=item.source_label)
    return fg.rss_str()


def _atom_document(meta: FeedMeta, items: Iterable[_Item]) -> bytes:
    """feedgen's Atom 1.0 document of ``meta`` (scrubbed) and prepared ``items``."""
    fg = _base_generator(meta)
    if meta.subtitle:
        fg.subtitle(meta.subtitle)
    if meta.icon:
        fg.icon(meta.icon)
    # RFC 4287 4.1.1: a feed needs an author unless every entry has one; the site stands in.
    fg.author(name=(meta.author or "").strip() or meta.title)
    fg.link(href=meta.link, rel="alternate", type="text/html")
    fg.link(href=meta.self_url, rel="self", type=ATOM_MEDIA_TYPE)
    for rel, href in _paging_links(meta):
        fg.link(href=href, rel=rel)
    for item in items:
        fe = _add_entry(fg, item, summary=item.summary)
        if item.author:
            fe.author(name=item.author)
        fe.register_extension("feedsvc_repairs", _AtomEntryRepairs, atom=True, rss=False)
        fe.feedsvc_repairs.lang = item.lang
        fe.feedsvc_repairs.links = fe.link()
    return fg.atom_str()


def _json_item(item: _Item) -> dict:
    data = {"id": item.id, "url": item.link, "title": item.title}
    if item.original_url:
        data["external_url"] = item.original_url
    # JSON Feed 1.1 requires content_html or content_text in every item.
    if item.body_html:
        data["content_html"] = item.body_html
    else:
        data["content_text"] = item.summary
    if item.summary:
        data["summary"] = item.summary
    data["date_published"] = item.published.isoformat()
    data["date_modified"] = item.updated.isoformat()
    if item.author:
        data["authors"] = [{"name": item.author}]
    if item.categories:
        data["tags"] = list(item.categories)
    if item.lang:
        data["language"] = item.lang
    return data


def render_json_feed(
    meta: FeedMeta, entries: Iterable[FeedEntry], *, full: bool = True
) -> bytes:
    """The JSON Feed 1.1 document for ``meta`` and ``entries``, UTF-8 encoded."""
    meta = _scrubbed(meta)
    doc = {
        "version": JSON_FEED_VERSION,
        "title": meta.title,
        "home_page_url": meta.link,
        "feed_url": meta.self_url,
    }
    if meta.subtitle:
        doc["description"] = meta.subtitle
    if meta.next_url:
        doc["next_url"] = meta.next_url
    # Atom's logo is the large image and its icon the small one; JSON Feed calls them icon/favicon.
    if meta.logo:
        doc["icon"] = meta.logo
    if meta.icon:
        doc["favicon"] = meta.icon
    if meta.author and meta.author.strip():
        doc["authors"] = [{"name": meta.author.strip()}]
    language = _language_tag(meta.language)
    if language:
        doc["language"] = language
    if meta.hub_url:
        doc["hubs"] = [{"type": "WebSub", "url": meta.hub_url}]
    doc["items"] = [_json_item(_prepare(entry, full)) for entry in entries]
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")

