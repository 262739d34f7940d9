from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.text.sentences import split_sentences
from feedsvc.text.summary import ELLIPSIS, summarize

DATA = Path(__file__).parent / "data"
ARTICLES = ["zh_metro.txt", "zh_metro_fares.txt", "en_bikes.txt", "en_bikes_share.txt"]
GRAPHEME = regex.compile(r"\X")
# Invented stories in which sentences 0, 1 and 3 share the flood and the market.
FLOOD_EN = (
    "Heavy rain flooded the old market district on Sunday. "
    "Firefighters rescued twelve people from flooded homes in the market district. "
    "A local bakery celebrated its fiftieth anniversary. "
    "The city said the rain and the flooding closed four roads near the market. "
    "Tickets for the concert are on sale now."
)
FLOOD_ZH = (
    "暴雨导致老城区菜市场周日被淹。消防员从菜市场附近被淹的民房中救出十二人。"
    "一家面包店庆祝开业五十周年。市政府表示，暴雨和积水导致菜市场附近四条道路封闭。音乐会门票现已开售。"
)


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def sentence_indexes(summary: str, text: str) -> list[int]:
    """Indexes of the text's sentences that make up the summary, in summary order."""
    sentences = split_sentences(text)
    found, rest = [], summary
    while rest:
        index = next(i for i, s in enumerate(sentences) if rest.startswith(s) and i not in found)
        found.append(index)
        rest = rest[len(sentences[index]) :].lstrip(" ")
    return found


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", "\u3000"])
def test_empty_text_gives_empty_summary(text):
    assert summarize(text) == ""


def test_short_text_returns_itself_normalised():
    assert summarize("  Hello   world.\n\nSecond\none. ") == "Hello world. Second one."
    assert summarize("第一句。\n\n第二\n句！") == "第一句。第二句！"


def test_english_summary_is_the_lead_in_whole_sentences():
    assert summarize(FLOOD_EN, max_chars=140) == (
        "Heavy rain flooded the old market district on Sunday. "
        "Firefighters rescued twelve people from flooded homes in the market district."
    )
    assert summarize(FLOOD_EN, max_chars=60) == "Heavy rain flooded the old market district on Sunday."


def test_chinese_summary_is_the_lead_in_whole_sentences():
    assert summarize(FLOOD_ZH, max_chars=40) == "暴雨导致老城区菜市场周日被淹。消防员从菜市场附近被淹的民房中救出十二人。"


def test_a_dateline_does_not_open_the_summary():
    text = ("新华社北京3月3日电（记者 李四）全国春运今日结束，铁路累计发送旅客超过四亿人次。"
            "民航、公路客运量也较去年同期明显增长。")
    assert summarize(text, max_chars=60).startswith("全国春运今日结束")
    assert summarize("LONDON — After nearly twenty years the ferry line will close next month, "
                     "its operator said on Friday.", max_chars=60).startswith("After nearly twenty years")


def test_fragments_bare_quotations_and_furniture_are_skipped():
    text = ("点击进入“文艺星青年”>>社区图书馆周末举办亲子共读活动，吸引两百多个家庭参加。"
            "小花奶奶说。她说。“我们每周都来。”"
            "馆方表示，今后每月都将举办主题阅读活动，并邀请本地作家到场交流。")
    assert summarize(text, max_chars=200) == "馆方表示，今后每月都将举办主题阅读活动，并邀请本地作家到场交流。"


def test_a_bracketed_dateline_does_not_open_the_summary():
    text = "（本報訊）港務局十日公布，三月份貨櫃吞吐量達一百八十萬標準箱，創下單月新高。"
    assert summarize(text, max_chars=200).startswith("港務局十日公布")


def test_a_quotation_keeps_the_speaker_who_follows_it():
    text = ("市场上周重新开放，摊位数量比去年多出三成。“以前下雨天根本没人来，现在顶棚修好了，生意一下子好起来了。”"
            "一位卖菜的摊主说。管理方计划明年再增加一个停车场。")
    summary = summarize(text, max_chars=200)
    assert "“以前下雨天根本没人来，现在顶棚修好了，生意一下子好起来了。”一位卖菜的摊主说。" in summary


def test_a_summary_never_ends_on_a_semicolon():
    text = ("新学期全市新增中小学学位一万二千个；其中小学学位八千个，初中学位四千个。"
            "教育部门表示，新建学校均已通过验收，将按时开学。")
    for budget in (30, 45, 60, 100):
        summary = summarize(text, max_chars=budget)
        assert not summary.rstrip(ELLIPSIS).endswith(("；", ";")), summary


@pytest.mark.parametrize("name", ARTICLES)
@pytest.mark.parametrize("max_chars", [40, 80, 120, 200, 300])
def test_article_summaries_follow_the_length_rule_and_order(name, max_chars):
    text = read(name)
    summary = summarize(text, max_chars=max_chars)
    assert 0 < len(summary) <= max_chars
    if summary.endswith(ELLIPSIS):
        # Only a best sentence too long for the budget is cut; it stands alone.
        assert not any(summary == s for s in split_sentences(text))
        assert any(s.startswith(summary[:-1]) for s in split_sentences(text))
    else:
        indexes = sentence_indexes(summary, text)
        assert indexes == sorted(indexes)


def test_lead_sentence_leads_each_article_summary():
    for name in ARTICLES:
        text = read(name)
        assert summarize(text, max_chars=200).startswith(split_sentences(text)[0][:10])


def test_too_long_best_sentence_is_cut_at_a_clause_boundary():
    text = "市交通部门预计，5号线开通后，全市轨道交通日均客流将增加约35万人次，城区主要道路的拥堵情况有望得到缓解。"
    assert summarize(text, max_chars=30) == "市交通部门预计，5号线开通后…"
    english = (
        "The council voted on Tuesday to add forty miles of protected bike lanes, "
        "the largest expansion in the city's history, after a long debate."
    )
    assert summarize(english, max_chars=120) == (
        "The council voted on Tuesday to add forty miles of protected bike lanes, "
        "the largest expansion in the city's history…"
    )
    assert summarize(english, max_chars=100) == (
        "The council voted on Tuesday to add forty miles of protected bike lanes…"
    )


def test_cut_falls_back_to_word_then_character_boundaries():
    english = "The council voted on Tuesday to add forty miles of protected bike lanes after debate."
    assert summarize(english, max_chars=30) == "The council voted on Tuesday…"
    assert summarize(english, max_chars=3) == "Th…"
    assert summarize(english, max_chars=1) == ELLIPSIS
    # A comma inside a number is no clause boundary.
    assert summarize("It will pull its 1,200 bikes from the streets of the city.", max_chars=22) == "It will pull its…"


def test_max_chars_must_be_positive():
    with pytest.raises(ValueError):
        summarize("Anything.", max_chars=0)


def test_mixed_chinese_and_english():
    text = (
        "临江市今天开通地铁5号线。The line links the lake district with the south station. "
        "全程约55分钟。Riders praised the new trains. 票价为2元起。"
    )
    summary = summarize(text, max_chars=80)
    # "全程约55分钟。" is a fragment (under ten characters), so the lead stops before it.
    assert summary == "临江市今天开通地铁5号线。The line links the lake district with the south station."


def graphemes(text: str) -> list[str]:
    return GRAPHEME.findall(text)


@pytest.mark.parametrize("max_chars", range(2, 90, 3))
def test_emoji_and_combining_marks_are_never_broken(max_chars):
    text = (
        "Cafe\u0301 au lait costs more now. 👨\u200d👩\u200d👧 Families queue for the new cafe\u0301 "
        "every morning at the cafe\u0301 door. The cafe\u0301 opened in May. 🇨🇳🇺🇸👍🏽 flags hang at the entrance."
    )
    summary = summarize(text, max_chars=max_chars)
    assert len(summary) <= max_chars
    body = summary.removesuffix(ELLIPSIS)
    assert set(graphemes(body)) <= set(graphemes(text)) | {" "}
    assert not body.endswith("\u200d") and not regex.match(r"\p{M}", summary)


def test_deterministic():
    for name in ARTICLES:
        text = read(name)
        assert summarize(text, max_chars=150) == summarize(text, max_chars=150)


TEXT_ALPHABET = st.sampled_from(
    list("abc XYZ 中文新闻，。！？；.!?…“”\"'()（）\n\u3000")
    + ["\u0301", "\u200d", "👨", "👩", "🏽", "🇨", "🇳", "e\u0301", "3.5", "Mr.", "U.S."]
)


@settings(deadline=None, max_examples=150)
@given(
    text=st.lists(TEXT_ALPHABET, max_size=120).map("".join),
    max_chars=st.integers(min_value=1, max_value=80),
)
def test_summary_properties(text, max_chars):
    summary = summarize(text, max_chars=max_chars)
    assert len(summary) <= max_chars
    assert summary == summarize(text, max_chars=max_chars)
    body = summary.removesuffix(ELLIPSIS)
    assert set(body) <= set(text) | {" "}
    assert set(graphemes(body)) <= set(graphemes(text)) | {" "}
    assert not regex.match(r"[\p{M}\u200d]", summary)
    if not text.strip():
        assert summary == ""
