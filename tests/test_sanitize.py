"""Typed input made clean: one line, paragraphs, and the one splitter of typed lists."""
from __future__ import annotations

from feedsvc.sanitize import clean_line, clean_text, split_list


def test_split_list_takes_ascii_and_full_width_separators():
    assert split_list("ferry, harbour，ferry、港口; 渡轮；") == ["ferry", "harbour", "港口", "渡轮"]
    assert split_list(" open  source ,\x00x") == ["open source", "x"]
    assert split_list("") == [] and split_list(None) == []


def test_clean_line_and_text():
    assert clean_line("  a\tb\n c\x07 ") == "a b c"
    assert clean_text("one\r\n  line\r\n\r\n\r\ntwo\x00") == "one line\n\ntwo"
