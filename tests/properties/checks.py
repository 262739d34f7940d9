"""Assertions shared by the property tests."""
from __future__ import annotations

import re
import lxml.html

# XML 1.0 section 2.2: the characters no document may contain.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
UNSAFE_ELEMENTS = {"script", "style", "iframe", "object", "embed", "svg", "math", "form", "base",
                   "meta", "link", "template", "noscript"}
URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "srcset", "background", "xlink:href"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
# Browsers drop these before reading a URL's scheme (WHATWG URL: C0 controls and space
# at the ends, tab and newline anywhere), so "java\tscript:" still runs.
_URL_EDGES = re.compile("^[\x00-\x20]+|[\x00-\x20]+$")
_URL_NOISE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def assert_one_line_message(exc: Exception) -> None:
    """A ParseError's message is shown to a user as one line."""
    message = str(exc)
    assert message.strip(), f"empty message from {exc!r}"
    assert len(message.splitlines()) == 1, repr(message)


def assert_safe_html(markup: str) -> None:
    """No element, event handler or URL in ``markup`` can run script."""
    assert "<script" not in markup.lower()
    if not markup.strip():
        return
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        assert element.tag.lower() not in UNSAFE_ELEMENTS, markup
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, markup)
            assert name.lower() != "style", markup
            if name.lower() in URL_ATTRIBUTES:
                scheme = _SCHEME.match(_URL_NOISE.sub("", _URL_EDGES.sub("", value)))
                scheme = scheme.group(1).lower() if scheme else ""
                assert scheme in SAFE_SCHEMES, (name, value, markup)
