import os
import subprocess
import sys
from pathlib import Path

from feedsvc.text.tokens import extract_tags, tokenize

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_chinese_tokens_drop_punctuation_and_function_words():
    tokens = tokenize("临江市地铁5号线今天上午正式开通运营，这是该市的第一条线路。", "zh")
    assert tokens == ["临江市", "地铁", "5", "号线", "今天上午", "正式", "开通", "运营", "该市", "第一条", "线路"]
    assert "的" not in tokens and "，" not in tokens


def test_english_tokens_are_lowercased_content_words():
    tokens = tokenize("The council's plan, which Mr. Hale opposed, won't cost $58.5 million!", "en")
    assert tokens == ["council", "plan", "mr", "hale", "opposed", "cost", "58", "5", "million"]


def test_latin_words_inside_chinese_text_are_lowercased_and_filtered():
    assert tokenize("苹果公司发布了 iPhone 和 The Vision", "zh") == ["苹果公司", "发布", "iphone", "vision"]


def test_chinese_tags():
    assert extract_tags(read("zh_metro.txt"), "zh") == ["号线", "临江市", "轨道交通", "开通", "滨湖"]
    assert extract_tags(read("zh_metro_fares.txt"), "zh", k=3) == ["听证会", "票价", "地铁"]


def test_english_tags():
    assert extract_tags(read("en_bikes.txt"), "en") == ["city", "council", "bike", "lanes", "riverton"]
    assert extract_tags(read("en_bikes_share.txt"), "en", k=3) == ["city", "bike", "operator"]


def test_tags_skip_numbers_and_break_ties_by_first_appearance():
    text = "Zebra apple 2024 2024 2024 mango apple zebra 5% mango"
    assert extract_tags(text, "en", k=3) == ["zebra", "apple", "mango"]
    assert extract_tags(text, "en", k=0) == []


def test_chinese_tags_load_quietly_and_cache_the_idf_table_in_temp_dir(tmp_path):
    # A home that does not exist stands in for a read-only one: nothing may be written there.
    env = dict(os.environ, TMPDIR=str(tmp_path), HOME=str(tmp_path / "no-home"), PYTHONPATH=str(ROOT))
    code = ("from feedsvc.text.tokens import extract_tags, tokenize; print(tokenize('今天天气很好', 'zh')); "
            "print(extract_tags('城市地铁五号线今天开通，地铁五号线全长三十公里。', 'zh', k=2))")
    for _ in range(2):  # the second run reads the cached table
        result = subprocess.run(
            [sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert result.stdout.splitlines() == ["['今天天气', '好']", "['五号线', '地铁']"]
        assert result.stderr == ""
    assert len(list(tmp_path.glob("feedsvc-idf-*.marshal"))) == 1
    assert not (tmp_path / "no-home").exists()
