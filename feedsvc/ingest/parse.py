"""Bytes of a file -> the article(s) in it.  Pure: no database, no web."""
from __future__ import annotations

import re
from datetime import tzinfo
from os import PathLike
from pathlib import Path, PurePath

from feedsvc.ingest.article import ParseError, ParsedArticle
from feedsvc.ingest.encoding import decode_bytes
from feedsvc.ingest.htmlpage import parse_html_page
from feedsvc.ingest.jsondoc import parse_json
from feedsvc.ingest.markdown import FRONT_MATTER, parse_markdown
from feedsvc.ingest.textdump import parse_text_dump
from feedsvc.sanitize import strip_control_chars
from feedsvc.text.lang import detect_lang

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_EXTENSIONS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".md": "markdown", ".markdown": "markdown",
    ".json": "json",
}
# The comment loop is possessive: backtracking into it made "<!---->" * n take 2**n steps.
_HTML_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*+<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(r"<(?:p|div|article|section|h1|meta|title|span|a)\b[^>]*>", re.I)
_MARKDOWN_HEADING = re.compile(r"\A\s*#{1,2} \S")


def parse_bytes(
    data: bytes, filename: str, *, tz: tzinfo, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ParsedArticle]:
    """Parse the article(s) in a file's bytes; raise ParseError if there are none."""
    if len(data) > max_bytes:
        raise ParseError(f"The file is too large ({_megabytes(len(data))}; the limit is {_megabytes(max_bytes)}).")
    text, encoding = decode_bytes(data)
    text = strip_control_chars(text.lstrip("\ufeff")).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ParseError("The file is empty.")
    kind = _EXTENSIONS.get(PurePath(filename).suffix.lower()) or sniff_format(text)
    if kind == "json":
        articles = parse_json(text, tz=tz)
    elif kind == "html":
        articles = [parse_html_page(text, tz=tz)]
    elif kind == "markdown":
        articles = [parse_markdown(text, tz=tz)]
    else:
        articles = [parse_text_dump(text, tz=tz)]
    for article in articles:
        article.format = kind
        article.encoding = encoding
        article.lang = article.lang or detect_lang(f"{article.title}\n{article.text}")
    return articles


def parse_file(
    path: str | PathLike, *, tz: tzinfo, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ParsedArticle]:
    """Read a file and parse the article(s) in it."""
    path = Path(path)
    # Checked before reading so a huge file is never loaded into memory.
    if path.stat().st_size > max_bytes:
        raise ParseError(f"The file is too large ({_megabytes(path.stat().st_size)}; the limit is {_megabytes(max_bytes)}).")
    return parse_bytes(path.read_bytes(), path.name, tz=tz, max_bytes=max_bytes)


def sniff_format(text: str) -> str:
    """Guess 'json', 'html', 'markdown' or 'text' from a file's content."""
    stripped = text.strip()
    if stripped[:1] + stripped[-1:] in ("{}", "[]"):
        return "json"
    if _HTML_START.match(text) or len(_HTML_TAGS.findall(text[:4096])) >= 5:
        return "html"
    if FRONT_MATTER.match(text) or _MARKDOWN_HEADING.match(text):
        return "markdown"
    return "text"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
