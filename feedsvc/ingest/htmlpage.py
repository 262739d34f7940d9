"""Saved HTML pages: the readers vote on the article's paragraphs (htmlbody), the page's own
metadata and its visible info line ("来源:X 时间:Y") fill in the rest."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import tzinfo
from urllib.parse import urljoin

from lxml.html import HtmlElement

from feedsvc.ingest import dates, infolines, people, sitelines
from feedsvc.ingest.article import ParseError, ParsedArticle
from feedsvc.ingest.blocks import html_to_paragraphs, join_paragraphs
from feedsvc.ingest.chrome import AFFILIATION, BREADCRUMB, END, INFO, WELCOME, Line, classify_line
from feedsvc.ingest.htmlbody import article_units, read_units
from feedsvc.ingest.htmlmeta import page_metadata
from feedsvc.ingest.htmltree import clean_tree, load_tree
from feedsvc.sanitize import is_safe_url, sanitize_html

# An element whose text is longer than this is a container, not an info line.
_MAX_LINE = 200
# Info lines outside the article are dropped whatever they say; inside it, only credits
# are (a "时间:" line there may be an event's time, part of the story).
_PAGE_INFO_FIELDS = {"source_name", "original_url", "author", "published", "editor"}
_CREDIT_FIELDS = {"source_name", "original_url", "author", "editor"}
_TITLE_MAX = 120


@dataclass
class PreparedPage:
    """A cleaned page with what it declares about itself and what its visible lines say."""

    tree: HtmlElement
    declared: dict
    visible: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str | None:
        return self.declared.get("base_url")


def prepare_page(text: str) -> PreparedPage:
    """Parse and clean a page, read its head, and take its visible info lines out of the body."""
    tree = load_tree(text)
    page = PreparedPage(tree=tree, declared=page_metadata(tree))
    clean_tree(tree)
    body = tree.find("body")
    if body is not None:
        _take_visible_lines(body, page.visible, page.base_url)
    return page


def declared_title(page: PreparedPage) -> str | None:
    """The title the page gives itself: og:title and friends, else <title> and <h1>."""
    declared = page.declared
    return _strip_site_name(declared.get("title"), declared.get("site_name")) or declared.get("page_title")


def parse_html_page(text: str, *, tz: tzinfo) -> ParsedArticle:
    """Extract the article from a saved HTML page."""
    page = prepare_page(text)
    declared, visible = page.declared, page.visible
    title = declared_title(page)
    units, info_lines = article_units(read_units(page.tree, title), title)
    for unit, line in info_lines:
        if line.data.keys() & _CREDIT_FIELDS:
            _remember(line, unit.element, visible, page.base_url)
    html = sanitize_html("\n".join(u.html for u in units), base_url=page.base_url)
    paragraphs = html_to_paragraphs(html)
    if not paragraphs:
        raise ParseError("No article found: the HTML page has no body text.")
    title = title or _first_heading(units) or _title_from_text(paragraphs[0])

    return ParsedArticle(
        title=title,
        text=join_paragraphs(paragraphs),
        html=html,
        author=people.clean_person(declared.get("author"))
        or people.join_names(visible.get("author", ""))
        or people.lead_byline(paragraphs[0]),
        author_affiliation=visible.get("author_affiliation"),
        source_name=visible.get("source_name") or declared.get("source_name"),
        site_name=declared.get("site_name") or visible.get("site_name"),
        published=dates.parse_date(declared.get("published"), tz)
        or dates.parse_date(visible.get("published"), tz),
        category=declared.get("category") or visible.get("category") or visible.get("section"),
        tags=declared.get("tags") or infolines.split_tags(visible.get("tags")),
        original_url=visible.get("original_url"),
        canonical_url=declared.get("canonical_url"),
        summary=declared.get("summary"),
        lang=declared.get("lang"),
    )


def _first_heading(units) -> str | None:
    for unit in units:
        if unit.heading and 0 < len(unit.text) <= _TITLE_MAX:
            return unit.text
    return None


def _title_from_text(paragraph: str) -> str:
    """A title for a page that names none: its first sentence, or the start of it."""
    first = re.split(r"(?<=[。！？!?])|(?<=\.)\s", paragraph, maxsplit=1)[0].strip()
    if len(first) <= _TITLE_MAX:
        return first
    cut = first[:_TITLE_MAX]
    return (cut.rsplit(" ", 1)[0] if " " in cut[40:] else cut) + "…"


def _take_visible_lines(parent: HtmlElement, found: dict[str, str], base_url: str | None) -> None:
    """Read and remove the info line, breadcrumb and original-link elements of the page."""
    for element in list(parent):
        if not isinstance(element.tag, str):
            continue
        text = " ".join(element.text_content().split())
        if not text:
            continue
        if len(text) > _MAX_LINE:
            _take_visible_lines(element, found, base_url)
            continue
        line = classify_line(text)
        if _is_page_metadata(line, _PAGE_INFO_FIELDS):
            _remember(line, element, found, base_url)
            element.drop_tree()
            continue
        if line.kind == END:
            site = sitelines.parse_copyright(text)
            if site:
                found.setdefault("site_name", site)
        _take_visible_lines(element, found, base_url)


def _is_page_metadata(line: Line, info_fields: set[str]) -> bool:
    if line.kind == INFO:
        return bool(info_fields & line.data.keys())
    return line.kind in (BREADCRUMB, WELCOME, AFFILIATION)


def _remember(line: Line, element: HtmlElement | None, found: dict[str, str], base_url: str | None) -> None:
    data = dict(line.data)
    if "crumbs" in data:
        section = sitelines.section_from_crumbs(data.pop("crumbs"))
        if section:
            data["section"] = section
    if "original_url" in data:
        link = _link_of(element, base_url) if element is not None else None
        data["original_url"] = link or infolines.first_url(data["original_url"]) or ""
    for key, value in data.items():
        if value:
            found.setdefault(key, value)


def _link_of(element: HtmlElement, base_url: str | None) -> str | None:
    for href in element.xpath(".//a/@href"):
        url = urljoin(base_url, href.strip()) if base_url else href.strip()
        if is_safe_url(url):
            return url
    return None


def _strip_site_name(title: str | None, site_name: str | None) -> str | None:
    """og:title often repeats the site's name after a separator; drop it."""
    if not title:
        return None
    title = " ".join(title.split())
    if site_name:
        title = re.sub(r"\s*[-|–—_·｜－]\s*" + re.escape(site_name) + r"$", "", title)
    return title or None
