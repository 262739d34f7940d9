"""Which of a page's units are the article: the readers vote, the body model decides, chrome goes.

The units come from the page itself, so the article keeps the page's own paragraphs, headings,
lists and tables whichever reader found them. When both readers and the model find nothing, a
text-density pass of our own takes the container with the most prose.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from feedsvc.ingest.bodyfeatures import normalize, unit_features, weighted_length
from feedsvc.ingest.bodymodel import body_model
from feedsvc.ingest.chrome import (
    AFFILIATION,
    BREADCRUMB,
    END,
    INFO,
    NAV,
    SHARE,
    TOOLS,
    WELCOME,
    Line,
    classify_line,
)
from feedsvc.ingest.htmlunits import Unit, page_units
from feedsvc.ingest.readers import reader_texts

# Kept units are dropped when their line is chrome: page tools, share bars, menus, breadcrumbs,
# labelled metadata (its fields are remembered), footers and related-list headers.
_CHROME = {TOOLS, SHARE, NAV, BREADCRUMB, WELCOME, AFFILIATION, END}
_THRESHOLD = 0.5
# The fallback's notion of prose: long enough, few links, with sentence punctuation.
_PROSE_MIN = 60
_PROSE_MAX_LINKS = 0.3
_MIN_ARTICLE = 1
_ARTICLE_AFTER_HEADLINE = 200
# Captions: what sites call them, and how they read ("图为…", "（记者 X 摄）", "Photo: …").
_CAPTION_MAX = 300
_SHORT_CAPTION = 120
_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is str.isalnum() and the underscore
_SENTENCE_END = re.compile(r"[。！？.!?…][”’」』\"')）]*\s*$")
_CAPTION_CLASS = re.compile(
    r"caption|pic-?desc|img-?desc|photo-?desc|pic_?text|img_?text|pictext|picinfo|pic-?info|"
    r"image-?credit|photo-?credit|\bcredit",
    re.I,
)
_CAPTION_TEXT = re.compile(
    r"^[(（【\[]?\s*(?:图为|圖為|图：|圖：|图:|上图|下图|左图|右图|图片来源|圖片來源|"
    r"Photo:|Photo credit|Image:|Image credit|Pictured:|Caption:)"
    r"|[(（][^()（）]{0,30}[摄攝][)）]\s*$|[(（]\s*(?:Photo|Image|Credit)\s*:[^)）]*[)）]\s*$"
    r"|(?:记者|記者|摄影|攝影|通讯员|通訊員)?\s*[\u4e00-\u9fff·]{2,4}\s*[摄攝](?:影)?\s*$",
    re.I,
)


@dataclass
class PageReading:
    """A page's units with the features the model reads."""

    units: list[Unit]
    rows: list[list[float]]


def read_units(tree: HtmlElement, title: str | None) -> PageReading:
    """The units of a cleaned page and each one's features (the readers' votes among them)."""
    body = tree.find("body")
    units = page_units(body) if body is not None else []
    rows = unit_features(units, reader_texts(tree), title) if units else []
    return PageReading(units, rows)


def article_units(reading: PageReading, title: str | None, model=None
                  ) -> tuple[list[Unit], list[tuple[Unit, Line]]]:
    """The units that make up the article, and the metadata lines (with their units) among them.

    ``model`` (anything with ``probabilities(rows)``) replaces the shipped one: training scores
    candidate models on held-out pages through this very function.
    """
    probabilities = (model or body_model()).probabilities(reading.rows) if reading.rows else []
    keep = [p >= _THRESHOLD for p in probabilities]
    chosen = [u for u, k in zip(reading.units, keep) if k]
    if _own_text(chosen) < _MIN_ARTICLE:
        chosen = densest_prose(reading.units)
    chosen = _from_the_headline(chosen, reading.units, title)
    wanted = normalize(title or "")
    kept, info = [], []
    for unit in chosen:
        if wanted and len(unit.text) < 200 and normalize(unit.text) == wanted:
            continue  # the title is stored apart from the body
        if is_caption(unit, reading.units[unit.index - 1] if unit.index else None):
            continue
        line = classify_line(unit.text) if len(unit.text) <= 200 else None
        if line is not None and line.kind in _CHROME:
            continue
        if line is not None and line.kind == INFO:
            info.append((unit, line))
            continue
        kept.append(unit)
    return kept, info


def _from_the_headline(chosen: list[Unit], units: list[Unit], title: str | None) -> list[Unit]:
    """Chosen units without those standing before the headline, when the article follows it.

    A story starts under its headline; what comes before it outside the article's container is
    its site's left column, a teaser or a banner (on the dev suites 3% of the gold text of the
    readability suite stood before the headline, nearly all on one page). Both readers take a
    table layout's left column whole, so the rule is stated, not left to the model. It applies
    only when the article's text after the headline is substantial.
    """
    headline = _headline_index(units, title)
    if headline is None:
        return chosen
    after = [u for u in chosen if u.index > headline]
    if sum(weighted_length(u.text) for u in after) < _ARTICLE_AFTER_HEADLINE:
        return chosen
    # The article's container: what holds the headline and the text after it. A unit before
    # the headline inside it (a kicker, a standfirst) stays; one outside it goes.
    container = _common_ancestor([_element(units[headline])] + [_element(u) for u in after])
    return [u for u in chosen if u.index >= headline or _inside(_element(u), container)]


def _element(unit: Unit):
    return unit.element if unit.element is not None else unit.parent


def _common_ancestor(elements: list):
    """The deepest element holding all of ``elements`` (None when one is unknown)."""
    if any(e is None for e in elements):
        return None
    paths = [[e, *e.iterancestors()][::-1] for e in elements]
    shared = None
    for level in zip(*paths):
        if all(node is level[0] for node in level):
            shared = level[0]
        else:
            break
    return shared


def _inside(element, container) -> bool:
    if container is None or element is None:
        return False
    return element is container or any(a is container for a in element.iterancestors())


def _headline_index(units: list[Unit], title: str | None) -> int | None:
    wanted = normalize(title or "")
    if not wanted:
        return None
    for unit in units:
        text = normalize(unit.text)
        if text and len(unit.text) < 300 and (
            text == wanted or (len(text) >= 8 and (text in wanted or wanted in text))
        ):
            return unit.index
    return None


def is_caption(unit: Unit, previous: Unit | None = None) -> bool:
    """True for a photo's caption or credit: readers keep them, the article does not have them.

    Known by markup (figcaption, a caption class) or wording ("图为…", "…张三摄", "Photo: …"),
    or as a short line without a sentence's punctuation that shares a wrapper with nothing but
    the photo above it ("去年音乐会现场"). A short line merely standing under a photo may be
    the article's: on the dev suites dropping those cost more article lines than captions.
    """
    weight = weighted_length(unit.text)
    if weight > _CAPTION_MAX:
        return False
    if unit.tag in ("figcaption", "caption") or _CAPTION_TEXT.search(unit.text):
        return True
    if (previous is not None and previous.images and not previous.text and weight <= _SHORT_CAPTION
            and not _SENTENCE_END.search(unit.text) and _alone_with(unit, previous)):
        return True
    element = unit.element if unit.element is not None else unit.parent
    for _ in range(3):
        if element is None:
            break
        if element.tag in ("figure", "figcaption") or _CAPTION_CLASS.search(element.get("class") or ""):
            return True
        element = element.getparent()
    return False


def _alone_with(unit: Unit, photo: Unit) -> bool:
    """True when the unit and the photo before it are all their nearest common wrapper holds."""
    a = unit.element if unit.element is not None else unit.parent
    b = photo.element if photo.element is not None else photo.parent
    wrapper = next((e for e in a.iterancestors() if e in set(b.iterancestors()) or e is b), None)
    if wrapper is None or wrapper.tag in ("body", "html"):
        return False
    text = " ".join(wrapper.text_content().split())
    return text == " ".join(unit.text.split())


def _own_text(units: list[Unit]) -> int:
    """Letters and digits outside links: a menu of links is no article."""
    return sum(max(0, len(_NOT_ALNUM.sub("", u.text)) - u.link_chars) for u in units)


def densest_prose(units: list[Unit]) -> list[Unit]:
    """The prose units of the container holding the most prose: what a reader would take."""
    weight: dict[int, int] = {}
    members: dict[int, list[Unit]] = {}
    for unit in units:
        if not _is_prose(unit):
            continue
        element = unit.parent
        # Credit every ancestor: the article's container sums the prose of its paragraphs.
        depth = 0
        while element is not None and depth < 4:
            key = id(element)
            weight[key] = weight.get(key, 0) + weighted_length(unit.text)
            members.setdefault(key, []).append(unit)
            element = element.getparent()
            depth += 1
    if not weight:
        return []
    # The deepest container that still holds nearly all the prose its best ancestor holds.
    top = max(weight.values())
    best = min((key for key in weight if weight[key] >= 0.9 * top), key=lambda key: len(members[key]))
    return members[best]


def _is_prose(unit: Unit) -> bool:
    return (
        weighted_length(unit.text) >= _PROSE_MIN
        and unit.link_density < _PROSE_MAX_LINKS
        and any(mark in unit.text for mark in "。！？.!?")
    )
