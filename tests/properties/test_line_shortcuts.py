"""The quick ways of ruling a line out say what the plain rules say, for any line at all.

Classifying a page's lines takes shortcuts (issue 11): a mark no tool word takes away, a
separator a menu needs, a footer marker looked for only where it may stand. Each must give
what its rule gives, so the rules below are the plain ones, written out again here.
"""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.ingest import chrome, infolines

from . import PROFILE
from .strategies import hostile_str

# The pieces the rules look for, so that random lines hit them and their near misses.
_PIECES = (
    "【打印】", "[关闭]", "【字体：大 中 小】", "打印", "關閉", "Print this", "close WINDOW", "A+", "A-", "大", "小",
    "主办", "主辦：", "承办 |", "主管｜", "Copyright 2024", "免责声明", "本站转载", "电话：", "Disclaimer:",
    "首页", "新闻", " | ", "｜", "丨", "·", "•", "\u3000", "  ", "\t ", " ", "。", "，", ",", ".", ":", "：",
    "【", "】", "[", "]", "/", "2024", "Home", "News", "市政府召开会议",
)
lines = st.one_of(hostile_str, st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), st.text(max_size=40))

_FOOTER_START_PLAIN = re.compile("|".join(f"^(?:{p})" for p in (chrome._FOOTER_START.pattern,))
                                 + "|" + chrome._FOOTER_CREDIT.pattern, re.IGNORECASE)


@settings(PROFILE, max_examples=400)
@given(text=lines)
def test_a_tool_bar_is_what_is_left_of_nothing_but_tools(text):
    plain = not chrome._TOOL_FILLER.sub("", chrome._TOOL_WORDS.sub("", infolines.TOOLS_RE.sub("", text)))
    assert chrome._is_tool_bar(text) == plain


@settings(PROFILE, max_examples=400)
@given(text=lines)
def test_a_menu_row_is_found_with_or_without_looking_for_separators_first(text):
    items = [i for i in chrome._NAV_SPLIT.split(text) if i]
    if len(items) < 3 and re.fullmatch(r"[\u4e00-\u9fff]{1,8}(?: [\u4e00-\u9fff]{1,8}){2,}", text):
        items = text.split(" ")
    plain = len(items) >= 3 and all(chrome._is_menu_item(i) for i in items)
    assert chrome.is_nav(text) == plain


@settings(PROFILE, max_examples=400)
@given(text=lines)
def test_footer_markers_are_found_as_one_search_would_find_them(text):
    plain = bool(_FOOTER_START_PLAIN.search(text)) or (
        len(text) <= chrome._FOOTER_MAX_LEN and bool(chrome._FOOTER_ANYWHERE.search(text)))
    assert chrome.is_footer(text) == plain


@settings(PROFILE, max_examples=400)
@given(text=st.one_of(lines, st.lists(st.sampled_from(
    ("2024-03-05", "２０２４年３月５日", "20:04", " ", "星期二", "。", "；", "！", "？", "!", "?", ";", "，", "来源"),
), max_size=6).map("".join)))
def test_a_dateline_is_refused_for_its_sentence_marks_before_or_after_normalising(text):
    import unicodedata

    normal = unicodedata.normalize("NFKC", text)
    if any(mark in normal for mark in "，。；;！？!?"):
        assert infolines._dateline(text) is None
    else:
        assert infolines._dateline(text) == infolines._dateline(normal)
