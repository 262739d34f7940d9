"""The digest archive's pages: past editions by date, each date's general edition as the mail
shows it, in every language, cached with validators, and never a subscriber's data."""
from __future__ import annotations

import base64
import gzip
import hashlib
import re
from datetime import timedelta
from email.utils import format_datetime

import pytest
from lxml import html as lxml_html
from sqlalchemy import update

from archive_days import NOW, READERS, subscribe, two_days
from feedsvc import db
from feedsvc.digest.operator_wording import save_wording
from feedsvc.digest.wording import DigestWording
from feedsvc.models import Article, bump_store_version
from feedsvc.services.digests import build_due

BASE = "https://feeds.example.org"
TITLES = {"market": "滨江夜市周五开张", "library": "新图书馆周六开放", "ferry": "Harbour ferry returns"}


@pytest.fixture
def slugs(app, add_article):
    return two_days(app, add_article)


def page(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/html"
    return lxml_html.fromstring(response.data)


def item_titles(doc) -> list[str]:
    return [a.text_content() for a in doc.cssselect("td.item h2 a")]


def test_an_edition_is_the_days_digest_for_the_whole_list(client, slugs):
    response = client.get("/digests/2026-11-21")
    doc = page(response)
    # Both readers' articles (different topics), newest first, as the mail lays them out.
    assert item_titles(doc) == [TITLES["library"], TITLES["ferry"]]
    assert doc.get("lang") == "zh-CN" and "2026年11月21日" in doc.cssselect("p.edition")[0].text_content()
    assert doc.cssselect("td.masthead a.site")[0].get("href") == f"{BASE}/"
    links = {a.get("href") for a in doc.cssselect("td.item a")}
    assert f"{BASE}/articles/{slugs['library']}" in links
    # No reader's data: no address, no signed link, no placeholder, nothing personal.
    text = response.get_data(as_text=True)
    for reader in READERS:
        assert reader not in text
    for personal in ("/unsubscribe/", "/preferences/", "/confirm/", "%%", "退订", "管理订阅"):
        assert personal not in text
    footer = {a.text_content(): a.get("href") for a in doc.cssselect("td.footer a")}
    assert footer["往期摘要"] == f"{BASE}/digests/" and footer["订阅每日摘要"] == f"{BASE}/subscribe"


def test_an_earlier_edition_has_only_that_days_articles(client, slugs):
    assert item_titles(page(client.get("/digests/2026-11-20"))) == [TITLES["market"]]


@pytest.mark.parametrize(("query", "lang", "words"), [
    ("?lang=en", "en", ["Here are 2 new articles for Nov 21, 2026.", "Past digests", "Read on 测试站 Test Site"]),
    ("?lang=zh-Hant", "zh-Hant", ["新圖書館週六開放", "2026年11月21日，為您送上 2 篇新文章。", "訂閱每日摘要"]),
    ("", "zh-CN", ["新图书馆周六开放", "2026年11月21日，为您送上 2 篇新文章。", "往期摘要"]),
])
def test_an_edition_in_each_language(client, slugs, query, lang, words):
    response = client.get(f"/digests/2026-11-21{query}")
    doc = page(response)
    assert doc.get("lang") == lang
    for phrase in words:
        assert phrase in doc.text_content(), phrase
    alternates = {link.get("hreflang"): link.get("href") for link in doc.cssselect("link[hreflang]")}
    assert alternates == {
        "zh-CN": f"{BASE}/digests/2026-11-21?lang=zh-CN", "zh-Hant": f"{BASE}/digests/2026-11-21?lang=zh-Hant",
        "en": f"{BASE}/digests/2026-11-21?lang=en", "x-default": f"{BASE}/digests/2026-11-21",
    }
    [feed] = doc.cssselect('link[rel="alternate"][type="application/atom+xml"]')
    assert feed.get("href") == f"{BASE}/digests/atom.xml" + ("" if lang == "zh-CN" else f"?lang={lang}")
    assert {"Cookie", "Accept-Language"} <= set(response.headers["Vary"].replace(" ", "").split(","))


def test_the_language_is_chosen_as_on_every_page(client, slugs):
    assert page(client.get("/digests/2026-11-21", headers={"Accept-Language": "zh-TW"})).get("lang") == "zh-Hant"
    client.get("/?lang=en")  # remembered in the cookie
    assert page(client.get("/digests/2026-11-21")).get("lang") == "en"


def test_the_page_admits_only_its_own_style(client, slugs):
    response = client.get("/digests/2026-11-21")
    policy = response.headers["Content-Security-Policy"]
    css = re.search(r"<style>(.*?)</style>", response.get_data(as_text=True), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}';" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert not page(response).xpath("//script | //@style | //@*[starts-with(name(), 'on')]")


@pytest.mark.parametrize("path", ["/digests/2026-11-22", "/digests/2020-01-01", "/digests/2026-02-30",
                                  "/digests/2026-13-01", "/digests/0000-01-01", "/digests/20261121",
                                  "/digests/2026-11-21x", "/digests/2026-1-2", "/digests/latest"])
def test_a_date_without_an_edition_is_not_found(client, slugs, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "页面不存在" in response.get_data(as_text=True)


def test_the_list_shows_past_editions_newest_first(client, slugs):
    doc = page(client.get("/digests/"))
    days = doc.cssselect("article.edition")
    assert [d.cssselect("h3 a")[0].get("href") for d in days] == ["/digests/2026-11-21", "/digests/2026-11-20"]
    assert days[0].cssselect("h3 a")[0].text_content() == "2026年11月21日"
    assert TITLES["library"] in days[0].text_content() and TITLES["ferry"] in days[0].text_content()
    [feed] = doc.cssselect('link[rel="alternate"][type="application/atom+xml"]')
    assert feed.get("href") == f"{BASE}/digests/atom.xml"
    assert {link.get("hreflang") for link in doc.cssselect("link[hreflang]")} == {"zh-CN", "zh-Hant", "en", "x-default"}
    assert "Past digests" in page(client.get("/digests/?lang=en")).cssselect("h1")[0].text_content()


def test_the_list_is_paged_and_clamped(app, client, slugs):
    app.config["PAGE_SIZE"] = 1
    first = page(client.get("/digests/"))
    assert [a.get("href") for a in first.cssselect("article.edition h3 a")] == ["/digests/2026-11-21"]
    assert first.cssselect("nav.pager a[rel=next]")[0].get("href") == "?page=2"
    for query in ("?page=2", "?page=99999999999999999999"):
        older = page(client.get(f"/digests/{query}"))
        assert [a.get("href") for a in older.cssselect("article.edition h3 a")] == ["/digests/2026-11-20"]
    assert client.get("/digests/?page=x").status_code == 400


def test_before_the_first_digest_the_list_says_so(client):
    assert "还没有发出过摘要" in page(client.get("/digests/")).text_content()


def test_an_empty_day_has_a_page_but_is_not_listed(app, client):
    # A reader whose topic had nothing new: the edition is made (and mailed if DIGEST_SEND_EMPTY).
    subscribe(app, "quiet@example.com", "zh-CN", "[]")
    build_due(app, now=NOW)
    assert "本期没有新文章" in page(client.get("/digests/2026-11-21")).text_content()
    assert not page(client.get("/digests/")).cssselect("article.edition")


def test_an_article_hidden_since_leaves_the_archive(app, client, slugs):
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).where(Article.slug == slugs["ferry"]).values(visible=False))
        bump_store_version(session)
    assert item_titles(page(client.get("/digests/2026-11-21"))) == [TITLES["library"]]


@pytest.mark.parametrize("path", ["/digests/", "/digests/2026-11-21"])
def test_archive_pages_answer_conditional_requests(client, slugs, path):
    first = client.get(path)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"] == "public, max-age=300"
    assert first.last_modified is not None
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = format_datetime(first.last_modified + timedelta(seconds=1), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": since}).status_code == 304
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.data) == first.data and zipped.headers["ETag"] != etag


def test_pages_change_with_new_editions_edits_and_wording(app, client, slugs, add_article):
    list_etag = client.get("/digests/").headers["ETag"]
    page_etag = client.get("/digests/2026-11-21").headers["ETag"]
    build_due(app, now=NOW + timedelta(days=1))  # an empty day: a new edition, not listed
    assert client.get("/digests/", headers={"If-None-Match": list_etag}).status_code == 304
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).where(Article.slug == slugs["library"]).values(title="新图书馆周六正式开放"))
        bump_store_version(session)
    changed = client.get("/digests/2026-11-21", headers={"If-None-Match": page_etag})
    assert changed.status_code == 200 and "新图书馆周六正式开放" in changed.get_data(as_text=True)
    with db.new_session(app) as session, session.begin():
        save_wording(session, DigestWording(intro="早上好！今天有 {{ count }} 篇。"))
    assert "早上好！今天有 2 篇。" in client.get("/digests/2026-11-21").get_data(as_text=True)


def test_the_site_links_the_archive(client):
    for path in ("/", "/subscribe"):
        doc = page(client.get(path))
        assert "/digests/" in [a.get("href") for a in doc.cssselect("a")], path
