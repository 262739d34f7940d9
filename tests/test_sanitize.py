"""Typed input made clean: one line, paragraphs, and the one splitter of typed lists."""
from __future__ import annotations

from feedsvc.sanitize import clean_line, clean_text, from_spreadsheet_cell, split_list, spreadsheet_cell


def test_split_list_takes_ascii_and_full_width_separators():
    assert split_list("ferry, harbour，ferry、港口; 渡轮；") == ["ferry", "harbour", "港口", "渡轮"]
    assert split_list(" open  source ,\x00x") == ["open source", "x"]
    assert split_list("") == [] and split_list(None) == []


def test_clean_line_and_text():
    assert clean_line("  a\tb\n c\x07 ") == "a b c"
    assert clean_text("one\r\n  line\r\n\r\n\r\ntwo\x00") == "one line\n\ntwo"


def test_spreadsheet_cells_are_defused_and_read_back():
    for value in ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "", "'quoted", "7"):
        cell = spreadsheet_cell(value)
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
        assert from_spreadsheet_cell(cell) == value
    assert spreadsheet_cell(7) == "7" and spreadsheet_cell(None) == ""
