"""Plain-text dumps of news pages: find the title, the metadata around it, and the body
that runs until the first footer, then leave the site's chrome behind."""
from __future__ import annotations

import re

from datetime import tzinfo

from feedsvc.ingest import dates, infolines, people, sitelines
from feedsvc.ingest.article import ParsedArticle, ParseError
from feedsvc.ingest.blocks import clean_paragraph, join_paragraphs, paragraphs_to_html, title_from_text
from feedsvc.ingest.chrome import (
    AFFILIATION,
    BLANK,
    BREADCRUMB,
    END,
    INFO,
    NAV,
    TEXT,
    WELCOME,
    Line,
    classify_line,
    ends_article,
    ends_sentence,
    is_prose,
)

# Inside the body only a bare time line stays text (it may be an event's); other labelled
# lines are credits ("(来源:人民日报)", "关键词:…") and leave the text.
_BODY_INFO_FIELDS = {"published", "dateline"}
_INDENT = ("\u3000", "  ", "\t", "\xa0")
_MAX_TITLE = 120
# Some dumps label the headline: "标题：…", "標題：…", "Title: …".
_TITLE_LABEL = re.compile(r"^(?:标题|標題|题目|題目|新闻标题|新聞標題|Title|Headline)\s*[:：]\s*", re.IGNORECASE)
# Without a title line, this much text at least makes an article (one short line does not).
_MIN_UNTITLED = 60


def parse_text_dump(text: str, *, tz: tzinfo) -> ParsedArticle:
    """Extract the article from the text of a saved news page."""
    raw_lines = text.splitlines()
    lines = [classify_line(raw) for raw in raw_lines]
    title_at = _find_title(lines)
    if title_at is None:
        # Body text without a title line still imports, named by its first sentence.
        body_start = next((i for i, l in enumerate(lines) if l.kind == TEXT and is_prose(l.text)), None)
        if body_start is None or sum(len(l.text) for l in lines if l.kind == TEXT) < _MIN_UNTITLED:
            raise ParseError("No article found: the text has no title followed by body text.")
        title_at, title = -1, title_from_text(lines[body_start].text)
    else:
        body_start = next((i for i in range(title_at + 1, len(lines)) if lines[i].kind == TEXT), None)
        if body_start is None:
            raise ParseError("No article found: the text has a title but no body text.")
        title = _TITLE_LABEL.sub("", lines[title_at].text) or lines[title_at].text
    body_end = next((i for i in range(body_start, len(lines)) if ends_article(lines[i])), len(lines))

    fields: dict[str, str] = {}
    body: list[tuple[str, str]] = []  # (raw line, stripped text); "" marks a blank line
    for i, line in enumerate(lines):
        if i < body_start or i >= body_end:
            _collect(line, fields, title)
        elif line.kind == TEXT or (line.kind == INFO and line.data.keys() <= _BODY_INFO_FIELDS):
            body.append((raw_lines[i], line.text))
        elif line.kind == BLANK:
            body.append(("", ""))
        else:
            _collect(line, fields, title)

    paragraphs = _paragraphs(body)
    author = people.plausible_name(people.join_names(fields.get("author", "")) or people.lead_byline(paragraphs[0]))
    return ParsedArticle(
        title=title,
        text=join_paragraphs(paragraphs),
        html=paragraphs_to_html(paragraphs),
        author=author,
        editor=people.plausible_name(people.join_names(fields.get("editor", ""))),
        author_affiliation=fields.get("author_affiliation") or None,
        source_name=fields.get("source_name") or None,
        site_name=fields.get("site_name") or None,
        # Only an update time shown: the article is at least that old, and a feed wants a date.
        published=dates.parse_date(fields.get("published") or fields.get("dateline") or fields.get("updated"), tz),
        category=fields.get("category") or fields.get("section"),
        tags=infolines.split_tags(fields.get("tags")),
        original_url=infolines.first_url(fields.get("original_url")),
    )


def text_to_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain article text: blank lines or indentation separate them."""
    body = []
    for raw in text.splitlines():
        stripped = clean_paragraph(raw)
        body.append((raw, stripped) if stripped else ("", ""))
    return _paragraphs(body)


def _find_title(lines: list[Line]) -> int | None:
    """Index of the title: the best-placed heading-like line before the first paragraph."""
    first_prose = next((i for i, l in enumerate(lines) if l.kind == TEXT and is_prose(l.text)), None)
    if first_prose is None:
        return None
    candidates = [i for i in range(first_prose) if lines[i].kind == TEXT]
    if candidates:
        return max(candidates, key=lambda i: _title_score(lines, i, first_prose))
    # The title itself may read like a sentence ("Is the bridge safe?").
    if len(lines[first_prose].text) <= _MAX_TITLE and any(l.kind == TEXT for l in lines[first_prose + 1:]):
        return first_prose
    return None


def _title_score(lines: list[Line], i: int, first_prose: int) -> float:
    # A title sits right above the metadata line or the body and just below the
    # breadcrumb; site headers above it have none of that and are shorter.
    score = min(len(lines[i].text), 40) / 40
    after, before = _neighbour(lines, i, +1), _neighbour(lines, i, -1)
    if after is not None and lines[after].kind == INFO:
        score += 3
    if after == first_prose:
        score += 2
    if before is not None and lines[before].kind == INFO:
        score += 1.5
    if before is not None and lines[before].kind in (BREADCRUMB, WELCOME, NAV):
        score += 1
    return score


def _neighbour(lines: list[Line], i: int, step: int) -> int | None:
    j = i + step
    while 0 <= j < len(lines) and lines[j].kind == BLANK:
        j += step
    return j if 0 <= j < len(lines) else None


def _collect(line: Line, fields: dict[str, str], title: str) -> None:
    """Keep what a non-body line says about the article (first statement wins)."""
    if line.kind in (INFO, WELCOME, AFFILIATION):
        for key, value in line.data.items():
            fields.setdefault(key, value)
    elif line.kind == BREADCRUMB:
        section = sitelines.section_from_crumbs(line.data["crumbs"], title)
        if section:
            fields.setdefault("section", section)
    elif line.kind == END:
        site = sitelines.parse_copyright(line.text)
        if site:
            fields.setdefault("site_name", site)


def _paragraphs(body: list[tuple[str, str]]) -> list[str]:
    """Group body lines into paragraphs.

    Blank lines separate paragraphs when the dump has them; an indented line always starts
    one; otherwise a line continues the paragraph unless the previous line ended a sentence
    (hard-wrapped English keeps its lines together, one-line-per-paragraph dumps do not).
    """
    has_blank_separators = any(not raw for raw, _ in body[1:-1])
    paragraphs: list[str] = []
    current: list[str] = []
    for raw, text in body:
        starts_new = (
            not text
            or raw.startswith(_INDENT)
            or (current and not has_blank_separators and ends_sentence(current[-1]))
        )
        if starts_new and current:
            paragraphs.append(_join_lines(current))
            current = []
        if text:
            current.append(clean_paragraph(text))
    if current:
        paragraphs.append(_join_lines(current))
    return [p for p in paragraphs if p]


def _join_lines(lines: list[str]) -> str:
    joined = lines[0]
    for line in lines[1:]:
        # Han text wraps without spaces; Latin text needs one between the words.
        joiner = "" if not joined[-1].isascii() and not line[0].isascii() else " "
        joined += joiner + line
    return joined
