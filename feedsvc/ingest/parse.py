"""Bytes of a file -> the article(s) in it.  Pure: no database, no web."""
from __future__ import annotations

import re
from datetime import tzinfo

from feedsvc.ingest.article import ParsedArticle, ParseError
from feedsvc.ingest.encoding import decode_bytes
from feedsvc.ingest.formats import BY_NAME, format_for
from feedsvc.ingest.markdown import FRONT_MATTER
from feedsvc.ingest.settings import DEFAULT_MAX_BYTES
from feedsvc.sanitize import strip_control_chars
from feedsvc.text.lang import detect_lang

# The comment loop is possessive: backtracking into it made "<!---->" * n take 2**n steps.
_HTML_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*+<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(r"<(?:p|div|article|section|h1|meta|title|span|a)\b[^>]*>", re.I)
_MARKDOWN_HEADING = re.compile(r"\A\s*#{1,2} \S")


def parse_bytes(
    data: bytes, filename: str, *, tz: tzinfo, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ParsedArticle]:
    """Parse the article(s) in a file's bytes; raise ParseError if there are none."""
    check_size(len(data), max_bytes)
    text, encoding = decode_bytes(data)
    text = strip_control_chars(text.lstrip("\ufeff")).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ParseError("The file is empty.")
    kind = format_for(filename) or BY_NAME[sniff_format(text)]
    articles = kind.read(text, tz=tz)
    for article in articles:
        article.format = kind.name
        article.encoding = encoding
        article.lang = article.lang or detect_lang(f"{article.title}\n{article.text}")
    return articles


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


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file of ``size`` bytes when it is over the limit (checked before reading, where possible)."""
    if size > max_bytes:
        raise ParseError(f"The file is too large ({_megabytes(size)}; the limit is {_megabytes(max_bytes)}).")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
