"""Splitting Chinese and English prose into sentences, and joining them back."""
from __future__ import annotations

from collections.abc import Iterator

import re

import regex

# Terminators that always end a sentence: ideographic full stops, full-width ! ? ;
_CJK_STOPS = frozenset("。｡！？；")
# ASCII terminators, which also occur inside numbers, code and abbreviations.
_ASCII_STOPS = frozenset("!?;")
_DOTS = frozenset(".．")
_ELLIPSIS = frozenset("…")
_TERMINATORS = _CJK_STOPS | _ASCII_STOPS | _DOTS | _ELLIPSIS
_CLOSERS = frozenset("”’」』）)】》]\"'")
# A terminator followed by one of these continues the clause ("等等……，", "i.e., the").
_CONTINUERS = frozenset("，,、：:")

# Lower-cased words that take a full stop and never end a sentence on it.
_TITLES = frozenset(
    "mr mrs ms dr prof st gen gov sen rep lt col capt sgt mt ft vs e.g i.e cf approx"
    " jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Abbreviations that stand before a number ("No. 5", "p. 12").
_BEFORE_NUMBER = frozenset("no nos vol fig p pp art sec ch".split())
# Abbreviations that may end a sentence; a split needs a word that clearly starts one.
_MAYBE_FINAL = frozenset("etc inc ltd co corp bros jr sr".split())
_SENTENCE_STARTERS = frozenset(
    "the a an he she it they we i you this that these those there but and so yet"
    " in on at for after before when while however meanwhile its his her their our"
    " officials police analysts".split()
)

_URL_OR_EMAIL = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"“”]+"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
    re.IGNORECASE,
)
_URL_TRAILING = "".join(sorted(_TERMINATORS | _CLOSERS | _CONTINUERS))
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_SPACES = re.compile(r"\s+")
_WORD_BEFORE = re.compile(r"([A-Za-z]+(?:\.[A-Za-z]+)*)$")
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.)*[A-Za-z]$")
_WORD_AFTER = re.compile(r"\s+([\w'’]+)")
# Marks and joiners that belong to the character before them; after whitespace (or at
# the start) they have none, and would attach to the space that normalising leaves.
_ORPHANS = regex.compile(
    r"^[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=SpacingMark}]+"
)
_GRAPHEME = regex.compile(r"\X")
_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


# The characters is_wide accepts, for counting them in one pass over a string.
WIDE_CHARS = re.compile(
    "[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff“”‘’…—]"
)


def is_wide(ch: str) -> bool:
    """Tell whether a character belongs to CJK writing (Han, kana, Hangul, CJK or full-width punctuation)."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
        or ch in "“”‘’…—"
    )


def join_sentences(sentences: list[str]) -> str:
    """Join sentences: no space where either side is CJK, one space otherwise."""
    out: list[str] = []
    for sentence in sentences:
        if out and not (is_wide(out[-1][-1]) or is_wide(sentence[0])):
            out.append(" ")
        out.append(sentence)
    return "".join(out)


def normalize_space(text: str) -> str:
    """Collapse whitespace runs to one space, dropping it between two CJK characters, and orphaned marks."""
    out: list[str] = []
    for part in _SPACES.split(text):
        part = _ORPHANS.sub("", part)
        if not part:
            continue
        if out and not (is_wide(out[-1][-1]) and is_wide(part[0])):
            out.append(" ")
        out.append(part)
    return "".join(out)


def split_sentences(text: str) -> list[str]:
    """Split text into whitespace-normalised sentences; a blank line always ends one."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    """``split_sentences``, a paragraph at a time: a summary needs only the first few."""
    for paragraph in _PARAGRAPH_BREAK.split(text):
        paragraph = normalize_space(paragraph)
        if paragraph:
            yield from _split_paragraph(paragraph)


def _split_paragraph(text: str) -> list[str]:
    protected = _protected_positions(text)
    sentences: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        if text[i] not in _TERMINATORS or i in protected:
            i += 1
            continue
        run_end = i
        while run_end < n and text[run_end] in _TERMINATORS:
            run_end += 1
        end = run_end
        while end < n and (text[end] in _CLOSERS or text[end] in _TERMINATORS):
            end += 1
        # Marks and joiners after the terminator belong to it.
        end = _GRAPHEME.match(text, end - 1).end()
        if _ends_sentence(text, i, run_end, end):
            sentences.append(text[start:end])
            start = end
        i = end
    sentences.append(text[start:])
    return [s for s in (s.strip() for s in sentences) if s]


def _protected_positions(text: str) -> set[int]:
    """Positions inside URLs and e-mail addresses, where punctuation is not a terminator."""
    positions: set[int] = set()
    for match in _URL_OR_EMAIL.finditer(text):
        # A sentence may end right after a URL: its final full stop is not part of it.
        url = match.group().rstrip(_URL_TRAILING)
        positions.update(range(match.start(), match.start() + len(url)))
    return positions


def _ends_sentence(text: str, start: int, run_end: int, end: int) -> bool:
    """Decide whether the terminator run text[start:run_end] (closers up to end) ends a sentence."""
    following = text[end] if end < len(text) else ""
    if following in _CONTINUERS:
        return False
    run = text[start:run_end]
    if any(ch in _CJK_STOPS for ch in run) or following == "":
        return True
    if any(ch in _ELLIPSIS for ch in run) or len(run) >= 3 and set(run) <= _DOTS:
        return _ellipsis_ends(text, end, following)
    # ASCII terminators need a space or CJK text after them, else they sit in a
    # number (3.5), a domain (example.com), an initialism (U.S.) or code.
    if not (following.isspace() or (is_wide(following) and not _FULLWIDTH_ALNUM.match(following))):
        return False
    if set(run) <= _DOTS:
        return _dot_ends(text, start, end)
    if ";" in run:
        return True
    after = _WORD_AFTER.match(text, end)
    # '"Go!" she said' goes on: a sentence would start with a capital.
    return not (after and after.group(1)[0].islower())


def _ellipsis_ends(text: str, end: int, following: str) -> bool:
    if is_wide(following):
        return True
    after = _WORD_AFTER.match(text, end)
    return bool(after) and not after.group(1)[0].islower()


def _dot_ends(text: str, dot: int, end: int) -> bool:
    before = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    if not before:
        return True
    word = before.group(1)
    lowered = word.lower()
    after = _WORD_AFTER.match(text, end)
    next_word = after.group(1) if after else ""
    if lowered in _TITLES:
        return False
    if lowered in _BEFORE_NUMBER and next_word[:1].isdigit():
        return False
    if next_word[:1].islower():
        # Sentences start with a capital; "approx. ten", "vs. them" continue.
        return False
    if lowered in _MAYBE_FINAL or (_INITIALISM.match(word) and "." in word):
        return next_word.lower() in _SENTENCE_STARTERS
    if len(word) == 1 and word.isupper() and word != "I":
        # A middle initial, as in "John F. Kennedy".
        return False
    return True
