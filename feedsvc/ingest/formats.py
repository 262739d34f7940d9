"""The file formats the importer reads: one list that parsing, folder scans and uploads all ask.

Adding a format is one entry here: its name, the suffixes that name it, a label for people and
the function that reads its text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from importlib import import_module
from pathlib import PurePath

from feedsvc.ingest.article import ParsedArticle


@dataclass(frozen=True)
class ImportFormat:
    """One kind of article file; its reader is imported when a file of the kind is read.

    (Reading a text dump need not load lxml, trafilatura and readability: ``feedsvc parse``
    of a dump starts in a fraction of the time.)
    """

    name: str
    label: str
    suffixes: tuple[str, ...]
    reader: str  # "module:function"; the function takes (decoded text, *, tz)
    many: bool = False  # the function returns a list of articles rather than one

    def read(self, text: str, *, tz: tzinfo) -> list[ParsedArticle]:
        """The articles in a file's decoded text."""
        module, function = self.reader.split(":")
        found = getattr(import_module(module), function)(text, tz=tz)
        return found if self.many else [found]


FORMATS: tuple[ImportFormat, ...] = (
    ImportFormat("text", "text dumps", (".txt", ".text"), "feedsvc.ingest.textdump:parse_text_dump"),
    ImportFormat("html", "saved HTML pages", (".html", ".htm", ".xhtml", ".shtml"),
                 "feedsvc.ingest.htmlpage:parse_html_page"),
    ImportFormat("markdown", "Markdown", (".md", ".markdown"), "feedsvc.ingest.markdown:parse_markdown"),
    ImportFormat("json", "JSON", (".json",), "feedsvc.ingest.jsondoc:parse_json", many=True),
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
