"""A page's body as a sequence of units: the paragraphs, headings, lists and tables a reader sees.

Every reader of the page (ours and the libraries') votes on these units, so their verdicts can be
compared and combined one paragraph at a time, and the article is rebuilt from the page's own
markup whichever reader found it.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import lxml.html
from lxml.html import HtmlElement

_CONTAINERS = frozenset(
    "html body div section article main header footer aside nav form fieldset center details "
    "td th tr tbody thead tfoot li dd dt span font".split()
)
# Units of their own; lists, tables, quotes and figures too unless they hold a page layout.
_ATOMIC = frozenset("p h1 h2 h3 h4 h5 h6 pre address figcaption caption summary".split())
_GROUPS = frozenset("ul ol dl table blockquote figure".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_LAYOUT_INSIDE = ".//table|.//div|.//p|.//section|.//article|.//h1|.//h2|.//h3"
_LONG_CELL = 300  # characters: a cell holding more is a page region, not a value
_PROSE_CELL = 80  # a cell this long with two sentences is text too
_BLOCKS = _CONTAINERS - {"span", "font"} | _ATOMIC | _GROUPS | {"hr", "br", "dl", "dt"}
_SPACE = re.compile(r"\s+")
_EDGE = " \t\r\n\u3000\xa0\u2002\u2003\u200b\ufeff"


@dataclass
class Unit:
    """One paragraph-like piece of the page, in document order."""

    index: int
    text: str  # the visible text, whitespace collapsed
    html: str  # the unit's own markup (loose text wrapped in <p>)
    tag: str  # the element's tag, "p" for loose text
    link_chars: int  # characters of text inside links
    parent: HtmlElement  # the container the unit sits in
    element: HtmlElement | None = None  # None for loose text between blocks
    images: int = 0

    @property
    def heading(self) -> bool:
        return self.tag in _HEADINGS

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


def page_units(body: HtmlElement) -> list[Unit]:
    """The units of a (cleaned) page body in document order."""
    units: list[Unit] = []
    _walk(body, units)
    return units


def _walk(element: HtmlElement, units: list[Unit]) -> None:
    loose: list = []  # text and inline elements between blocks
    if element.text:
        loose.append(element.text)
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is None:
            pass
        elif tag == "br" or tag == "hr":
            _flush(element, loose, units)
        elif tag in _ATOMIC or (tag in _GROUPS and not _holds_layout(child)):
            _flush(element, loose, units)
            _add(units, element, child)
        elif tag in _BLOCKS or (tag in _GROUPS):
            _flush(element, loose, units)
            _walk(child, units)
        elif _holds_blocks(child):
            _flush(element, loose, units)  # an inline element wrapping blocks (<a><div>…</div></a>)
            _walk(child, units)
        else:
            loose.append(child)
            continue  # an inline element's tail belongs with it
        if child.tail:
            loose.append(child.tail)
    _flush(element, loose, units)


def _holds_layout(element: HtmlElement) -> bool:
    """True for a list or table that lays out a page rather than holding one paragraph's data.

    Old portals set whole pages in tables: a table whose cells hold headlines, nested tables or
    long text is a layout; a data table's cells hold short values.
    """
    inner = element.xpath(_LAYOUT_INSIDE)
    if element.tag == "table" and any(n.tag in ("table", "h1", "h2") for n in inner):
        return True
    if element.tag == "table" and any(_holds_prose(cell) for cell in element.iter("td", "th")):
        return True
    heavy = [n for n in inner if len(_text(n)) > 80]
    return len(heavy) >= 3


def _holds_prose(cell: HtmlElement) -> bool:
    """A cell of running text (a page region), not a value: long, or sentences, or lines."""
    text = _text(cell)
    if len(text) > _LONG_CELL:
        return True
    sentences = sum(text.count(mark) for mark in "。！？") + len(re.findall(r"[.!?](?:\s|$)", text))
    return (len(text) > _PROSE_CELL and sentences >= 2) or sum(1 for _ in cell.iter("br")) >= 2


def _holds_blocks(element: HtmlElement) -> bool:
    return any(isinstance(d.tag, str) and d.tag in _BLOCKS and d.tag != "br" for d in element.iterdescendants())


def _flush(parent: HtmlElement, loose: list, units: list[Unit]) -> None:
    if not loose:
        return
    parts, text_parts, links, images = [], [], 0, 0
    for piece in loose:
        if isinstance(piece, str):
            parts.append(html.escape(piece, quote=False))
            text_parts.append(piece)
            continue
        parts.append(lxml.html.tostring(piece, encoding="unicode", with_tail=True))
        text_parts.append(piece.text_content() + (piece.tail or ""))
        links += sum(len(_text(a)) for a in piece.iter("a"))
        images += sum(1 for _ in piece.iter("img"))
    loose.clear()
    text = _SPACE.sub(" ", "".join(text_parts)).strip(_EDGE)
    if text or images:
        units.append(Unit(
            index=len(units), text=text, html="<p>" + "".join(parts).strip() + "</p>", tag="p",
            link_chars=links, parent=parent, images=images,
        ))


def _add(units: list[Unit], parent: HtmlElement, element: HtmlElement) -> None:
    text = _text(element)
    images = len(element.xpath(".//img"))
    if not text and not images:
        return
    links = sum(len(_text(a)) for a in element.iter("a"))
    units.append(Unit(
        index=len(units), text=text, html=lxml.html.tostring(element, encoding="unicode", with_tail=False),
        tag=element.tag, link_chars=links, parent=parent, element=element, images=images,
    ))


def _text(element: HtmlElement) -> str:
    if element.tag in ("table", "tr", "ul", "ol", "dl"):
        # Cells and items would otherwise run together ("Oaks300").
        pieces = [t for t in element.itertext()]
        return _SPACE.sub(" ", " ".join(pieces)).strip(_EDGE)
    return _SPACE.sub(" ", element.text_content()).strip(_EDGE)
