"""Pages of repeated records — forum threads, comment lists, blog index pages — and which record
is the article.

A record is one of several sibling elements of the same kind (tag and class) that each carried
their own header line ("风吹麦浪88 发表于 …", "jane posted on …", a date): every post of a
thread, every comment, every entry of an index. Readers keep them all, and a page of forty
replies is then read as one article forty times too long. The article is the record holding the
headline; when the headline stands outside every record, it is the text outside them (the
records are its comments) or, if there is hardly any, the first record (the thread's question,
the index's newest entry).
"""
from __future__ import annotations

from lxml.html import HtmlElement

from feedsvc.ingest.bodyfeatures import weighted_length
from feedsvc.ingest.htmlunits import Unit

_MIN_RECORDS = 3
_MIN_SIBLINGS = 3  # elements of one kind under one parent before they are a list of records
# Text outside the records that makes them the article's comments rather than the page.
_ARTICLE_OUTSIDE = 200


def keep_one_record(units: list[Unit], header_parents: list[HtmlElement],
                    title_element: HtmlElement | None) -> list[Unit]:
    """``units`` without the records that are not the article (unchanged on other pages)."""
    records = {id(r): r for r in (_record_of(p) for p in header_parents) if r is not None}
    if len(records) < _MIN_RECORDS:
        return units
    record_of_unit = [_enclosing(u.element if u.element is not None else u.parent, records) for u in units]
    primary = _enclosing(title_element, records) if title_element is not None else None
    if primary is None:
        outside = sum(weighted_length(u.text) for u, r in zip(units, record_of_unit) if r is None)
        if outside < _ARTICLE_OUTSIDE:
            primary = next((r for r in record_of_unit if r is not None), None)
    return [u for u, r in zip(units, record_of_unit) if r is None or r is primary]


def _signature(element: HtmlElement) -> tuple[str, str]:
    # The first class names the kind ("post first", "post odd" are both posts).
    classes = (element.get("class") or "").split()
    return element.tag, classes[0] if classes else ""


def _record_of(element: HtmlElement | None) -> HtmlElement | None:
    """The nearest ancestor-or-self that is one of several like siblings."""
    while element is not None and element.getparent() is not None:
        parent = element.getparent()
        if parent.tag in ("body", "html"):
            return None
        signature = _signature(element)
        if sum(1 for sibling in parent if isinstance(sibling.tag, str) and _signature(sibling) == signature) >= _MIN_SIBLINGS:
            return element
        element = parent
    return None


def _enclosing(element: HtmlElement | None, records: dict[int, HtmlElement]) -> HtmlElement | None:
    while element is not None:
        if id(element) in records:
            return element
        element = element.getparent()
    return None
