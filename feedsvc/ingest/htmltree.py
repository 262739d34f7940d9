"""Loading a saved page into a tree every reader can share, with what no reader should see removed."""
from __future__ import annotations

import re

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from feedsvc.ingest.article import ParseError
from feedsvc.sanitize import strip_control_chars

# lxml refuses a str that still declares a byte encoding; we have decoded it already.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# A numeric character reference, its semicolon optional as HTML parsers have it.
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
# Never text a reader sees. Forms are kept: ASP.NET pages wrap the whole page in one.
_INVISIBLE = (
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed",
    "canvas", "select", "option", "textarea", "input", "button", "head/link", "map",
)
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)", re.I)
# A <noscript> holding this much text while the rest of the body holds less is the page itself.
_NOSCRIPT_PAGE = 200
# Microsoft Office's namespaced tags (<o:p>, <st1:place>, <v:shape>) wrap ordinary text.
_OFFICE_PREFIXES = ("o:", "st1:", "st2:", "w:", "v:", "m:")


def load_tree(text: str) -> HtmlElement:
    """Parse a decoded page into a cleaned lxml tree (the <head> kept for its metadata)."""
    try:
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (lxml.etree.ParserError, ValueError):
        raise ParseError("The HTML page could not be read.") from None
    if _may_bring_back_forbidden_characters(text):
        _strip_forbidden_characters(tree)
    return tree


def _may_bring_back_forbidden_characters(text: str) -> bool:
    """Whether the page holds a character XML forbids, or a reference (&#1;) that lxml turns into one.

    Most pages hold neither, and cleaning every text and tail of their tree was a twentieth of
    parsing them; false alarms only cost that walk.
    """
    if strip_control_chars(text) != text:
        return True
    for hexadecimal, decimal in _CHARACTER_REFERENCE.findall(text):
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        if code > 0x10FFFF or strip_control_chars(chr(code)) != chr(code):
            return True
    return False


def clean_tree(tree: HtmlElement) -> HtmlElement:
    """Drop comments, scripts, hidden elements and Office markup; keep every visible word.

    A comment's or a dropped element's tail is text of its parent and stays: React renders
    ``text<!-- -->more``, and losing the tail cut a lead paragraph to its first word.
    """
    for node in tree.xpath("//comment()|//processing-instruction()"):
        _drop_keeping_tail(node)
    _unwrap_noscript_pages(tree)
    for element in tree.xpath("|".join(f"//{tag}" for tag in _INVISIBLE)):
        _drop_keeping_tail(element)
    for element in tree.xpath("//*[@hidden]|//*[@style]"):
        if element.get("hidden") is not None or _HIDDEN_STYLE.search(element.get("style") or ""):
            _drop_keeping_tail(element)
    for element in [e for e in tree.iter() if isinstance(e.tag, str) and e.tag.startswith(_OFFICE_PREFIXES)]:
        element.drop_tag()
    return tree


def _unwrap_noscript_pages(tree: HtmlElement) -> None:
    """Keep <noscript> content when it is the page: script-rendered sites put their whole text
    there for readers without scripts, and nothing outside it."""
    blocks = tree.xpath("//noscript")
    if not blocks:
        return
    inside = sum(len(" ".join(b.text_content().split())) for b in blocks)
    outside = len(" ".join(tree.xpath("string(//body)").split())) - inside
    if inside >= _NOSCRIPT_PAGE and outside < _NOSCRIPT_PAGE:
        for block in blocks:
            block.drop_tag()


def _drop_keeping_tail(node) -> None:
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail
    previous = node.getprevious()
    parent.remove(node)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _strip_forbidden_characters(tree: HtmlElement) -> None:
    # Character references (&#1;, &#xFFFE;) put back the characters parse_bytes stripped, and
    # lxml refuses to store a string holding one, so drop_tree() and .text = would raise.
    for element in tree.iter():
        if element.text:
            element.text = strip_control_chars(element.text)
        if element.tail:
            element.tail = strip_control_chars(element.tail)
