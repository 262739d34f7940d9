"""Markdown articles with optional YAML front matter."""
from __future__ import annotations

import re
from datetime import tzinfo

from feedsvc.ingest.article import ParsedArticle, ParseError
from feedsvc.ingest.blocks import html_to_paragraphs, join_paragraphs, title_from_text
from feedsvc.ingest.fields import fields_from_mapping
from feedsvc.sanitize import sanitize_html

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def parse_markdown(text: str, *, tz: tzinfo) -> ParsedArticle:
    """Extract the article from a Markdown file; its title may be a leading "# " heading."""
    import yaml  # here, not at import: sniffing a file's kind must not load the YAML parser
    from markdown_it import MarkdownIt

    match = FRONT_MATTER.match(text)
    front: dict = {}
    if match:
        try:
            front = yaml.safe_load(match.group(1)) or {}
        # SafeLoader raises ValueError for timestamp-shaped scalars that are no day (2024-02-30)
        # and integers over Python's 4300-digit limit; its composer recurses once per level.
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" (line {where.line + 2})" if where else ""
            raise ParseError(f"The front matter is not valid YAML{line}.") from None
        if not isinstance(front, dict):
            raise ParseError("The front matter must be a set of key: value lines.")
        text = text[match.end():]
    fields = fields_from_mapping(front, tz)

    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = renderer.parse(text)
    title = fields.pop("title", None)
    if not title and len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        title = " ".join(tokens[1].content.split())
        tokens = tokens[3:]  # the heading is the title, not part of the body
    base_url = fields.get("canonical_url") or fields.get("original_url")
    html = sanitize_html(renderer.renderer.render(tokens, renderer.options, {}), base_url=base_url)
    paragraphs = html_to_paragraphs(html)
    if not paragraphs:
        raise ParseError("No article found: the Markdown file has no body text.")
    # Body text without a title still imports: its first sentence names it.
    return ParsedArticle(title=title or title_from_text(paragraphs[0]), text=join_paragraphs(paragraphs),
                         html=html, **fields)
