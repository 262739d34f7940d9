"""Making untrusted text and HTML safe to store, show, syndicate and mail; typed input made clean."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import nh3

# XML 1.0 allows only #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
# (https://www.w3.org/TR/xml/#charsets); anything else makes a feed or page ill-formed.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# What no typed field of ours takes (issue 14): C0 controls but tab, line feed and carriage
# return, DEL and C1. Requests carrying them are refused before any query sees them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "li", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# What separates the items of a typed list: "a, b，c、d; e" (ASCII and full-width forms).
_LIST_SEPARATORS = re.compile("[,，、;；]")
_URL_ATTRIBUTES = {("a", "href"), ("img", "src"), ("q", "cite"), ("blockquote", "cite")}


def strip_control_chars(text: str) -> str:
    """Remove the characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/U+FFFF)."""
    return _XML_FORBIDDEN.sub("", text)


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a character no field takes (NUL, escape, C1 controls …)."""
    return bool(_CONTROL.search(value))


def clean_line(value: str) -> str:
    """One line of plain text: control characters dropped, whitespace collapsed."""
    return " ".join(strip_control_chars(value or "").split())


def clean_text(value: str) -> str:
    """Plain text keeping its paragraphs (blank lines), control characters dropped."""
    text = strip_control_chars((value or "").replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = (" ".join(p.split()) for p in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def split_list(value: str) -> list[str]:
    """The items of a typed list (tags, topics), each a clean line, in order, without blanks or repeats."""
    return list(dict.fromkeys(item for item in map(clean_line, _LIST_SEPARATORS.split(value or "")) if item))


def spreadsheet_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one starting with = + - @ tab or CR gets a ``'``.

    Spreadsheets run such cells as formulas (``=1+1@example.com`` is a valid address);
    OWASP's "CSV Injection" advice is this prefix, which they hide and keep as text.
    """
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA_STARTS else text


def from_spreadsheet_cell(text: str) -> str:
    """The value of a cell spreadsheet_cell wrote: its ``'`` prefix taken off again."""
    return text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_STARTS else text


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Return ``html`` with scripts, event handlers, styles and unsafe URLs removed.

    Relative links and image sources are made absolute against ``base_url`` when one is
    given, so the HTML reads the same in a feed reader or a mail client as on the page.
    """
    if not html:
        return ""

    def absolutise(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) not in _URL_ATTRIBUTES:
            return value
        value = value.strip()
        if base_url and not urlsplit(value).scheme and not value.startswith("#"):
            value = urljoin(base_url, value)
        return value

    cleaned = nh3.clean(
        strip_control_chars(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=absolutise,
        strip_comments=True,
    )
    return strip_control_chars(cleaned)


def is_safe_url(url: str | None) -> bool:
    """True for an absolute http(s) URL, the only kind we link to as an original source."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)
