"""The feed formats we serve, one entry each (pure).

URL rules, the pages' autodiscovery links and feed list, OPML, WebSub pings and rendering all
read this list, so a new format is one entry here (and its renderer in feeds/render.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Callable

from .render import (
    ATOM_MEDIA_TYPE, JSON_FEED_MEDIA_TYPE, RSS_MEDIA_TYPE, FeedEntry, FeedMeta, render_atom,
    render_json_feed, render_rss,
)


@dataclass(frozen=True)
class FeedFormat:
    """One format: how code, URLs and readers name it, and what writes it."""

    name: str  # in code, templates and cache keys: "rss"
    label: str  # what readers see: "RSS"
    file_name: str  # a feed URL's last segment: "rss.xml"
    media_type: str  # without parameters, as autodiscovery links and self links give it
    renderer: Callable[..., bytes]  # (meta, entries, *, full) -> the document's bytes
    opml_type: str  # an OPML outline's type; readers take Atom under "rss" too

    @property
    def content_type(self) -> str:
        """The Content-Type a response carries: the media type in UTF-8."""
        return f"{self.media_type}; charset=utf-8"


FORMATS: tuple[FeedFormat, ...] = (
    FeedFormat("rss", "RSS", "rss.xml", RSS_MEDIA_TYPE, render_rss, "rss"),
    FeedFormat("atom", "Atom", "atom.xml", ATOM_MEDIA_TYPE, render_atom, "rss"),
    FeedFormat("json", "JSON", "feed.json", JSON_FEED_MEDIA_TYPE, render_json_feed, "json"),
)
BY_NAME = {f.name: f for f in FORMATS}
BY_FILE_NAME = {f.file_name: f for f in FORMATS}
CONTENT_TYPES = {f.name: f.content_type for f in FORMATS}


def render(fmt: str, meta: FeedMeta, entries: Iterable[FeedEntry], *, full: bool = True) -> bytes:
    """Render ``entries`` as ``fmt`` ('rss', 'atom' or 'json'); CONTENT_TYPES gives its type."""
    try:
        feed_format = BY_NAME[fmt]
    except KeyError:
        raise ValueError(f"unknown feed format {fmt!r}; expected one of {sorted(BY_NAME)}") from None
    return feed_format.renderer(meta, entries, full=full)
