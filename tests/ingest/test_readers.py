"""The readers' votes: readability-lxml's whitespace cleaning, replaced by a linear one."""
from __future__ import annotations

import readability.readability
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.ingest.readers import clean_whitespace, library_clean

# Whitespace of every kind the patterns treat apart (\s, newline, tab, space), and text between.
_PIECES = st.sampled_from([" ", "  ", "\t", "\n", "\r", "\xa0", "\u3000", "\x0b", "\x0c", "a", "词", " \n ", "\t\t"])


@settings(max_examples=500)
@given(st.lists(_PIECES, max_size=80).map("".join))
def test_clean_whitespace_is_readabilitys_clean(text):
    assert clean_whitespace(text) == library_clean(text)


def test_long_runs_are_capped_as_readability_caps_them():
    for text in (" " * 300 + "x", "x" + "\t" * 256 + "\n" + " " * 254 + "y", "a" + " \n" * 200 + "b",
                 "\n" * 255, "x" + " " * 254 + "y"):
        assert clean_whitespace(text) == library_clean(text)


def test_readability_measures_text_with_it():
    assert readability.readability.clean is clean_whitespace


def test_readability_reads_the_same_text_without_blanking_javascript_links(monkeypatch):
    from feedsvc.ingest.htmltree import load_tree
    from feedsvc.ingest.readers import reader_texts

    story = "".join(
        f"<p onclick='track({n})'>The harbour ferry resumed service on Monday, its {n}th week back, "
        f"and <a href='javascript:void(0)' onmouseover='x()'>riders</a> filled the upper deck.</p>"
        for n in range(8))
    page = f"<html><body><div class='nav'><a href='javascript:go()'>Home</a></div><div class='article'>{story}</div></body></html>"
    ours, _ = reader_texts(load_tree(page))
    monkeypatch.setattr(readability.readability.html_cleaner, "javascript", True)  # the library's own setting
    theirs, _ = reader_texts(load_tree(page))
    assert ours == theirs and "riders filled the upper deck" in ours
