"""The value every extractor produces: one article as read from a file, before it is stored."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime


class ParseError(ValueError):
    """A file holds no article we can use; the message is one line, fit to show a user."""


@dataclass
class ParsedArticle:
    """One article as extracted from a file.

    ``published`` is an aware ``datetime`` when the file gives a time, a ``date``
    when it gives only a day (the store resolves that in the site's time zone),
    or ``None``.  ``text`` is plain text with paragraphs separated by a blank line;
    ``html`` is safe HTML of the body (never the page's chrome): sanitized, or escaped text in
    ``<p>`` elements; complete_article sanitizes it once more, against the article's own URL.
    """

    title: str
    text: str
    html: str | None = None
    author: str | None = None
    author_affiliation: str | None = None
    editor: str | None = None  # the site's editor (责任编辑), never the author
    source_name: str | None = None
    site_name: str | None = None
    published: datetime | date | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    original_url: str | None = None
    canonical_url: str | None = None
    summary: str | None = None
    summary_generated: bool = False
    lang: str | None = None
    format: str | None = None
    encoding: str | None = None

    def to_json(self) -> dict:
        """Plain JSON-able dict; ``published`` as ISO 8601 (a bare date stays a date)."""
        data = dataclasses.asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data
