"""The digest editions' Atom feed: valid (RFC 4287 schema and rules), one entry per date, paged,
in each language, cached with validators like the article feeds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree

from archive_days import NOW, add_story, two_days
from feedsvc.services.digests import build_due

from .feedcheck import NS, check_atom, parse_feed

BASE = "https://feeds.example.org"


@pytest.fixture
def slugs(app, add_article):
    return two_days(app, add_article)


def test_one_entry_per_date_newest_first(client, slugs):
    response = client.get("/digests/atom.xml")
    assert response.status_code == 200 and response.content_type == "application/atom+xml; charset=utf-8"
    check_atom(response.data)
    parsed = parse_feed(response.data)
    assert parsed.feed.title == "测试站 Test Site · 往期摘要" and parsed.feed.language == "zh-CN"
    assert parsed.feed.link == f"{BASE}/digests/"
    assert [e.link for e in parsed.entries] == [f"{BASE}/digests/2026-11-21?lang=zh-CN",
                                                f"{BASE}/digests/2026-11-20?lang=zh-CN"]
    assert [e.id for e in parsed.entries] == ["tag:feeds.example.org,2026:digest/2026-11-21",
                                              "tag:feeds.example.org,2026:digest/2026-11-20"]
    newest = parsed.entries[0]
    assert newest.title.startswith("测试站 Test Site每日摘要 · 2026年11月21日 · 2 篇")
    assert newest.summary == "2026年11月21日，为您送上 2 篇新文章。"
    content = newest.content[0].value
    assert "新图书馆周六开放" in content and "Harbour ferry returns" in content
    assert f'href="{BASE}/articles/{slugs["library"]}"' in content
    assert newest.published_parsed[:3] == (2026, 11, 21)
    # Every entry's page answers.
    for entry in parsed.entries:
        assert client.get(entry.link.removeprefix(BASE)).status_code == 200


@pytest.mark.parametrize(("lang", "title", "phrase"), [
    ("en", "测试站 Test Site · Past digests", "Here are 2 new articles for Nov 21, 2026."),
    ("zh-Hant", "测试站 Test Site · 往期摘要", "新圖書館週六開放"),
])
def test_in_another_language(client, slugs, lang, title, phrase):
    body = client.get(f"/digests/atom.xml?lang={lang}").data
    root = check_atom(body)
    parsed = parse_feed(body)
    assert parsed.feed.title == title and parsed.feed.language == lang
    assert phrase in etree.tostring(root, encoding="unicode")
    self_link = root.xpath("atom:link[@rel='self']/@href", namespaces=NS)
    assert self_link == [f"{BASE}/digests/atom.xml?lang={lang}"]
    assert parsed.entries[0].link == f"{BASE}/digests/2026-11-21?lang={lang}"


def test_an_empty_feed_is_valid(client):
    check_atom(client.get("/digests/atom.xml").data)
    assert parse_feed(client.get("/digests/atom.xml").data).entries == []


def test_paging(app, client, slugs):
    app.config["FEED_SIZE"] = 1
    first = check_atom(client.get("/digests/atom.xml").data)
    links = {link.get("rel"): link.get("href") for link in first.xpath("atom:link", namespaces=NS)}
    assert links["next"] == links["last"] == f"{BASE}/digests/atom.xml?page=2"
    older = parse_feed(client.get("/digests/atom.xml?page=2").data)
    assert [e.link for e in older.entries] == [f"{BASE}/digests/2026-11-20?lang=zh-CN"]
    assert client.get("/digests/atom.xml?page=99999999999999999999").status_code == 200
    assert client.get("/digests/atom.xml?page=x").status_code == 400


def test_conditional_get(app, client, slugs, add_article):
    first = client.get("/digests/atom.xml")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300" and first.last_modified is not None
    assert client.get("/digests/atom.xml", headers={"If-None-Match": etag}).status_code == 304
    zipped = client.get("/digests/atom.xml", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] != etag
    # Tomorrow's digest carries a new article: a new entry, a new ETag.
    add_story(app, add_article, "museum", NOW + timedelta(hours=20))
    build_due(app, now=NOW + timedelta(days=1))
    changed = client.get("/digests/atom.xml", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert parse_feed(changed.data).entries[0].link == f"{BASE}/digests/2026-11-22?lang=zh-CN"
