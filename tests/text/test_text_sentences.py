import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from feedsvc.text.sentences import join_sentences, normalize_space, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones at 3.5 p.m. on Jan. 5! Was it fun? Yes.",
            ["Mr. Smith met Dr. Jones at 3.5 p.m. on Jan. 5!", "Was it fun?", "Yes."],
        ),
        (
            "The U.S. economy grew 3.5% in 2023. Officials welcomed it.",
            ["The U.S. economy grew 3.5% in 2023.", "Officials welcomed it."],
        ),
        (
            "Lived in the U.S. He moved in 2019.",
            ["Lived in the U.S.", "He moved in 2019."],
        ),
        (
            "See https://example.com/a?b=1.5&c=x. Then write to ops.team@example.co.uk. Done!",
            ["See https://example.com/a?b=1.5&c=x.", "Then write to ops.team@example.co.uk.", "Done!"],
        ),
        (
            'He said "Go." She left. "Why?" she asked.',
            ['He said "Go."', "She left.", '"Why?" she asked.'],
        ),
        (
            "Item No. 5 sold, e.g. the red one, i.e., the last. Nothing else was said.",
            ["Item No. 5 sold, e.g. the red one, i.e., the last.", "Nothing else was said."],
        ),
        ("John F. Kennedy spoke. So did I. Right?", ["John F. Kennedy spoke.", "So did I.", "Right?"]),
        ("I thought... Then nothing. Wait... what?", ["I thought...", "Then nothing.", "Wait... what?"]),
        ("Prices rose (sharply). Shares fell!)", ["Prices rose (sharply).", "Shares fell!)"]),
        ("It rained; roads closed. Version 2.0.1 shipped.", ["It rained;", "roads closed.", "Version 2.0.1 shipped."]),
    ],
)
def test_english_splits(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "“我们走吧！”他说。今天的增长率为3.5%。你知道吗？",
            ["“我们走吧！”", "他说。", "今天的增长率为3.5%。", "你知道吗？"],
        ),
        (
            "他说：“我不知道……”然后走了。等等……，还有呢",
            ["他说：“我不知道……”", "然后走了。", "等等……，还有呢"],
        ),
        (
            "苹果公司（Apple Inc.）周二发布了新品。价格上涨了１．５倍！真的吗？！是的；没错。",
            ["苹果公司（Apple Inc.）周二发布了新品。", "价格上涨了１．５倍！", "真的吗？！", "是的；", "没错。"],
        ),
        (
            "「好的。」她回答。『再见！』详见https://example.cn/a.html。",
            ["「好的。」", "她回答。", "『再见！』", "详见https://example.cn/a.html。"],
        ),
        ("报道称(来源：新华社)。下一句", ["报道称(来源：新华社)。", "下一句"]),
    ],
)
def test_chinese_splits(text, expected):
    assert split_sentences(text) == expected


def test_paragraphs_end_sentences_and_whitespace_is_normalised():
    text = "第一段第一句。第一段\n第二句\n\n第二段没有句号\r\n \r\n  Third   para\tno stop \n\n\n"
    assert split_sentences(text) == ["第一段第一句。", "第一段第二句", "第二段没有句号", "Third para no stop"]


def test_mixed_script_keeps_space_between_cjk_and_latin():
    assert split_sentences("我们用 Python  写代码。It works.") == ["我们用 Python 写代码。", "It works."]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", " \u0301 "])
def test_nothing_to_split(text):
    assert split_sentences(text) == []


def test_marks_stay_with_their_character():
    # A combining acute after the full stop belongs to it; one after a space is an orphan.
    assert split_sentences("Hi.\u0301 Then. \u0301Next!") == ["Hi.\u0301", "Then.", "Next!"]


def test_join_uses_space_only_between_latin_sentences():
    assert join_sentences(["第一句。", "第二句。"]) == "第一句。第二句。"
    assert join_sentences(["One.", "Two."]) == "One. Two."
    assert join_sentences(["中文。", "English.", "再来。"]) == "中文。English.再来。"


def test_normalize_space():
    assert normalize_space("  a \n\t b  中 文 c ") == "a b 中文 c"


@given(st.text(alphabet=st.sampled_from("ab 中文。.!?？…\n”\"3%")))
def test_sentences_are_trimmed_and_non_empty(text):
    sentences = split_sentences(text)
    assert all(s and s == s.strip() and "\n" not in s for s in sentences)
    # Nothing but whitespace is lost.
    squeeze = "".join(text.split())
    assert "".join("".join(s.split()) for s in sentences) == squeeze


@given(st.text())
def test_any_text_splits_into_clean_sentences(text):
    sentences = split_sentences(text)
    for sentence in sentences:
        assert sentence and sentence == sentence.strip()
        assert set(sentence) <= set(text) | {" "}
        assert not regex.match(r"[\p{M}\u200d]", sentence)
