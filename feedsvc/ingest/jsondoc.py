"""JSON files: one article object, or a list of them.

A list is all or nothing: one invalid item fails the whole file, naming the item, so a
file is never half imported.
"""
from __future__ import annotations

import json
import re
from datetime import tzinfo

from feedsvc.ingest.article import ParsedArticle, ParseError
from feedsvc.ingest.blocks import (
    html_to_paragraphs,
    join_paragraphs,
    paragraphs_to_html,
)
from feedsvc.ingest.fields import fields_from_mapping
from feedsvc.ingest.textdump import text_to_paragraphs
from feedsvc.sanitize import sanitize_html

_BODY_KEYS = ("text", "html", "body", "content")
_LOOKS_LIKE_HTML = re.compile(r"<(?:p|div|br|h[1-6]|ul|ol|li|blockquote|a|img|strong|em|b|i|table|pre)\b", re.I)


def parse_json(text: str, *, tz: tzinfo) -> list[ParsedArticle]:
    """Extract the article(s) from a JSON document."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except (ValueError, RecursionError):
        # json.loads refuses integers over 4300 digits (sys.get_int_max_str_digits) with a bare
        # ValueError, and recurses once per level of nesting.
        raise ParseError("The file is not valid JSON (a number too long or nesting too deep).") from None
    if isinstance(data, dict):
        return [_article(data, tz)]
    if isinstance(data, list):
        if not data:
            raise ParseError("No article found: the JSON list is empty.")
        articles = []
        for index, item in enumerate(data):
            try:
                articles.append(_article(item, tz))
            except ParseError as exc:
                raise ParseError(f"Item {index} of the JSON list: {exc}") from None
        return articles
    raise ParseError("The JSON file must hold an article object or a list of them.")


def _article(item, tz: tzinfo) -> ParsedArticle:
    if not isinstance(item, dict):
        raise ParseError("an article must be a JSON object.")
    fields = fields_from_mapping(item, tz)
    title = fields.pop("title", None)
    if not title:
        raise ParseError("the article has no title.")
    base_url = fields.get("canonical_url") or fields.get("original_url")
    text_value, html_value = _body(item)
    if html_value is not None:
        html = sanitize_html(html_value, base_url=base_url)
        paragraphs = text_to_paragraphs(text_value) if text_value else html_to_paragraphs(html)
    else:
        paragraphs = text_to_paragraphs(text_value or "")
        html = paragraphs_to_html(paragraphs)
    if not paragraphs:
        raise ParseError("the article has no text (give it a text, html, body or content key).")
    return ParsedArticle(title=title, text=join_paragraphs(paragraphs), html=html, **fields)


def _body(item: dict) -> tuple[str | None, str | None]:
    """The plain text and the HTML an item gives; body/content count as HTML if they are."""
    values = {}
    for key in _BODY_KEYS:
        value = item.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ParseError(f'"{key}" must be text.')
        values[key] = value
    text = values.get("text")
    html = values.get("html")
    for key in ("body", "content"):
        value = values.get(key)
        if value and html is None and _LOOKS_LIKE_HTML.search(value):
            html = value
        elif value and text is None:
            text = value
    return text, html
