"""What the body model sees of each unit: the readers' votes and language-neutral cues.

Every feature is a number in a fixed order (``NAMES``), computed the same way when the model is
trained (``bench/train_reader.py``) and when a page is read. None depends on one language: sizes
count a Han character as three Latin ones (a character carries about a word), punctuation counts
the full-width marks too, and the class names sites give their markup are read in English, which
Chinese CMSs use as well.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from feedsvc.ingest.htmlunits import Unit

_WORDLESS = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_SENTENCE_END = re.compile(r"[。！？!?]|\.(?:\s|$)")
_COMMAS = re.compile(r"[,，、;；]")
_TERMINAL = re.compile(r"[。！？.!?”\"」』)）…]$")
_NEGATIVE = re.compile(
    r"comment|footer|foot\b|sidebar|side-bar|related|recommend|\bnav|menu|breadcrumb|share|social|"
    r"copyright|advert|\bads?\b|\bad-|promo|widget|newsletter|subscribe|popup|modal|cookie|banner|"
    r"masthead|toolbar|pager|pagination|\btags?\b|author-?bio|byline|\bmeta\b|caption|credit",
    re.I,
)
_POSITIVE = re.compile(r"article|content|post|entry|story|text|body|main|detail|\bzw|editor|news", re.I)
_CREDIT = re.compile(
    r"©|\b(?:foto|photo|photograph|bild|image|credit|getty|reuters|afp|dpa|imago|shutterstock|istock)\b"
    r"|图片|图/|摄影|摄|圖片|圖/|攝影",
    re.I,
)
_HINT_DEPTH = 6
_SMALL = 200

NAMES = (
    "r", "t", "both", "either", "r_only", "t_only", "r_page", "t_page", "agree", "r_small", "t_small",
    "size", "link_density", "sentences", "terminal", "commas", "cjk",
    "heading", "list", "table", "figure", "quote", "pre", "loose", "link_heading", "images",
    "is_title", "after_title", "title_known", "duplicate", "credit", "after_image", "before_credit",
    "caption_hint", "negative_hint", "positive_hint",
    "prev_r", "prev_t", "next_r", "next_t", "window_r", "window_t",
    "in_span", "before_span", "after_span", "span_distance", "siblings_both", "siblings_any",
    "under_core", "depth_below_core", "in_r_span", "in_t_span",
)


def normalize(text: str) -> str:
    """Text reduced to its letters and digits, case- and width-folded, for comparing readers' output."""
    return _WORDLESS.sub("", unicodedata.normalize("NFKC", text).casefold())


def coverage(unit_text: str, reader_text: str) -> float:
    """How much of a unit's text a reader's output holds (0..1), in 12-character pieces."""
    if not unit_text:
        return 0.0
    if unit_text in reader_text:
        return 1.0
    pieces = [unit_text[i:i + 12] for i in range(0, max(1, len(unit_text) - 11), 12)]
    return sum(map(reader_text.__contains__, pieces)) / len(pieces)


def weighted_length(text: str) -> int:
    """Characters, a Han character (or kana, hangul) counting as three Latin ones."""
    return len(text) + 2 * len(_CJK.findall(text))


@dataclass
class _Page:
    votes: list[tuple[float, float]]
    lengths: list[int]
    core: tuple[int, int]
    r_span: tuple[int, int]
    t_span: tuple[int, int]
    core_path: list
    title_index: int


def unit_features(units: list[Unit], readers: tuple[str, str], title: str | None) -> list[list[float]]:
    """One feature row per unit, in ``NAMES`` order; ``readers`` are the two readers' plain texts."""
    if not units:
        return []
    # Each unit's ancestors, worked out once: the page's core and every unit's context read them.
    paths = [_path(unit) for unit in units]
    page = _page(units, paths, [normalize(r) for r in readers], title)
    rows = []
    lengths = page.lengths
    total = sum(lengths) or 1
    r_mass = sum(n for n, (r, _) in zip(lengths, page.votes) if r >= 0.5)
    t_mass = sum(n for n, (_, t) in zip(lengths, page.votes) if t >= 0.5)
    both_mass = sum(n for n, (r, t) in zip(lengths, page.votes) if r >= 0.5 and t >= 0.5)
    either_mass = sum(n for n, (r, t) in zip(lengths, page.votes) if r >= 0.5 or t >= 0.5) or 1
    page_row = [r_mass / total, t_mass / total, both_mass / either_mass, float(r_mass < _SMALL), float(t_mass < _SMALL)]
    counts = Counter(u.text for u in units)
    siblings = _Siblings(units, page)
    for i, unit in enumerate(units):
        r, t = page.votes[i]
        rows.append(
            [r, t, float(r >= 0.5 and t >= 0.5), float(r >= 0.5 or t >= 0.5), float(r >= 0.5 > t),
             float(t >= 0.5 > r), *page_row]
            + _unit_row(unit, lengths[i])
            + _title_row(units, i, page.title_index, counts)
            + _context_row(units, i, page, siblings, paths[i])
        )
    return rows


def _page(units: list[Unit], unit_paths: list[list], readers: list[str], title: str | None) -> _Page:
    normalized = [normalize(u.text) for u in units]
    votes = [(coverage(n, readers[0]), coverage(n, readers[1])) for n in normalized]
    core = [i for i, (r, t) in enumerate(votes) if r >= 0.5 and t >= 0.5]
    r_idx = [i for i, (r, _) in enumerate(votes) if r >= 0.5]
    t_idx = [i for i, (_, t) in enumerate(votes) if t >= 0.5]
    paths = [unit_paths[i] for i in core]
    common = paths[0] if paths else []
    for path in paths[1:]:
        shared = 0
        while shared < min(len(common), len(path)) and common[shared] is path[shared]:
            shared += 1
        common = common[:shared]
    return _Page(
        votes=votes, lengths=[weighted_length(u.text) for u in units],
        core=(core[0], core[-1]) if core else (-1, -2),
        r_span=(r_idx[0], r_idx[-1]) if r_idx else (-1, -2),
        t_span=(t_idx[0], t_idx[-1]) if t_idx else (-1, -2),
        core_path=common, title_index=_title_index(units, normalized, title),
    )


def _path(unit: Unit) -> list:
    """The unit's element and its ancestors, root first."""
    element = unit.element if unit.element is not None else unit.parent
    path = []
    while element is not None:
        path.append(element)
        element = element.getparent()
    return path[::-1]


def _title_index(units: list[Unit], normalized: list[str], title: str | None) -> int:
    wanted = normalize(title or "")
    if not wanted:
        return -1
    for i, text in enumerate(normalized):
        if text and len(units[i].text) < 300 and (
            text == wanted or (len(text) >= 8 and (text in wanted or wanted in text))
        ):
            return i
    return -1


def _unit_row(unit: Unit, length: int) -> list[float]:
    text = unit.text
    chars = max(1, len(text))
    tag = unit.tag
    return [
        math.log1p(length), unit.link_density, min(len(_SENTENCE_END.findall(text)), 10) / 10,
        # Searched from two before the end: "x$" matches only there, and a search from the
        # start tried every position of the text first.
        float(bool(_TERMINAL.search(text, max(0, len(text) - 2)))), min(1.0, len(_COMMAS.findall(text)) / max(1.0, chars / 50)),
        len(_CJK.findall(text)) / chars,
        float(unit.heading), float(tag in ("ul", "ol", "dl")), float(tag == "table"),
        float(tag in ("figure", "figcaption", "caption")), float(tag == "blockquote"), float(tag == "pre"),
        float(unit.element is None), float(unit.heading and unit.link_density > 0.5), min(unit.images, 3) / 3,
    ]


def _title_row(units: list[Unit], i: int, title_index: int, counts: Counter) -> list[float]:
    unit = units[i]
    previous = units[i - 1] if i else None
    following = units[i + 1] if i + 1 < len(units) else None
    hints = " ".join(
        f"{e.get('class') or ''} {e.get('id') or ''}" for e in _ancestors(unit, _HINT_DEPTH)
    )
    caption = any(e.tag in ("figure", "figcaption") or "caption" in (e.get("class") or "").lower()
                  for e in _ancestors(unit, 4))
    return [
        float(i == title_index), float(title_index >= 0 and i > title_index), float(title_index >= 0),
        float(counts[unit.text] > 1), float(_is_credit(unit.text)),
        float(previous is not None and not previous.text and previous.images > 0),
        float(following is not None and _is_credit(following.text)),
        float(caption), *_hint_flags(hints),
    ]


@lru_cache(maxsize=4096)
def _hint_flags(hints: str) -> tuple[float, float]:
    """negative_hint and positive_hint of a unit's class and id names. Cached: a page's
    paragraphs mostly share them (the two searches were half of the features' time)."""
    return float(bool(_NEGATIVE.search(hints))), float(bool(_POSITIVE.search(hints)))


def _is_credit(text: str) -> bool:
    return 0 < len(text) < 80 and bool(_CREDIT.search(text))


def _ancestors(unit: Unit, depth: int):
    element = unit.element if unit.element is not None else unit.parent
    for _ in range(depth):
        if element is None:
            return
        yield element
        element = element.getparent()


class _Siblings:
    """The units sharing each container and each group's text mass (all of it, what both readers
    take, what either takes), so a unit's siblings cost no walk over its group."""

    def __init__(self, units: list[Unit], page: _Page):
        self.units, self.page = units, page
        self.groups: dict[int, list[int]] = defaultdict(list)
        for i, unit in enumerate(units):
            self.groups[id(unit.parent)].append(i)
        self.mass = {key: (sum(page.lengths[j] for j in members),
                           sum(page.lengths[j] for j in members if min(page.votes[j]) >= 0.5),
                           sum(page.lengths[j] for j in members if max(page.votes[j]) >= 0.5))
                     for key, members in self.groups.items()}

    def row(self, i: int) -> tuple[float, float]:
        """siblings_both and siblings_any: the share of the other units' text the readers take."""
        key = id(self.units[i].parent)
        if len(self.groups[key]) < 2:
            return 0.0, 0.0
        length, vote = self.page.lengths[i], self.page.votes[i]
        total, both, either = self.mass[key]
        # Lengths are integers, so taking the unit's own out leaves exactly the others' sums.
        mass = (total - length) or 1
        both -= length if min(vote) >= 0.5 else 0
        either -= length if max(vote) >= 0.5 else 0
        return both / mass, either / mass


def _context_row(units: list[Unit], i: int, page: _Page, siblings: _Siblings, path: list) -> list[float]:
    votes = page.votes
    n = len(units)
    prev_r, prev_t = votes[i - 1] if i else (0.0, 0.0)
    next_r, next_t = votes[i + 1] if i + 1 < n else (0.0, 0.0)
    window = [votes[j] for j in range(max(0, i - 2), min(n, i + 3)) if j != i]
    lo, hi = page.core
    if lo < 0:
        distance = 1.0
    else:
        distance = min(10, lo - i if i < lo else i - hi if i > hi else 0) / 10
    core_path = page.core_path
    under = bool(core_path) and len(path) >= len(core_path) and all(a is b for a, b in zip(core_path, path))
    return [
        prev_r, prev_t, next_r, next_t,
        sum(r for r, _ in window) / max(1, len(window)), sum(t for _, t in window) / max(1, len(window)),
        float(lo >= 0 and lo <= i <= hi), float(lo >= 0 and i < lo), float(lo >= 0 and i > hi), distance,
        *siblings.row(i),
        float(under), (len(path) - len(core_path)) / 10 if core_path else 0.0,
        float(page.r_span[0] <= i <= page.r_span[1]), float(page.t_span[0] <= i <= page.t_span[1]),
    ]
