"""Extractive summaries: an article's lead, in its own words, as whole sentences."""
from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

import regex

from feedsvc.text.sentences import WIDE_CHARS, is_wide, iter_sentences, join_sentences

ELLIPSIS = "…"
_CLAUSE_ENDS = frozenset("，、；：")
# ASCII clause marks also sit inside numbers and times (1,200; 10:30), so need a space
# or CJK text after them.
_ASCII_CLAUSE_ENDS = frozenset(",;:")
# Dropped from the end of a cut so the ellipsis does not follow an opener or a comma.
_TRAILING = "".join(sorted(_CLAUSE_ENDS | _ASCII_CLAUSE_ENDS)) + "“‘「『（(【《[\"' \t"
_GRAPHEME = regex.compile(r"\X")
# A sentence shorter than this (a Han character counting three) is a fragment: "她说。"
_MIN_SENTENCE = 30
# The lead is taken whole up to the budget; below this share of it, a later sentence that
# still fits is added rather than stopping short.
_FULL_ENOUGH = 0.6
# Page furniture that can stand in a sentence of a scraped body: "点击进入“文艺星青年”>>".
_CHROME = re.compile(r">>|》》|点击(?:进入|查看|阅读|这里)|點擊|扫码|掃碼|长按识别|Click here|Read more|Sign up|Subscribe", re.I)
# A news lead's dateline and credit ("新华社北京3月3日电（记者 李四）", "本报讯", "LONDON — "):
# the story starts after them.
_DATELINE = re.compile(
    r"^(?:.{0,20}?\d{1,2}月\d{1,2}日[电讯電訊]|本[报報][讯訊])\s*(?:[(（][^)）]{0,40}[)）])?\s*"
    r"|^[(（【](?:本[报報][讯訊]|[^)）】]{0,20}?\d{1,2}日[电讯電訊])[)）】]\s*"
    r"|^[A-Z][A-Z .,'-]{2,40}\s+[—–-]\s+|^\((?:Reuters|AP|AFP|dpa)\)\s*[—–-]?\s*"
)
_ENDED = re.compile(r"[。！？!?.…；;][”’」』\"')）]*$")
_QUOTE_OPEN = "“‘「『\""
_QUOTE_CLOSE = "”’」』\""
_SEMICOLONS = ("；", ";")
# A speaker's clause after a quotation: "一家企业负责人说。", "他補充道。", "she said."
_SPEAKER = re.compile(
    r"^[^。！？!?“”「」\"]{1,30}?(?:说|說|表示|称|稱|指出|介绍|介紹|坦言|透露|强调|強調|补充|補充|感叹|感嘆|回忆|回憶)道?[。！.!]$"
    r"|^(?:[\w.'’-]+\s+){0,6}(?:said|says|added|explained|told\s+[\w ]{1,30})[\w ,.'’-]{0,60}\.$"
)


def summarize(text: str, *, max_chars: int = 200) -> str:
    """Return the article's lead as whole sentences within max_chars (code points).

    News puts its point first (the inverted pyramid), so the summary is the lead, not a
    selection from all over the text. The rule:

    - Empty or whitespace-only text gives ''. Sentences are normalised as `split_sentences`
      and `join_sentences` do; one ending in a semicolon continues into the next, so a
      summary never ends on "；".
    - The first sentence loses its dateline ("新华社北京3月3日电（记者 李四）"); then
      fragments (under ~10 Han characters or 30 Latin ones), lines without sentence-ending
      punctuation (headings, list items), quotations standing without their speaker and
      page furniture ("点击进入…>>") are skipped — unless nothing else is
      left, when the text is taken as it is.
    - Sentences are added in order while the summary fits; once it holds 60% of the budget
      the first that does not fit ends it, before that a later one that fits is still taken.
    - If even the first usable sentence does not fit, it alone is cut and "…" appended,
      the two together within max_chars. The cut is the last clause boundary (after
      ，,、;；：:) that keeps at least half the budget, else the last word boundary (a space,
      or next to a CJK character), else the last character boundary; dangling clause
      punctuation, openers and spaces before the "…" are dropped.

    Every cut falls on a grapheme-cluster boundary, so no combining mark, emoji modifier
    or ZWJ sequence is split. max_chars below 1 raises ValueError.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    # Sentences are split, merged and judged only as far as the summary reads: the lead of a
    # long article is a few of its sentences (splitting them all was a third of summarising).
    seen: list[str] = []
    sentences = _with_speakers(_through_semicolons(iter_sentences(text)))
    first = next(sentences, None)
    if first is None:
        return ""
    seen.append(first)
    lead = _DATELINE.sub("", first, count=1).strip()
    candidates = chain([lead or first], _recorded(sentences, seen))
    chosen, taken_first = _take((s for s in candidates if _usable(s)), max_chars)
    if taken_first is None:
        # Nothing but fragments (and every sentence read): the text is its own summary, as far as it fits.
        chosen, taken_first = _take(iter(seen), max_chars)
    if not chosen:
        return _cut(taken_first, max_chars)
    return join_sentences(chosen)


def _recorded(sentences: Iterator[str], seen: list[str]) -> Iterator[str]:
    for sentence in sentences:
        seen.append(sentence)
        yield sentence


def _take(usable: Iterator[str], max_chars: int) -> tuple[list[str], str | None]:
    """The sentences the summary keeps, in order, and the first usable one (None if none was)."""
    chosen: list[str] = []
    first = None
    for sentence in usable:
        first = sentence if first is None else first
        trial = join_sentences(chosen + [sentence])
        if len(trial) <= max_chars:
            chosen.append(sentence)
        elif chosen and len(join_sentences(chosen)) >= _FULL_ENOUGH * max_chars:
            break
    return chosen, first


def _through_semicolons(sentences: Iterator[str]) -> Iterator[str]:
    """Sentences with those ending in a semicolon joined to the next one."""
    pending = None
    for sentence in sentences:
        if pending is not None and pending.endswith(_SEMICOLONS):
            pending = join_sentences([pending, sentence])
            continue
        if pending is not None:
            yield pending
        pending = sentence
    if pending is not None:
        yield pending


def _with_speakers(sentences: Iterator[str]) -> Iterator[str]:
    """A quotation joined to the short clause after it that names its speaker.

    Chinese closes a quoted sentence inside the quotes (“……。”一位店主说。), so the splitter
    leaves the speaker a sentence of its own: alone it is a fragment, and the quote without it
    is a quotation nobody said.
    """
    pending = None
    for sentence in sentences:
        if pending is not None and _SPEAKER.match(sentence) and _bare_quotation(pending):
            pending = join_sentences([pending, sentence])
            continue
        if pending is not None:
            yield pending
        pending = sentence
    if pending is not None:
        yield pending


def _usable(sentence: str) -> bool:
    weight = len(sentence) + 2 * len(WIDE_CHARS.findall(sentence))
    if weight < _MIN_SENTENCE or _CHROME.search(sentence):
        return False
    if not _ENDED.search(sentence):
        return False  # a heading, a list item or a caption: sentences end in punctuation
    return not _bare_quotation(sentence)


def _bare_quotation(sentence: str) -> bool:
    """True for a quotation with no speaker in the sentence, or one left open across sentences."""
    body = sentence.rstrip("。！？!?.…")
    opened = sum(body.count(q) for q in "“‘「『")
    closed = sum(body.count(q) for q in "”’」』")
    if opened != closed:
        return True
    return body[:1] in _QUOTE_OPEN and body[-1:] in _QUOTE_CLOSE


def _cut(sentence: str, max_chars: int) -> str:
    """Cut one sentence to fit max_chars together with the appended ellipsis."""
    limit = max_chars - len(ELLIPSIS)
    bounds = [0]
    for match in _GRAPHEME.finditer(sentence):
        if match.end() > limit:
            break
        bounds.append(match.end())
    clause = [b for b in bounds if b * 2 >= limit and _is_clause_boundary(sentence, b)]
    word = [b for b in bounds if b and _is_word_boundary(sentence, b)]
    for candidates in (clause, word, bounds):
        if candidates:
            kept = sentence[: candidates[-1]].rstrip(_TRAILING)
            if kept:
                return kept + ELLIPSIS
    return ELLIPSIS


def _is_clause_boundary(text: str, at: int) -> bool:
    before = text[at - 1]
    after = text[at]
    # Chinese pages often use ASCII commas, with no space after them.
    return before in _CLAUSE_ENDS or (before in _ASCII_CLAUSE_ENDS and (after.isspace() or is_wide(after)))


def _is_word_boundary(text: str, at: int) -> bool:
    before, after = text[at - 1], text[at]
    return before.isspace() or after.isspace() or is_wide(before) or is_wide(after)
