"""Chinese in the reader's script (OpenCC at render time), on our own demo articles: the page, the
feed, the digest and search; the stored text is never rewritten (issue 13)."""
from __future__ import annotations

import email
import email.policy

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from feedsvc import db, subscribers
from feedsvc.chinese import convert, convert_html, search_variants
from feedsvc.models import Article, Subscriber, utcnow
from feedsvc.services import outbox
from feedsvc.services.digests import build_due
from feedsvc.services.imports import import_demo
from feedsvc.services.subscriptions import default_preferences
from feeds.feedcheck import check_atom, check_json_feed, check_rss, parse_feed

# zh-hant-harbour-market.big5.txt, written in Traditional (Big5), and how zh-CN readers see it.
HARBOUR = "舊港區倉庫群整修完成 首屆港邊藝術市集週末登場"
HARBOUR_HANS = "旧港区仓库群整修完成 首届港边艺术市集周末登场"
# zh-library-opening.txt, written in Simplified, and how zh-Hant readers see it.
LIBRARY = "澄溪市图书馆新馆开放 首日接待读者逾万人次"
LIBRARY_HANT = "澄溪市圖書館新館開放 首日接待讀者逾萬人次"
CHECKS = {"rss.xml": check_rss, "atom.xml": check_atom, "feed.json": check_json_feed}


def test_conversion_keeps_markup_and_attributes():
    html = '<p>图书馆<a href="https://example.cn/图书馆?a=1&amp;b=2" title="图书馆">开放</a></p>'
    assert convert_html(html, "s2tw") == '<p>圖書館<a href="https://example.cn/图书馆?a=1&amp;b=2" title="图书馆">開放</a></p>'
    assert convert("English only", "s2tw") == "English only" and convert("图书馆", None) == "图书馆"


def test_a_query_is_searched_in_both_scripts():
    assert search_variants("图书馆") == ("图书馆", "圖書館")
    assert search_variants("倉庫群") == ("倉庫群", "仓库群", "倉庫羣")  # Hong Kong writes 羣
    assert search_variants("ferry") == ("ferry",)


@pytest.fixture
def demo(app):
    """Our demo articles, imported as `make run` imports them on first start."""
    report = import_demo(app)
    assert report is not None and not report.errors
    with db.new_session(app) as session:
        return {a.title: a.slug for a in session.scalars(select(Article))}


def stored_titles(app) -> set[str]:
    with db.new_session(app) as session:
        return set(session.scalars(select(Article.title)))


def heading(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return lxml_html.fromstring(response.data).cssselect("h1")[0].text_content()


def test_each_reader_sees_the_articles_in_their_script_on_the_page(app, client, demo):
    assert heading(client, f"/articles/{demo[HARBOUR]}?lang=zh-CN") == HARBOUR_HANS
    assert heading(client, f"/articles/{demo[LIBRARY]}?lang=zh-Hant") == LIBRARY_HANT
    page = lxml_html.fromstring(client.get(f"/articles/{demo[LIBRARY]}").data)  # the cookie: zh-Hant
    assert page.cssselect("article.full")[0].get("lang") == "zh-Hant"
    assert "圖書館" in page.cssselect(".body")[0].text_content() and "澄溪日報" in page.text_content()
    listing = client.get("/?lang=zh-CN").get_data(as_text=True)
    assert HARBOUR_HANS in listing and HARBOUR not in listing
    assert heading(client, f"/articles/{demo[HARBOUR]}?lang=en") == HARBOUR, "English readers: as written"
    assert {HARBOUR, LIBRARY} <= stored_titles(app), "stored text is never rewritten"


@pytest.mark.parametrize("name", CHECKS)
def test_a_feed_in_each_script_is_valid_and_has_its_own_etag(client, demo, name):
    plain, hant, hans = (client.get(f"/feeds/{name}{query}") for query in ("", "?lang=zh-Hant", "?lang=zh-CN"))
    for response in (plain, hant, hans):
        CHECKS[name](response.data)
        if name != "feed.json":  # feedparser reads XML feeds
            parse_feed(response.data)
    assert len({plain.headers["ETag"], hant.headers["ETag"], hans.headers["ETag"]}) == 3
    body = hant.get_data(as_text=True)
    assert LIBRARY_HANT in body and LIBRARY not in body and "?lang=zh-Hant" in body
    assert HARBOUR_HANS in hans.get_data(as_text=True) and HARBOUR not in hans.get_data(as_text=True)
    assert LIBRARY in plain.get_data(as_text=True) and HARBOUR in plain.get_data(as_text=True)
    again = client.get(f"/feeds/{name}?lang=zh-Hant", headers={"If-None-Match": hant.headers["ETag"]})
    assert again.status_code == 304


def test_the_traditional_feed_says_its_language(client, demo):
    body = client.get("/feeds/category/文化/atom.xml?lang=zh-Hant").data
    feed = parse_feed(body)
    assert feed.feed.language == "zh-Hant" and feed.feed.title.endswith("· 文化")
    [library] = [entry for entry in feed.entries if entry.title == LIBRARY_HANT]
    assert library.link.endswith("?lang=zh-Hant")
    entries = check_atom(body).xpath("atom:entry", namespaces={"atom": "http://www.w3.org/2005/Atom"})
    assert {entry.get("{http://www.w3.org/XML/1998/namespace}lang") for entry in entries} == {"zh-Hant"}


def test_search_finds_an_article_whichever_script_the_query_is_in(client, demo):
    for query, title in (("仓库群", HARBOUR_HANS), ("倉庫群", HARBOUR_HANS), ("圖書館新館", LIBRARY),
                         ("图书馆新馆", LIBRARY), ("倉庫", HARBOUR_HANS)):
        doc = lxml_html.fromstring(client.get("/search", query_string={"q": query, "lang": "zh-CN"}).data)
        assert title in [a.text_content() for a in doc.cssselect("article.item h3 a")], query


@pytest.fixture
def mail_app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test"
    return app


def test_each_subscriber_gets_the_digest_in_their_script(mail_app, client, handler, demo):
    assert client.post("/api/subscribe", json={"email": "tw@example.com", "language": "zh-Hant"}).status_code == 202
    csv = "email,language\ncn@example.com,zh-CN\nhk@example.com,zh-Hant\n"
    with db.new_session(mail_app) as session, session.begin():
        report, _ = subscribers.import_csv(session, csv, default_preferences(mail_app), confirmed=True)
        assert report.added == 2 and not report.errors
        assert session.scalar(select(Subscriber.language).where(Subscriber.email == "tw@example.com")) == "zh-Hant"
    build_due(mail_app, now=utcnow(), ignore_hours=True)
    outbox.run_delivery(mail_app)
    digests = {}
    for item in handler.received:
        message = email.message_from_bytes(item.content, policy=email.policy.default)
        digests[message["To"]] = message
    hk, cn = (digests[a].get_body(("plain",)).get_content() for a in ("hk@example.com", "cn@example.com"))
    assert LIBRARY_HANT in hk and LIBRARY not in hk and "閱讀原文" in hk and LIBRARY_HANT in digests["hk@example.com"]["Subject"] + hk
    assert HARBOUR_HANS in cn and HARBOUR not in cn and "阅读原文" in cn
    assert digests["tw@example.com"]["Subject"].startswith("請確認訂閱"), "a zh-Hant confirmation"
