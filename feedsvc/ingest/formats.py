"""The file formats the importer reads: one list that parsing, folder scans and uploads all ask.

Adding a format is one entry here: its name, the suffixes that name it, a label for people and
the function that reads its text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import PurePath
from typing import Callable

from feedsvc.ingest.article import ParsedArticle
from feedsvc.ingest.htmlpage import parse_html_page
from feedsvc.ingest.jsondoc import parse_json
from feedsvc.ingest.markdown import parse_markdown
from feedsvc.ingest.textdump import parse_text_dump


@dataclass(frozen=True)
class ImportFormat:
    """One kind of article file."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    read: Callable[..., list[ParsedArticle]]  # (decoded text, *, tz) -> the articles in it


def _one(parse: Callable[..., ParsedArticle]) -> Callable[..., list[ParsedArticle]]:
    def read(text: str, *, tz: tzinfo) -> list[ParsedArticle]:
        return [parse(text, tz=tz)]
    return read


FORMATS: tuple[ImportFormat, ...] = (
    ImportFormat("text", "text dumps", (".txt", ".text"), _one(parse_text_dump)),
    ImportFormat("html", "saved HTML pages", (".html", ".htm", ".xhtml", ".shtml"), _one(parse_html_page)),
    ImportFormat("markdown", "Markdown", (".md", ".markdown"), _one(parse_markdown)),
    ImportFormat("json", "JSON", (".json",), parse_json),
)
BY_NAME = {f.name: f for f in FORMATS}
_BY_SUFFIX = {suffix: f for f in FORMATS for suffix in f.suffixes}
SUFFIXES: tuple[str, ...] = tuple(_BY_SUFFIX)


def format_for(filename: str) -> ImportFormat | None:
    """The format a file name's suffix names, or None (then the content decides)."""
    return _BY_SUFFIX.get(PurePath(filename).suffix.lower())


def is_importable(filename: str) -> bool:
    """True for a file name whose suffix is one the importer reads."""
    return format_for(filename) is not None
