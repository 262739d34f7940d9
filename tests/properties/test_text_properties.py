"""The summariser and the sentence splitter against any text at all."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.text.sentences import normalize_space, split_sentences
from feedsvc.text.summary import summarize

from . import PROFILE
from .strategies import TRICKY, hostile_str, hostile_text, paragraph

# Long enough to need a summary; hostile pieces inside whole sentences.
articles = st.lists(st.one_of(paragraph, hostile_text), min_size=1, max_size=8).map("\n\n".join)
any_text = st.one_of(hostile_text, hostile_str, articles, st.text())


@settings(PROFILE, max_examples=250)
@given(text=any_text, max_chars=st.integers(1, 400))
def test_summary_never_raises_fits_and_is_deterministic(text, max_chars):
    summary = summarize(text, max_chars=max_chars)
    assert isinstance(summary, str) and len(summary) <= max_chars
    assert summarize(text, max_chars=max_chars) == summary
    if text.strip():
        assert summary or not normalize_space(text)


@settings(PROFILE, max_examples=300)
@given(text=st.one_of(any_text, st.lists(st.sampled_from(TRICKY), max_size=30).map("".join)))
def test_sentences_are_the_whitespace_normalised_text(text):
    # split_sentences promises whitespace-normalised sentences: the text as normalize_space
    # leaves it (marks orphaned by whitespace dropped), cut at sentence ends, nothing else lost.
    sentences = split_sentences(text)
    assert all(s and s == s.strip() and "\n" not in s for s in sentences)
    assert "".join("".join(s.split()) for s in sentences) == "".join(normalize_space(text).split())
