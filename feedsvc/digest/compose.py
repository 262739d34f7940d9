"""What a digest says, as plain values: the items of one edition for one topic set."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class DigestItem:
    """One article as a digest shows it; URLs absolute, ``published`` aware."""

    title: str
    url: str  # our reading page
    published: datetime
    summary: str
    original_url: str | None = None
    source_name: str | None = None
    category: str | None = None
    day: date | None = None  # the day alone, when the article gave no time (shown instead)


@dataclass(frozen=True)
class DigestContent:
    """One edition's content, shared by every subscriber with the same topics and language."""

    site_name: str
    site_url: str
    edition_date: date
    language: str  # 'zh-CN' or 'en'
    timezone: str  # IANA name; item dates are shown in it
    items: tuple[DigestItem, ...]
    # The general edition of this date on the web (the same for every reader of this language):
    # the mail's "View in browser" link; None shows no link (a page is already in the browser).
    archive_url: str | None = None
    weekly: bool = False  # a weekly edition (issue 12): its own subject, intro and footer


def compose_items(items: list[DigestItem]) -> tuple[DigestItem, ...]:
    """Newest first, each story once (the same reading page or original link is one story)."""
    seen: set[str] = set()
    chosen = []
    for item in sorted(items, key=lambda i: i.published, reverse=True):
        keys = {item.url} | ({item.original_url} if item.original_url else set())
        if keys & seen:
            continue
        seen |= keys
        chosen.append(item)
    return tuple(chosen)
