"""The feed renderer against hostile strings and dates: every format stays well-formed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedsvc.feeds.formats import render
from feedsvc.feeds.render import FeedEntry, FeedMeta
from feedsvc.sanitize import strip_control_chars
from feeds.feedcheck import XML_FORBIDDEN, check_atom, check_json_feed, check_rss, parse_feed

from . import PROFILE
from .strategies import hostile_str

BASE = "https://news.example.org"
FORMATS = st.sampled_from(["rss", "atom", "json"])
UTC = st.just(timezone.utc)
# What the store holds: UTC datetimes (UTCDateTime converts on the way in). Years before 1000
# are tested on their own below.
stored_datetimes = st.datetimes(min_value=datetime(1000, 1, 1), timezones=UTC)
urls = st.one_of(st.just(f"{BASE}/a/1"), hostile_str.map(lambda s: f"{BASE}/a/{s}"))
# Ids and links must say something once the forbidden characters are gone.
present = hostile_str.filter(lambda s: strip_control_chars(s).strip())


def optional(strategy):
    return st.none() | strategy


@st.composite
def feed_entries(draw):
    return FeedEntry(
        id=draw(st.one_of(st.just("tag:news.example.org,2026:article/1"), present)),
        title=draw(hostile_str),
        link=draw(st.one_of(urls, present)),
        published=draw(stored_datetimes),
        updated=draw(stored_datetimes),
        author=draw(optional(hostile_str)),
        categories=tuple(draw(st.lists(hostile_str, max_size=3))),
        summary=draw(hostile_str),
        content_html=draw(hostile_str),
        original_url=draw(optional(st.one_of(urls, hostile_str))),
        source_name=draw(optional(hostile_str)),
        lang=draw(optional(st.one_of(st.sampled_from(["zh-CN", "en", "en_US"]), hostile_str))),
    )


@st.composite
def feed_metas(draw):
    return FeedMeta(
        id="tag:news.example.org,2026:feed/all",
        # A title of XML-forbidden characters alone is tested on its own below.
        title=draw(present),
        link=f"{BASE}/",
        self_url=f"{BASE}/feeds/all",
        updated=draw(stored_datetimes),
        subtitle=draw(hostile_str),
        language=draw(optional(st.one_of(st.sampled_from(["zh-CN", "en"]), hostile_str))),
        author=draw(optional(hostile_str)),
        rights=draw(optional(hostile_str)),
        next_url=draw(optional(st.just(f"{BASE}/feeds/all?page=2"))),
        hub_url=draw(optional(st.just("https://hub.example.org/"))),
    )


def check_document(fmt: str, body: bytes) -> None:
    assert not XML_FORBIDDEN.search(body.decode("utf-8"))
    if fmt == "json":
        check_json_feed(body)
        return
    etree.fromstring(body)  # well-formed, whatever the schema says
    (check_atom if fmt == "atom" else check_rss)(body)
    parse_feed(body)


@settings(PROFILE, max_examples=150)
@given(fmt=FORMATS, meta=feed_metas(),
       entries=st.lists(feed_entries(), max_size=3), full=st.booleans())
def test_feeds_of_hostile_text_are_well_formed(fmt, meta, entries, full):
    check_document(fmt, render(fmt, meta, entries, full=full))


def _meta(**changes) -> FeedMeta:
    values = dict(id="tag:news.example.org,2026:feed/all", title="要闻 Headlines", link=f"{BASE}/",
                  self_url=f"{BASE}/feeds/all", updated=datetime(2026, 1, 5, tzinfo=timezone.utc))
    return FeedMeta(**(values | changes))


def _entry(when: datetime, **changes) -> FeedEntry:
    values = dict(id="tag:news.example.org,2026:article/1", title="Harbour ferry returns",
                  link=f"{BASE}/articles/1", published=when, updated=when, summary="The ferry is back.")
    return FeedEntry(**(values | changes))


@settings(PROFILE, max_examples=30)
@example(fmt="rss", field="title", value="\x00")
@given(fmt=FORMATS, field=st.sampled_from(["title", "id"]),
       value=st.lists(st.sampled_from("\x00\x01\x1f\ufffe\uffff\ud800"), min_size=1).map("".join))
def test_a_value_of_forbidden_characters_is_refused_when_made_or_rendered(fmt, field, value):
    try:
        meta = _meta(title=value) if field == "title" else _meta()
        entry = _entry(datetime(2026, 1, 5, tzinfo=timezone.utc), **({"id": value} if field == "id" else {}))
    except ValueError:
        return  # refused where it is made, with the caller's stack: fine
    check_document(fmt, render(fmt, meta, [entry]))


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "RSS dates before year 1000 are written with fewer than four year digits "
    "('Tue, 01 Jan 999 00:00:00 +0000'; RFC 2822 3.3 wants 4*DIGIT): feedgen.util.formatRFC2822 "
    "uses strftime('%Y'), unpadded on glibc. A feedgen limit kept visible here; the store never "
    "holds such years (importer.complete_article keeps 1900-2999 only)"
))
@settings(PROFILE, max_examples=30)
@example(fmt="rss", when=datetime(999, 1, 1, tzinfo=timezone.utc))
@given(fmt=FORMATS, when=st.datetimes(max_value=datetime(999, 12, 31), timezones=UTC))
def test_feed_dates_before_year_1000(fmt, when):
    check_document(fmt, render(fmt, _meta(updated=when), [_entry(when)]))


@settings(PROFILE, max_examples=60)
@example(fmt="atom", when=datetime(1900, 1, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
@given(fmt=FORMATS, when=st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30),
                                     timezones=st.timezones()))
def test_feed_dates_in_any_time_zone(fmt, when):
    check_document(fmt, render(fmt, _meta(updated=when), [_entry(when)]))


@settings(PROFILE, max_examples=60)
@given(fmt=FORMATS, when=st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30),
                                     # xsd:dateTime (Atom's schema) allows offsets up to 14:00.
                                     timezones=st.builds(timezone, st.integers(-14 * 60, 14 * 60).map(
                                         lambda m: timedelta(minutes=m)))))
def test_feed_dates_with_whole_minute_offsets(fmt, when):
    check_document(fmt, render(fmt, _meta(updated=when), [_entry(when)]))
