"""Feeds over HTTP: every variant parses, ids are stable, paging, caching, conditional GET."""
from __future__ import annotations

import gzip
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, quote

import pytest
from lxml import etree
from sqlalchemy import select

from feedsvc import db
from feedsvc.models import Article, bump_store_version

from .feedcheck import check_atom, check_json_feed, check_rss, parse_feed

BASE = "https://feeds.example.org"
FILES = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}
ZH_TEXT = (
    "市图书馆新馆于本周六正式向公众开放，新馆建筑面积约两万平方米。\n\n"
    "新馆首批上架图书约四十万册，并引入自助借还设备。"
)


# Distinct stories: texts too alike would be merged as reprints.
STORIES = [
    "The harbour ferry resumed service on Monday after a month of repairs to its engines.",
    "A new cycle lane along the river opened, linking the old town with the university.",
    "The museum will stay open until ten on Fridays through the winter season.",
    "Volunteers planted four hundred trees in the northern park over the weekend.",
    "The city orchestra announced a free concert series in neighbourhood libraries.",
]


def check(fmt, body):
    return {"rss": check_rss, "atom": check_atom, "json": check_json_feed}[fmt](body)


@pytest.fixture
def library(add_article):
    """A Chinese reprint with its original link, in a category, with a source and tags."""
    return add_article(
        title="新图书馆周六开放", text=ZH_TEXT, source_name="滨海晚报", category="城市",
        tags=["图书馆", "阅读"], original_url="https://news.example.cn/city/1.html",
        author="王晓", lang="zh",
    )


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
@pytest.mark.parametrize("prefix", ["/feeds/", "/feeds/category/城市/", "/feeds/source/滨海晚报/",
                                    "/feeds/tag/图书馆/"])
def test_every_variant_round_trips(client, library, fmt, prefix):
    response = client.get(prefix + FILES[fmt])
    assert response.status_code == 200
    check(fmt, response.data)
    if fmt == "json":
        item = response.get_json()["items"][0]
        assert item["external_url"] == "https://news.example.cn/city/1.html"
        assert item["url"] == f"{BASE}/articles/{library}"
        assert item["title"] == "新图书馆周六开放" and "四十万册" in item["content_html"]
        assert item["id"].startswith("tag:feeds.example.org,")
        return
    parsed = parse_feed(response.data)
    entry = parsed.entries[0]
    assert entry.title == "新图书馆周六开放"
    assert entry.link == f"{BASE}/articles/{library}"
    assert entry.id.startswith("tag:feeds.example.org,") and library not in entry.id
    assert entry.published_parsed[:3] == (2026, 11, 20)
    assert "四十万册" in entry.content[0].value
    assert "原文 / Original" in entry.content[0].value
    assert {t.term for t in entry.tags} >= {"城市", "图书馆", "阅读"}
    if fmt == "rss":
        assert entry.source.href == "https://news.example.cn/city/1.html"
    else:
        via = [link.href for link in entry.links if link.rel == "via"]
        assert via == ["https://news.example.cn/city/1.html"]
    assert parsed.feed.language == "zh-CN"


def test_unknown_scope_is_404(client):
    assert client.get("/feeds/category/nothing/rss.xml").status_code == 404
    assert client.get("/feeds/planet/x/rss.xml").status_code == 404


def test_empty_feeds_are_valid(client):
    for fmt, name in FILES.items():
        response = client.get(f"/feeds/{name}")
        assert response.status_code == 200
        check(fmt, response.data)


def test_id_survives_edits(app, client, library):
    before = parse_feed(client.get("/feeds/atom.xml").data).entries[0].id
    with db.new_session(app) as session, session.begin():
        article = session.scalar(select(Article))
        article.title = "新图书馆周六正式开放"
        article.updated_at = datetime.now(timezone.utc)
        bump_store_version(session)
    entry = parse_feed(client.get("/feeds/atom.xml").data).entries[0]
    assert entry.title == "新图书馆周六正式开放" and entry.id == before


def test_reprint_appears_once(client, library, add_article):
    add_article(title="新图书馆周六开放（转载）", text=ZH_TEXT, source_name="山城资讯")
    parsed = parse_feed(client.get("/feeds/rss.xml").data)
    assert [e.title for e in parsed.entries] == ["新图书馆周六开放"]


def test_limit_full_and_bad_query(app, client, add_article):
    for n in range(5):
        add_article(title=f"Ferry timetable {n}", text=STORIES[n],
                    published=datetime(2026, 11, 20, 9, n, tzinfo=timezone.utc))
    assert len(parse_feed(client.get("/feeds/rss.xml?limit=2").data).entries) == 2
    assert len(check_json_feed(client.get("/feeds/feed.json?limit=100000").data)["items"]) == 5
    assert client.get("/feeds/rss.xml?limit=lots").status_code == 400
    summary_only = parse_feed(client.get("/feeds/atom.xml?full=0").data).entries[0]
    assert "content" not in summary_only and summary_only.summary


def test_paging_walks_the_archive(client, add_article):
    for n in range(5):
        add_article(title=f"Tram notice {n}", text=STORIES[n],
                    published=datetime(2026, 11, 20, 9, n, tzinfo=timezone.utc))
    seen, url = [], "/feeds/atom.xml?limit=2"
    while url:
        body = client.get(url).data
        root = check_atom(body)
        links = {link.get("rel"): link.get("href") for link in root.findall("{http://www.w3.org/2005/Atom}link")}
        seen += [e.title for e in parse_feed(body).entries]
        assert links["first"] == f"{BASE}/feeds/atom.xml?limit=2"
        assert links["last"] == f"{BASE}/feeds/atom.xml?limit=2&page=3"
        url = links.get("next", "").replace(BASE, "") or None
    assert seen == [f"Tram notice {n}" for n in (4, 3, 2, 1, 0)]
    last = check_atom(client.get("/feeds/atom.xml?limit=2&page=3").data)
    rels = {link.get("rel") for link in last.findall("{http://www.w3.org/2005/Atom}link")}
    assert {"prev", "previous", "first"} <= rels and "next" not in rels


def test_conditional_get_and_invalidation(app, client, library, add_article):
    first = client.get("/feeds/atom.xml")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.last_modified is not None
    again = client.get("/feeds/atom.xml")
    assert again.headers["ETag"] == etag and again.data == first.data

    not_modified = client.get("/feeds/atom.xml", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    since = format_datetime(first.last_modified + timedelta(seconds=1), usegmt=True)
    assert client.get("/feeds/atom.xml", headers={"If-Modified-Since": since}).status_code == 304
    assert client.get("/feeds/atom.xml", headers={"If-None-Match": '"other"'}).status_code == 200

    add_article(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday.")
    changed = client.get("/feeds/atom.xml", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Harbour ferry returns" in changed.get_data(as_text=True)


def test_gzip_has_its_own_etag(client, library):
    plain = client.get("/feeds/rss.xml")
    zipped = client.get("/feeds/rss.xml", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in zipped.headers["Vary"]
    again = client.get("/feeds/rss.xml", headers={"Accept-Encoding": "gzip",
                                                  "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_hostile_article_never_breaks_a_feed(client, add_article):
    add_article(
        title="Bad\x00 title\x1b with \ud800 surrogate",
        text="Body with \x07 bell.",
        html='<p onclick="steal()">Hi<script>alert(1)</script><a href="javascript:alert(2)">x</a>'
             '<img src="x.png" onerror="alert(3)"></p>',
        original_url="https://news.example.cn/a/b.html",
    )
    for fmt, name in FILES.items():
        body = client.get(f"/feeds/{name}").data
        check(fmt, body)
        text = body.decode()
        for bad in ("<script", "onclick", "onerror", "javascript:", "\x00", "\x1b", "\x07"):
            assert bad not in text.replace("&lt;script", "")  # escaped text is harmless
    parsed = parse_feed(client.get("/feeds/atom.xml").data)
    content = parsed.entries[0].content[0].value
    assert "https://news.example.cn/a/x.png" in content, "relative images made absolute"
    assert "alert" not in content


def test_opml_lists_every_feed(client, library):
    response = client.get("/feeds.opml")
    root = etree.fromstring(response.data)
    urls = {o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")}
    assert f"{BASE}/feeds/atom.xml" in urls
    assert f"{BASE}/feeds/category/{quote('城市')}/rss.xml" in urls
    assert f"{BASE}/feeds/source/{quote('滨海晚报')}/feed.json" in urls


class _Hub(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers["Content-Length"])
        _Hub.received.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hub():
    server = HTTPServer(("127.0.0.1", 0), _Hub)
    _Hub.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hub", _Hub.received
    server.shutdown()
    server.server_close()


def test_websub_hub_advertised_and_pinged_after_import(app, client, runner, hub, tmp_path):
    hub_url, received = hub
    app.config["WEBSUB_HUB"] = hub_url
    assert "hub" in {link.rel for link in parse_feed(client.get("/feeds/atom.xml").data).feed.links}
    assert client.get("/feeds/feed.json").get_json()["hubs"] == [{"type": "WebSub", "url": hub_url}]
    (tmp_path / "a.md").write_text("---\ntitle: Night market opens\n---\n\nSixty stalls opened on Friday.\n")
    assert runner.invoke(args=["import", str(tmp_path)]).exit_code == 0
    topics = sorted(r["hub.url"][0] for r in received)
    # Each feed as written and in each script, as the pages name them.
    scripts = ("", "?lang=zh-CN", "?lang=zh-Hant")
    assert topics == sorted(f"{BASE}/feeds/{n}{q}" for n in FILES.values() for q in scripts)
    assert all(r["hub.mode"] == ["publish"] for r in received)
    received.clear()
    assert runner.invoke(args=["import", str(tmp_path)]).exit_code == 0
    assert received == [], "an import that changed nothing pings nobody"


def test_store_version_is_reread_at_most_every_interval(app, client, add_article):
    clock = [100.0]
    app.extensions["feedsvc.feed_version"].seconds = 60
    app.extensions["feedsvc.feed_version"].clock = lambda: clock[0]
    before = client.get("/feeds/atom.xml").headers["ETag"]
    add_article(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday.")
    assert client.get("/feeds/atom.xml").headers["ETag"] == before, "within the interval: cached"
    clock[0] += 60
    after = client.get("/feeds/atom.xml")
    assert after.headers["ETag"] != before and "Harbour ferry returns" in after.get_data(as_text=True)


def test_the_same_feed_asked_in_other_words_is_the_same_bytes(client, add_article):
    add_article(title="Harbour ferry returns", text=STORIES[0])
    plain = client.get("/feeds/atom.xml")
    spelled_out = client.get("/feeds/atom.xml?limit=20&page=1")
    assert spelled_out.data == plain.data and spelled_out.headers["ETag"] == plain.headers["ETag"]
    # Served from the other's cache entry, its ETag still answers 304.
    again = client.get("/feeds/atom.xml", headers={"If-None-Match": spelled_out.headers["ETag"]})
    assert again.status_code == 304


def test_a_scopes_count_is_read_once_per_store_version(app, client, add_article):
    # Counting 100,000 articles was most of a miss (issue 11): every page and format of a scope
    # shares one count and newest change until the store changes.
    from sqlalchemy import event

    for n in range(3):
        add_article(title=f"Tram notice {n}", text=STORIES[n],
                    published=datetime(2026, 11, 20, 9, n, tzinfo=timezone.utc))
    counts = []

    def watch(_conn, _cursor, statement, *_args):
        # A scope's count, not the importer's near-duplicate lookup (HAVING count(*)).
        if statement.lower().lstrip().startswith("select count("):
            counts.append(statement)

    event.listen(db.get_engine(app), "before_cursor_execute", watch)
    try:
        pages = [client.get(f"/feeds/{name}?limit=1&page={page}") for name in FILES.values() for page in (1, 2, 3)]
        assert len(counts) == 1 and all(p.status_code == 200 for p in pages)
        assert len({p.last_modified for p in pages}) == 1
        add_article(title="Harbour ferry returns", text=STORIES[3],
                    published=datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc))
        last = check_atom(client.get("/feeds/atom.xml?limit=1").data)
        links = {link.get("rel"): link.get("href") for link in last.findall("{http://www.w3.org/2005/Atom}link")}
        assert len(counts) == 2 and links["last"].endswith("page=4")
    finally:
        event.remove(db.get_engine(app), "before_cursor_execute", watch)
