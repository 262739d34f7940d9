"""The importer at the edges: impossible dates, deep nesting, long numbers, huge files."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timezone

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from feedsvc.feeds.formats import render
from feedsvc.feeds.render import FeedEntry, FeedMeta
from feedsvc.ingest.article import ParseError
from feedsvc.ingest.enrich import prepare_articles
from feedsvc.ingest.settings import ImportSettings
from feedsvc.ingest.parse import parse_bytes
from feedsvc.ingest.settings import DEFAULT_MAX_BYTES
from feedsvc.models import UTCDateTime
from feeds.feedcheck import check_atom, check_json_feed, check_rss

from . import PROFILE
from .checks import assert_one_line_message
from .strategies import SHANGHAI

BODY = "全长二十八公里的五号线今晨六点开通，沿线设站二十二座，首班车载客约三百人。"
BASE = "https://news.example.org"


def assert_parses_or_refuses(text: str, filename: str) -> None:
    try:
        parse_bytes(text.encode("utf-8"), filename, tz=SHANGHAI)
    except ParseError as exc:
        assert_one_line_message(exc)


@settings(PROFILE, max_examples=50)
@example(scalar="2024-02-30")
@given(scalar=st.one_of(
    st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
    st.integers(4290, 4400).map(lambda n: "1" * n),
))
def test_front_matter_scalars_parse_or_are_refused(scalar):
    assert_parses_or_refuses(f"---\ndate: {scalar}\n---\n# Harbour ferry returns\n\n{BODY}\n", "post.md")


@settings(PROFILE, max_examples=20)
@example(depth=5000)
@given(depth=st.integers(1, 5000))
def test_deeply_nested_front_matter_parses_or_is_refused(depth):
    assert_parses_or_refuses(f"---\nx: {'[' * depth}{']' * depth}\n---\n# T\n\n{BODY}\n", "post.md")


@settings(PROFILE, max_examples=20)
@example(doc="[" * 5000 + "]" * 5000)
@given(doc=st.one_of(
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 5000).map(lambda n: '{"a":' * n + "1" + "}" * n),
))
def test_deeply_nested_json_parses_or_is_refused(doc):
    assert_parses_or_refuses(doc, "items.json")


@settings(PROFILE, max_examples=20)
@example(digits=4301)
@given(digits=st.integers(4000, 5000))
def test_json_with_a_very_long_number_parses_or_is_refused(digits):
    assert_parses_or_refuses(f'{{"title": "T", "text": "{BODY}", "views": {"7" * digits}}}', "items.json")


def _stored(published: datetime | date) -> datetime:
    """``published`` as the store keeps and returns it (UTC, via the real column type)."""
    if not isinstance(published, datetime):
        published = datetime.combine(published, time(0), tzinfo=SHANGHAI)  # as the importer does
    column, dialect = UTCDateTime(), sqlite.dialect()
    return column.process_result_value(column.process_bind_param(published, dialect), dialect)


def _accepted_date(kind: str, when: str | int) -> datetime | date | None:
    """The publication date the importer makes of ``when`` written in a file of ``kind``."""
    title = "江城地铁五号线今日通车"
    files = {
        "text": (f"{title}\n发布时间：{when} 来源：江城日报\n{BODY}\n", "dump.txt"),
        "markdown": (f"---\ntitle: {title}\ndate: {when}\n---\n{BODY}\n", "post.md"),
        "json": (json.dumps({"title": title, "text": BODY, "published": when}), "item.json"),
    }
    text, name = files[kind]
    article, = prepare_articles(text.encode("utf-8"), name, settings=ImportSettings(tz=SHANGHAI))
    event("date kept" if article.published else "date dropped")
    return article.published


def _dates(first_year: int, last_year: int):
    """(file kind, date as written) pairs, Unix times included, for years in the range."""
    written = st.builds(
        "{:04d}-{:02d}-{:02d}{}".format, st.integers(first_year, last_year), st.integers(1, 12),
        st.integers(1, 28),
        st.sampled_from(["", " 10:00", " 00:00", " 23:59 -14:00", " 00:00 +14:00", " 12:00 Z"]),
    )
    unix = st.integers(
        int(datetime(first_year, 1, 1, tzinfo=timezone.utc).timestamp()),
        int(datetime(last_year, 12, 31, tzinfo=timezone.utc).timestamp()),
    )
    return st.one_of(st.tuples(st.sampled_from(["text", "markdown", "json"]), written),
                     st.tuples(st.just("json"), unix))


@settings(PROFILE, max_examples=100)
@example(source=("text", "0001-01-01 00:00"))
@given(source=_dates(1, 9999))
def test_every_accepted_date_can_be_stored(source):
    published = _accepted_date(*source)
    if published is not None:
        assert _stored(published).tzinfo == timezone.utc


@settings(PROFILE, max_examples=100)
@example(source=("text", "0999-05-01 10:00"))
@given(source=_dates(2, 9998))  # clear of the overflow above
def test_every_accepted_date_can_be_syndicated(source):
    published = _accepted_date(*source)
    if published is None:
        return
    published = _stored(published)
    meta = FeedMeta(id="tag:news.example.org,2026:feed/all", title="要闻", link=f"{BASE}/",
                    self_url=f"{BASE}/feeds/all", updated=published)
    entry = FeedEntry(id="tag:news.example.org,2026:article/1", title="江城地铁五号线今日通车",
                      link=f"{BASE}/articles/1", published=published, updated=published)
    for fmt, check in (("rss", check_rss), ("atom", check_atom), ("json", check_json_feed)):
        check(render(fmt, meta, [entry]))


def test_a_file_over_the_limit_is_refused_by_its_size():
    data = b"a" * (DEFAULT_MAX_BYTES + 1)
    with pytest.raises(ParseError, match="too large") as caught:
        parse_bytes(data, "huge.txt", tz=SHANGHAI)
    assert_one_line_message(caught.value)


def test_a_five_megabyte_text_dump_parses():
    paragraphs = [f"\u3000\u3000第{n}段：{BODY}" for n in range(70_000)]
    dump = "江城地铁五号线今日通车\n发布时间：2024-05-03 08:00 来源：江城日报\n" + "\n".join(paragraphs)
    data = dump.encode("utf-8")
    assert 5 * 1024 * 1024 < len(data) < DEFAULT_MAX_BYTES
    article, = parse_bytes(data, "dump.txt", tz=SHANGHAI)
    assert article.title == "江城地铁五号线今日通车"
    assert article.published == datetime(2024, 5, 3, 8, 0, tzinfo=SHANGHAI)
    assert article.text.count("\n\n") == len(paragraphs) - 1
