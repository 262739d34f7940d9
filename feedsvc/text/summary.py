"""Extractive summaries: the most central sentences of an article, in their own words."""
from __future__ import annotations

import math
from collections import Counter

import regex

from feedsvc.text.lang import detect_lang
from feedsvc.text.sentences import is_wide, join_sentences, split_sentences
from feedsvc.text.signature import normalize_text
from feedsvc.text.tokens import tokenize

ELLIPSIS = "…"
# TextRank compares every pair of sentences; past this many the cost grows
# quadratically for text (logs, listings) that a summary would not serve anyway.
MAX_SENTENCES = 200
_DAMPING = 0.85
_ITERATIONS = 100
_TOLERANCE = 1e-10
_CLAUSE_ENDS = frozenset("，、；：")
# ASCII clause marks also sit inside numbers and times (1,200; 10:30), so need a space
# or CJK text after them.
_ASCII_CLAUSE_ENDS = frozenset(",;:")
# Dropped from the end of a cut so the ellipsis does not follow an opener or a comma.
_TRAILING = "".join(sorted(_CLAUSE_ENDS | _ASCII_CLAUSE_ENDS)) + "“‘「『（(【《[\"' \t"
_GRAPHEME = regex.compile(r"\X")
_HAN = regex.compile(r"\p{Han}")


def summarize(text: str, *, lang: str | None = None, max_chars: int = 200) -> str:
    """Return the most central sentences of text, in their original order, within max_chars.

    Lengths are counted in code points (len of the str). The rule:

    - Empty or whitespace-only text gives ''. Text whose normalised form (its sentences
      joined as `join_sentences` does) fits in max_chars is returned in that form.
    - Otherwise sentences are ranked by TextRank over their token bags, with the random
      jump biased towards early sentences (news puts its point first); ties go to the
      earlier sentence. Going down that ranking, each sentence is taken if the joined
      selection still fits, skipped if not (as is a repeat of a sentence already
      taken). The result is the selection in original order and is never longer than
      max_chars.
    - If even the best sentence does not fit, it alone is cut and "…" appended, the two
      together within max_chars. The cut is the last clause boundary (after ，,、;；：:)
      that keeps at least half the budget, else the last word boundary (a space, or
      next to a CJK character), else the last character boundary; dangling clause
      punctuation, openers and spaces before the "…" are dropped.

    Every cut falls on a grapheme-cluster boundary, so no combining mark, emoji modifier
    or ZWJ sequence is split. lang ('zh' or 'en') picks the tokenizer; None detects it.
    max_chars below 1 raises ValueError.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    sentences = split_sentences(text)
    whole = join_sentences(sentences)
    if len(whole) <= max_chars:
        return whole
    sentences = sentences[:MAX_SENTENCES]
    if lang is None:
        lang = detect_lang(whole) or ("zh" if _HAN.search(whole) else "en")
    scores = _centrality([Counter(tokenize(s, lang)) for s in sentences])
    ranking = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    best = sentences[ranking[0]]
    if len(best) > max_chars:
        return _cut(best, max_chars)
    chosen: list[int] = []
    seen: set[str] = set()
    for index in ranking:
        key = normalize_text(sentences[index])
        if key in seen:
            continue
        trial = sorted(chosen + [index])
        if len(join_sentences([sentences[i] for i in trial])) <= max_chars:
            chosen = trial
            seen.add(key)
    return join_sentences([sentences[i] for i in chosen])


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    if len(b) < len(a):
        a, b = b, a
    dot = sum(count * b[word] for word, count in a.items() if word in b)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(c * c for c in a.values()) * sum(c * c for c in b.values()))
    return dot / norm


def _centrality(bags: list[Counter[str]]) -> list[float]:
    """Return position-biased PageRank scores over the cosine-similarity graph of the sentences."""
    n = len(bags)
    weights = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            weights[i][j] = weights[j][i] = _cosine(bags[i], bags[j])
    out_sums = [sum(row) for row in weights]
    incoming = [[(j, weights[j][i] / out_sums[j]) for j in range(n) if weights[j][i]] for i in range(n)]
    jump_raw = [1.0 / (i + 1) for i in range(n)]
    jump = [w / sum(jump_raw) for w in jump_raw]
    scores = list(jump)
    for _ in range(_ITERATIONS):
        # A sentence sharing no word with any other passes its rank on by the jump.
        stranded = sum(scores[j] for j in range(n) if not out_sums[j])
        new = [
            (1 - _DAMPING + _DAMPING * stranded) * jump[i]
            + _DAMPING * sum(weight * scores[j] for j, weight in incoming[i])
            for i in range(n)
        ]
        change = max(abs(a - b) for a, b in zip(new, scores))
        scores = new
        if change < _TOLERANCE:
            break
    return scores


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
