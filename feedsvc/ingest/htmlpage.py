"""Saved HTML pages: trafilatura finds the article body; the page's own metadata and its
visible info line ("来源:X 时间:Y") fill in the rest."""
from __future__ import annotations

import re
from datetime import tzinfo
from urllib.parse import urljoin

import lxml.etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement

from feedsvc.ingest import metadata
from feedsvc.ingest.article import ParseError, ParsedArticle
from feedsvc.ingest.blocks import html_to_paragraphs, join_paragraphs
from feedsvc.ingest.chrome import (
    AFFILIATION, BREADCRUMB, END, INFO, SHARE, TOOLS, WELCOME, Line, classify_line, ends_article,
)
from feedsvc.ingest.htmlmeta import page_metadata
from feedsvc.sanitize import is_safe_url, sanitize_html, strip_control_chars

# lxml refuses a str that still declares a byte encoding; we have decoded it already.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_INVISIBLE = ("script", "style", "noscript", "template")
# An element whose text is longer than this is a container, not an info line.
_MAX_LINE = 200
# Info lines outside the article are dropped whatever they say; inside it, only credits
# are (a "时间:" line there may be an event's time, part of the story).
_PAGE_INFO_FIELDS = {"source_name", "original_url", "author", "published"}
_CREDIT_FIELDS = {"source_name", "original_url", "author"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def parse_html_page(text: str, *, tz: tzinfo) -> ParsedArticle:
    """Extract the article from a saved HTML page."""
    tree = _load(text)
    declared = page_metadata(tree)
    base_url = declared.get("base_url")
    for element in tree.xpath("|".join(f"//{tag}" for tag in _INVISIBLE)):
        element.drop_tree()
    visible: dict[str, str] = {}
    if tree.find("body") is not None:
        _take_visible_lines(tree.find("body"), visible, base_url)

    title = _strip_site_name(declared.get("title"), declared.get("site_name")) or declared.get("page_title")
    if not title:
        raise ParseError("No article found: the HTML page has no title.")
    html = _main_content(tree, base_url, title, visible)
    paragraphs = html_to_paragraphs(html)
    if not paragraphs:
        raise ParseError("No article found: the HTML page has no body text.")

    return ParsedArticle(
        title=title,
        text=join_paragraphs(paragraphs),
        html=html,
        author=metadata.clean_person(declared.get("author"))
        or metadata.join_names(visible.get("author", ""))
        or metadata.lead_byline(paragraphs[0]),
        author_affiliation=visible.get("author_affiliation"),
        source_name=visible.get("source_name") or declared.get("source_name"),
        site_name=declared.get("site_name") or visible.get("site_name"),
        published=metadata.parse_date(declared.get("published"), tz)
        or metadata.parse_date(visible.get("published"), tz),
        category=declared.get("category") or visible.get("category") or visible.get("section"),
        tags=declared.get("tags") or metadata.split_tags(visible.get("tags")),
        original_url=visible.get("original_url"),
        canonical_url=declared.get("canonical_url"),
        summary=declared.get("summary"),
        lang=declared.get("lang"),
    )


def _load(text: str) -> HtmlElement:
    try:
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (lxml.etree.ParserError, ValueError):
        raise ParseError("The HTML page could not be read.") from None
    # Character references (&#1;, &#xFFFE;) put back the characters parse_bytes stripped, and
    # lxml refuses to store a string holding one, so drop_tree() and .text = would raise.
    for element in tree.iter():
        if element.text:
            element.text = strip_control_chars(element.text)
        if element.tail:
            element.tail = strip_control_chars(element.tail)
    return tree


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
            site = metadata.parse_copyright(text)
            if site:
                found.setdefault("site_name", site)
        _take_visible_lines(element, found, base_url)


def _is_page_metadata(line: Line, info_fields: set[str]) -> bool:
    if line.kind == INFO:
        return bool(info_fields & line.data.keys())
    return line.kind in (BREADCRUMB, WELCOME, AFFILIATION)


def _remember(line: Line, element: HtmlElement, found: dict[str, str], base_url: str | None) -> None:
    data = dict(line.data)
    if "crumbs" in data:
        section = metadata.section_from_crumbs(data.pop("crumbs"))
        if section:
            data["section"] = section
    if "original_url" in data:
        data["original_url"] = _link_of(element, base_url) or metadata.first_url(data["original_url"]) or ""
    for key, value in data.items():
        if value:
            found.setdefault(key, value)


def _link_of(element: HtmlElement, base_url: str | None) -> str | None:
    for href in element.xpath(".//a/@href"):
        url = urljoin(base_url, href.strip()) if base_url else href.strip()
        if is_safe_url(url):
            return url
    return None


def _main_content(tree: HtmlElement, base_url: str | None, title: str, found: dict[str, str]) -> str:
    """The article body as sanitized HTML, without chrome trafilatura let through."""
    extracted = trafilatura.extract(
        tree,
        url=base_url,
        output_format="html",
        include_comments=False,
        include_links=True,
        include_formatting=True,
        include_images=True,
        include_tables=True,
    )
    if not extracted:
        raise ParseError("No article found: the HTML page has no body text.")
    body = lxml.html.document_fromstring(extracted).find("body")
    kept: list[str] = []
    for element in body if body is not None else []:
        text = " ".join(element.text_content().split())
        line = classify_line(text)
        if ends_article(line):
            break  # an editor line, a related-news list or a footer: the article is over
        if _is_page_metadata(line, _CREDIT_FIELDS):
            _remember(line, element, found, base_url)
            continue
        if line.kind in (TOOLS, SHARE) or (element.tag in _HEADINGS and text == title):
            continue
        element.tail = None  # the source's indentation between blocks
        if element.text:
            element.text = element.text.lstrip(" \u3000\xa0\t\n")  # typeset indentation
        kept.append(lxml.html.tostring(element, encoding="unicode"))
    return sanitize_html("\n".join(kept), base_url=base_url)


def _strip_site_name(title: str | None, site_name: str | None) -> str | None:
    """og:title often repeats the site's name after a separator; drop it."""
    if not title:
        return None
    title = " ".join(title.split())
    if site_name:
        title = re.sub(r"\s*[-|–—_·｜－]\s*" + re.escape(site_name) + r"$", "", title)
    return title or None
