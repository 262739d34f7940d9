"""Pages and dumps we wrote, one per defect class the extraction issue names, each with what a
careful reader takes from it (``<name>.expected.json`` beside it, the shared sample's format).

They go through ``prepare_articles``, what ``feedsvc parse`` and an import run, so summaries and
tags are checked as a digest reader sees them.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedsvc.ingest.enrich import prepare_articles
from feedsvc.ingest.settings import ImportSettings
from feedsvc.text.sentences import split_sentences
from feedsvc.text.signature import normalize_text

CLASSES = Path(__file__).resolve().parent / "fixtures" / "classes"
CASES = sorted(p for p in CLASSES.iterdir() if p.suffix != ".json")
SETTINGS = ImportSettings(tz=ZoneInfo("Asia/Shanghai"))


def _published(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


@pytest.fixture(params=CASES, ids=lambda p: p.name)
def case(request):
    path = request.param
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    [article] = prepare_articles(path.read_bytes(), path.name, settings=SETTINGS)
    return article, expected


def test_fields(case):
    article, expected = case
    for name, value in expected.get("expect", {}).items():
        actual = _published(article.published) if name == "published" else getattr(article, name)
        assert actual == value, name
    for name, values in expected.get("one_of", {}).items():
        assert getattr(article, name) in values, name


def test_text(case):
    article, expected = case
    if "text_starts_with" in expected:
        assert article.text.startswith(expected["text_starts_with"]), article.text[:200]
    for wanted in expected.get("text_contains", []):
        assert wanted in article.text
    for unwanted in expected.get("text_must_not_contain", []):
        assert unwanted not in article.text, unwanted
    assert len(article.text.split("\n\n")) >= expected.get("text_paragraphs_at_least", 1)


def test_summary_and_tags(case):
    """The summary is whole sentences of the body, never the title again; tags come from the body."""
    article, expected = case
    assert normalize_text(article.summary) != normalize_text(article.title)
    body = normalize_text(article.text)
    for sentence in split_sentences(article.summary):
        assert normalize_text(sentence.rstrip("…")) in body, sentence
    for wanted in expected.get("summary_contains", []):
        assert wanted in article.summary
    for unwanted in expected.get("summary_must_not_contain", []):
        assert unwanted not in article.summary
    for unwanted in expected.get("tags_must_not_contain", []):
        assert unwanted not in article.tags
    for tag in article.tags:
        assert normalize_text(tag) in body or tag in expected.get("declared_tags", []), tag
