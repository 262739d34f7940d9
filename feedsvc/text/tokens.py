"""Words of Chinese (jieba's dictionary, compiled) and English text, and the few that tag an article."""
from __future__ import annotations

import importlib.util
import marshal
import os
import re
import tempfile
import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

ENGLISH_STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own said same say says she should so
    some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves according told per via
    within without among around across since upon whether however many much even still
    yet like may might must us last next
    s t don't doesn't didn't isn't aren't wasn't weren't won't can't it's that's he's
    she's they're we're i'm you're there's
    """.split()
)
# One-character words that carry grammar, not content, in Chinese text.
CHINESE_FUNCTION_CHARS = frozenset(
    "的了在是和与及或也都就而但又把被让给对从向于以之其这那个着过"
    "吗呢吧啊呀嘛么则并等将为所由即如若因很还不有要会我你他她它们"
)

# Words of more than one character that Chinese news uses everywhere ("表示" is its "said"),
# and the words of a news page's furniture that reach a scraped body (comment counts,
# share bars, credits): none of them tags an article.
CHINESE_STOP_WORDS = frozenset(
    "我们 你们 他们 她们 它们 这个 那个 这些 那些 一个 没有 什么 因为 所以"
    " 但是 如果 可以 已经 表示 进行 目前 以及 并且 或者 其中 这样 那样 自己"
    " 这是 就是 还是 通过 对于 认为 记者"
    " 日电 本报讯 来源 编辑 责任编辑 作者 通讯员 跟贴 跟帖 评论 分享 点击 详细 详情 小时 分钟"
    " 今天 昨天 今日 昨日 近日 日前 据悉 了解 介绍 报道 网友 图片 视频 原文 全文 阅读 更多"
    " 查看 收藏 打印 微信 微博 客户端 下载 扫码 关注 举报 字号 正文 首页 栏目 频道 网站".split()
)
# English furniture words likewise.
ENGLISH_FURNITURE = frozenset(
    "pick picks share comment comments click read subscribe newsletter advertisement sponsored"
    " photo photos image images video videos caption credit getty".split()
)

_ENGLISH_WORD = re.compile(r"\w+(?:['’]\w+)*")
_POSSESSIVE = re.compile(r"['’]s$")

_lock = threading.Lock()
_idf: tuple[dict[str, float], float] | None = None


def _segment(text: str) -> list[str]:
    """Chinese words of ``text``: jieba's dictionary and HMM, compiled (jieba-rs via rjieba).

    The pure-Python jieba took 1.4-2.1 s to load its dictionary in every process and 6 ms per
    article; rjieba imports in 0.08 s and cuts an article in 0.1 ms, with the same dictionary.
    """
    import rjieba

    return rjieba.cut(text, hmm=True)


def _idf_table() -> tuple[dict[str, float], float]:
    """jieba's inverse document frequencies (word -> idf) and their median, read once.

    The table ships inside the jieba package (its ``analyse/idf.txt``); it is read from there
    without importing jieba, and kept as a marshal file in the temp dir, which loads in half
    the time of parsing the text.
    """
    global _idf
    with _lock:
        if _idf is None:
            _idf = _load_idf()
        return _idf


def _load_idf() -> tuple[dict[str, float], float]:
    source = Path(importlib.util.find_spec("jieba").submodule_search_locations[0]) / "analyse" / "idf.txt"
    cache = Path(tempfile.gettempdir()) / f"feedsvc-idf-{source.stat().st_size}-{int(source.stat().st_mtime)}.marshal"
    try:
        table = marshal.loads(cache.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        table = {}
        with source.open(encoding="utf-8") as lines:
            for line in lines:
                word, _, value = line.strip().partition(" ")
                if word and value:
                    table[word] = float(value)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}")
        try:
            partial.write_bytes(marshal.dumps(table))
            partial.replace(cache)  # whole or not at all: another process may read it now
        except OSError:
            pass  # a read-only temp dir costs the cache, not the tags
    values = sorted(table.values())
    return table, values[len(values) // 2]


# Cached, as _is_tag below: an article repeats its words (620 tokens, 250 distinct, in the
# bench corpus) and news repeats its vocabulary, so most calls are a lookup (issue 11).
@lru_cache(maxsize=1 << 16)
def _keep(token: str) -> str | None:
    """Return the token as indexed (lower-cased, possessive dropped), or None to drop it."""
    token = _POSSESSIVE.sub("", token.strip().lower())
    if not any(unicodedata.category(ch)[0] in "LN" for ch in token):
        return None
    if token in ENGLISH_STOP_WORDS or token in CHINESE_FUNCTION_CHARS or token in CHINESE_STOP_WORDS:
        return None
    if token in ENGLISH_FURNITURE:
        return None
    return token


def tokenize(text: str, lang: str | None) -> list[str]:
    """Return content words: jieba words for 'zh', lower-cased words for anything else."""
    raw = _segment(text) if lang == "zh" else _ENGLISH_WORD.findall(text)
    return [token for token in map(_keep, raw) if token]


def extract_tags(text: str, lang: str | None, k: int = 5) -> list[str]:
    """Return up to k keywords: jieba TF-IDF for 'zh', word frequency for anything else."""
    if k <= 0:
        return []
    if lang == "zh":
        words = _segment(text)  # once: the scores and the order of first appearance share it
        tokens = [token for token in map(_keep, words) if token]
        scores = _tf_idf(words)
    else:
        tokens = tokenize(text, lang)
        scores = {word: float(count) for word, count in Counter(tokens).items() if _is_tag(word)}
    first_seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        first_seen.setdefault(token, index)
    # Ties go to the word seen first, so the result never depends on dict or set order.
    order = sorted(scores, key=lambda word: (-scores[word], first_seen.get(word, len(tokens)), word))
    return order[:k]


def _tf_idf(words: list[str]) -> dict[str, float]:
    """TF-IDF of a text's words against jieba's table, as jieba.analyse.extract_tags computes
    it (words of two or more characters; unknown words get the median idf)."""
    idf, median = _idf_table()
    counts = Counter(w for w in words if len(w.strip()) >= 2)
    total = sum(counts.values()) or 1
    scores: dict[str, float] = {}
    for word, count in counts.items():
        if _is_tag(word):
            key = word.lower()
            scores[key] = max(count / total * idf.get(word, median), scores.get(key, 0.0))
    return scores


@lru_cache(maxsize=1 << 16)
def _is_tag(word: str) -> bool:
    """Numbers, amounts and single characters make poor tags."""
    word = word.strip()
    has_letter = any(unicodedata.category(ch)[0] == "L" for ch in word)
    return len(word) > 1 and has_letter and _keep(word) is not None

