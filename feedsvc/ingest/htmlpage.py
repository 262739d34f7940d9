"""Saved HTML pages: the readers vote on the article's paragraphs (htmlbody); the page's visible
metadata lines, its head and trafilatura's metadata reading vote on its facts (pagefacts)."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import partial
from urllib.parse import urljoin

from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata

from feedsvc.ingest import infolines, sitelines
from feedsvc.ingest.article import ParsedArticle, ParseError
from feedsvc.ingest.blocks import html_to_paragraphs, join_paragraphs, title_from_text
from feedsvc.ingest.bodyfeatures import normalize
from feedsvc.ingest.chrome import (
    AFFILIATION,
    BREADCRUMB,
    END,
    INFO,
    WELCOME,
    Line,
    classify_line,
)
from feedsvc.ingest.htmlbody import article_units, read_units
from feedsvc.ingest.htmlmeta import page_metadata
from feedsvc.ingest.htmltree import clean_tree, load_tree
from feedsvc.ingest.pagefacts import (
    SeenLine,
    Voters,
    decide_author,
    decide_editor,
    decide_published,
    decide_source,
    visible_value,
)
from feedsvc.ingest.records import keep_one_record
from feedsvc.sanitize import is_safe_url, sanitize_html

log = logging.getLogger(__name__)

# An element whose text is longer than this is a container, not an info line.
_MAX_LINE = 200
_TITLE_MAX = 120
# The fields of a post's header line ("jane posted on …"): each record of a list has its own.
_HEADER_FIELDS = {"author", "published", "dateline"}
_HEADLINES = "//h1|//h2|//h3|//*[contains(@class, 'title')]"
_INLINE = frozenset("a abbr b cite code em font i q s small span strong sub sup time u".split())
_BLOCK_PARENTS = frozenset("html body div section article main header footer aside nav td th li dd center form".split())


@dataclass
class PreparedPage:
    """A cleaned page with what it declares about itself and the metadata lines taken out of it."""

    tree: HtmlElement
    declared: dict
    library: dict
    search_date: Callable[[], str | None] | None = None  # see Voters.search_date
    lines: list[SeenLine] = field(default_factory=list)
    order: dict = field(default_factory=dict)  # element -> index in document order
    site_lines: list[str] = field(default_factory=list)  # copyright and welcome lines

    @property
    def base_url(self) -> str | None:
        return self.declared.get("base_url")


def prepare_page(text: str) -> PreparedPage:
    """Parse and clean a page, read its head, and take its visible metadata lines out of the body."""
    tree = load_tree(text)
    library = _library_metadata(tree)
    # The search reads the page as loaded, before cleaning: a tree of its own, parsed if asked for.
    search = partial(_extensive_date, text) if library and not library["date"] else None
    page = PreparedPage(tree=tree, declared=page_metadata(tree), library=library, search_date=search)
    clean_tree(tree)
    body = tree.find("body")
    if body is not None:
        page.order = {element: i for i, element in enumerate(body.iter())}
        _take_visible_lines(body, page)
    return page


def declared_title(page: PreparedPage) -> str | None:
    """The title the page gives itself: og:title and friends, else <title> and <h1>."""
    declared = page.declared
    return _strip_site_name(declared.get("title"), declared.get("site_name")) or declared.get("page_title")


def parse_html_page(text: str, *, tz: tzinfo, model=None) -> ParsedArticle:
    """Extract the article from a saved HTML page (``model``: another body model, for training)."""
    page = prepare_page(text)
    declared = page.declared
    title = declared_title(page)
    units, info_lines = article_units(read_units(page.tree, title), title, model)
    headline = _headline(page, title) if title else None
    units = keep_one_record(units, [s.parent for s in page.lines if s.line.data.keys() & _HEADER_FIELDS], headline)
    page.lines += [SeenLine(page.order.get(u.element, page.order.get(u.parent, 0)), line, u.element)
                   for u, line in info_lines]
    html = sanitize_html("\n".join(u.html for u in units), base_url=page.base_url)
    paragraphs = html_to_paragraphs(html)
    if not paragraphs:
        raise ParseError("No article found: the HTML page has no body text.")
    title = title or _first_heading(units) or title_from_text(paragraphs[0])
    headline = headline if headline is not None else _headline(page, title)
    voters = Voters(lines=sorted(page.lines, key=lambda s: s.position), declared=declared, library=page.library,
                    search_date=page.search_date,
                    title_position=page.order.get(headline) if headline is not None else None, lead=paragraphs[0])
    site_name = (declared.get("site_name") or _site_from_lines(page) or page.library.get("sitename")
                 or declared.get("title_site"))
    crumbs = visible_value(voters, "crumbs")
    return ParsedArticle(
        title=title,
        text=join_paragraphs(paragraphs),
        html=html,
        author=decide_author(voters, site_name=site_name),
        author_affiliation=visible_value(voters, "author_affiliation"),
        editor=decide_editor(voters),
        source_name=decide_source(voters),
        site_name=site_name,
        published=decide_published(voters, tz),
        category=declared.get("category") or visible_value(voters, "category")
        or (sitelines.section_from_crumbs(crumbs, title) if crumbs else None),
        tags=declared.get("tags") or _visible_tags(voters),
        original_url=_original_url(voters, page.base_url),
        canonical_url=declared.get("canonical_url"),
        summary=declared.get("summary"),
        lang=declared.get("lang"),
    )


def _library_metadata(tree: HtmlElement) -> dict:
    """trafilatura's quick reading of the page's metadata (it copies the tree); {} if it failed.

    htmldate's extensive search through the page's text was 80% of the reading's time and most
    pages need none of it (the head, the URL or a <time> say the date, or a labelled line
    does): it is left to ``_extensive_date``, which the date's decision calls when it must.
    """
    try:
        found = extract_metadata(tree, extensive=False)
    except Exception:  # a library bug on one page costs one voter, not the page
        log.debug("trafilatura metadata failed", exc_info=True)
        return {}
    return {"author": found.author, "date": found.date, "sitename": found.sitename}


def _extensive_date(text: str) -> str | None:
    from htmldate import find_date

    try:
        return find_date(load_tree(text), extensive_search=True, original_date=True,
                         max_date=datetime.now().astimezone().strftime("%Y-%m-%d"))
    except Exception:  # as above: no date from this voter
        log.debug("htmldate failed", exc_info=True)
        return None


def _take_visible_lines(parent: HtmlElement, page: PreparedPage) -> None:
    """Read and remove the page's metadata lines: info lines, bylines, breadcrumbs, welcome lines.

    A line is an element standing on its own: a block, or inline markup alone in its parent. A
    date in a <span> inside a sentence or a reference list is part of that text.
    """
    if parent.tag not in _BLOCK_PARENTS and _has_own_text(parent):
        return
    for element in list(parent):
        if not isinstance(element.tag, str):
            continue
        if element.tag in _INLINE and _has_own_text(parent):
            continue
        text = " ".join(element.text_content().split())
        if not text:
            continue
        if len(text) > _MAX_LINE:
            _take_visible_lines(element, page)
            continue
        line = classify_line(text)
        if line.kind == INFO and "source_name" in line.data and _is_caption(element):
            # "(Source: Riivka)" under a photo credits the photo, not the article.
            line = Line(line.kind, line.text, {k: v for k, v in line.data.items() if k != "source_name"})
        if line.kind in (INFO, BREADCRUMB, WELCOME, AFFILIATION):
            page.lines.append(SeenLine(page.order.get(element, 0), line, element, element.getparent()))
            element.drop_tree()
            continue
        if line.kind == END:
            page.site_lines.append(text)
        _take_visible_lines(element, page)


def _has_own_text(element: HtmlElement) -> bool:
    """True when text stands directly in the element, beside its children."""
    if (element.text or "").strip():
        return True
    return any((child.tail or "").strip() for child in element)


def _is_caption(element: HtmlElement) -> bool:
    """True for a line in a figure's caption or right under an image."""
    for ancestor in [element, *element.iterancestors()][:4]:
        if ancestor.tag in ("figure", "figcaption") or "caption" in (ancestor.get("class") or "").lower():
            return True
    previous = element.getprevious()
    return previous is not None and (previous.tag == "img" or bool(previous.xpath(".//img")))


def _headline(page: PreparedPage, title: str) -> HtmlElement | None:
    """The element showing the title: metadata lines and records are judged by where it stands."""
    wanted = normalize(title)
    if not wanted:
        return None
    for element in page.tree.xpath(_HEADLINES):
        text = normalize(element.text_content())
        if text and (text == wanted or (len(text) >= 8 and (text in wanted or wanted in text))):
            return element
    return None


def _site_from_lines(page: PreparedPage) -> str | None:
    for seen in page.lines:
        if "site_name" in seen.line.data:
            return seen.line.data["site_name"]
    for text in page.site_lines:
        site = sitelines.parse_copyright(text)
        if site:
            return site
    return None


def _visible_tags(voters: Voters) -> list[str]:
    """The tags a "标签：" row shows; each link is one tag, however the links are spaced."""
    seen = voters.nearest("tags")
    if seen is None:
        return []
    links = [" ".join(a.text_content().split()) for a in seen.element.iter("a")] if seen.element is not None else []
    if len([link for link in links if link]) >= 2:
        return list(dict.fromkeys(link for link in links if link))
    return infolines.split_tags(seen.line.data["tags"])


def _original_url(voters: Voters, base_url: str | None) -> str | None:
    seen = voters.nearest("original_url")
    if seen is None:
        return None
    if seen.element is not None:
        for href in seen.element.xpath(".//a/@href"):
            url = urljoin(base_url, href.strip()) if base_url else href.strip()
            if is_safe_url(url):
                return url
    return infolines.first_url(seen.line.data["original_url"])


def _first_heading(units) -> str | None:
    for unit in units:
        if unit.heading and 0 < len(unit.text) <= _TITLE_MAX:
            return unit.text
    return None


def _strip_site_name(title: str | None, site_name: str | None) -> str | None:
    """og:title often repeats the site's name after a separator; drop it."""
    if not title:
        return None
    title = " ".join(title.split())
    if site_name:
        title = re.sub(r"\s*[-|–—_·｜－]\s*" + re.escape(site_name) + r"$", "", title)
    return title or None
