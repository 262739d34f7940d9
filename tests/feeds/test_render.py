"""The feed serializer: each format parses cleanly and carries every field of every entry."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from feedsvc.feeds import render as render_module
from feedsvc.feeds.formats import CONTENT_TYPES, render
from feedsvc.feeds.render import (
    JSON_FEED_VERSION,
    render_atom,
    render_json_feed,
    render_rss,
)

from .feedcheck import NS, check_atom, check_json_feed, check_rss, parse_feed, rfc822_datetime
from .samples import BASE, make_entry, make_meta

ENTRIES = [make_entry(n) for n in range(3)]
ORIGINAL_PARAGRAPH = (
    '<p class="original">原文 / Original: '
    '<a href="https://metro.example.cn/news/5?from=rss&amp;lang=zh">江城日报</a></p>'
)


def utc_tuple(moment: datetime):
    """The UTC struct_time feedparser reports for ``moment``."""
    return moment.utctimetuple()


def test_content_types_cover_each_format():
    assert CONTENT_TYPES == {
        "rss": "application/rss+xml; charset=utf-8",
        "atom": "application/atom+xml; charset=utf-8",
        "json": "application/feed+json; charset=utf-8",
    }


@pytest.mark.parametrize(
    "fmt, renderer", [("rss", render_rss), ("atom", render_atom), ("json", render_json_feed)]
)
def test_render_dispatches_on_format(fmt, renderer):
    meta = make_meta()
    assert render(fmt, meta, ENTRIES, full=False) == renderer(meta, ENTRIES, full=False)


def test_render_rejects_unknown_format():
    with pytest.raises(ValueError, match="unknown feed format 'html'"):
        render("html", make_meta(), ENTRIES)


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_xml_feeds_read_back_intact(fmt):
    parsed = parse_feed(render(fmt, make_meta(), ENTRIES))
    assert parsed.version == {"rss": "rss20", "atom": "atom10"}[fmt]
    assert parsed.feed.title == "要闻 Headlines"
    assert parsed.feed.language == "zh-CN"
    assert [e.id for e in parsed.entries] == [e.id for e in ENTRIES]
    for got, entry in zip(parsed.entries, ENTRIES):
        assert got.title == entry.title
        assert got.link == entry.link
        assert got.published_parsed == utc_tuple(entry.published)
        assert [t.term for t in got.get("tags", [])] == list(entry.categories)
        assert got.get("author") == entry.author
    first = parsed.entries[0]
    assert first.content[0].value.startswith(ENTRIES[0].content_html)
    assert ORIGINAL_PARAGRAPH in first.content[0].value


def test_rss_carries_guid_dates_source_and_creator():
    channel = check_rss(render_rss(make_meta(logo=f"{BASE}/logo.png"), ENTRIES))
    assert channel.findtext("language") == "zh-CN"
    assert channel.findtext("image/url") == f"{BASE}/logo.png"
    assert channel.findtext("link") == f"{BASE}/"
    assert rfc822_datetime(channel.findtext("lastBuildDate")) == make_meta().updated
    items = channel.findall("item")
    first = items[0]
    assert first.findtext("guid") == ENTRIES[0].id
    assert first.findtext("pubDate") == "Fri, 03 May 2024 08:00:00 +0800"
    assert first.findtext("dc:creator", namespaces=NS) == "林晓"
    assert first.findtext("dc:language", namespaces=NS) == "zh-CN"
    assert first.find("author") is None  # RSS <author> must be an e-mail address
    assert first.findtext("description") == ENTRIES[0].summary
    encoded = first.findtext("content:encoded", namespaces=NS)
    assert encoded == ENTRIES[0].content_html + ORIGINAL_PARAGRAPH
    source = first.find("source")
    assert source.get("url") == "https://metro.example.cn/news/5?from=rss&lang=zh"
    assert source.text == "江城日报"
    # Without a source name the URL names the source.
    assert items[1].find("source").text == "http://harbour.example.com/ferries"
    assert items[2].find("source") is None and items[2].find("dc:creator", NS) is None


def test_rss_source_is_what_feedparser_reports():
    entry = parse_feed(render_rss(make_meta(), ENTRIES)).entries[0]
    assert entry.source == {
        "href": "https://metro.example.cn/news/5?from=rss&lang=zh",
        "title": "江城日报",
    }
    assert entry.published.endswith("+0800")


def test_rss_description_is_escaped_plain_text():
    entry = make_entry(summary="3 < 5 & <b>not bold</b>")
    item = check_rss(render_rss(make_meta(), [entry], full=False)).find("item")
    # Readers treat <description> as HTML, so the text arrives escaped once more.
    assert item.findtext("description") == "3 &lt; 5 &amp; &lt;b&gt;not bold&lt;/b&gt;"


def test_atom_is_valid_and_complete():
    feed = check_atom(render_atom(make_meta(icon=f"{BASE}/icon.png"), ENTRIES))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert feed.findtext("atom:subtitle", namespaces=NS) == "每日新闻摘要 / Daily news digest"
    assert feed.findtext("atom:icon", namespaces=NS) == f"{BASE}/icon.png"
    entries = feed.findall("atom:entry", NS)
    first = entries[0]
    assert first.findtext("atom:published", namespaces=NS) == "2024-05-03T08:00:00+08:00"
    assert first.findtext("atom:updated", namespaces=NS) == "2024-05-03T08:15:00+08:00"
    assert first.findtext("atom:author/atom:name", namespaces=NS) == "林晓"
    assert first.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    content = first.find("atom:content", NS)
    assert content.get("type") == "html"
    assert content.text == ENTRIES[0].content_html + ORIGINAL_PARAGRAPH
    assert first.find("atom:summary", NS).text == ENTRIES[0].summary
    links = {link.get("rel"): link.attrib for link in first.findall("atom:link", NS)}
    assert links["alternate"] == {
        "rel": "alternate", "type": "text/html", "href": f"{BASE}/articles/0"
    }
    assert links["via"] == {
        "rel": "via", "title": "江城日报", "href": "https://metro.example.cn/news/5?from=rss&lang=zh"
    }
    assert [link.get("rel") for link in entries[2].findall("atom:link", NS)] == ["alternate"]


def test_atom_dates_and_via_link_as_feedparser_reads_them():
    parsed = parse_feed(render_atom(make_meta(), ENTRIES))
    first = parsed.entries[0]
    assert first.published == "2024-05-03T08:00:00+08:00"
    assert first.updated_parsed == utc_tuple(ENTRIES[0].updated)
    via = [link for link in first.links if link.rel == "via"]
    assert [link.href for link in via] == ["https://metro.example.cn/news/5?from=rss&lang=zh"]


def test_atom_feed_author_falls_back_to_feed_title():
    feed = check_atom(render_atom(make_meta(), ENTRIES))
    assert feed.findtext("atom:author/atom:name", namespaces=NS) == "要闻 Headlines"
    feed = check_atom(render_atom(make_meta(author="编辑部", rights="© 2024 Example"), ENTRIES))
    assert feed.findtext("atom:author/atom:name", namespaces=NS) == "编辑部"
    assert feed.findtext("atom:rights", namespaces=NS) == "© 2024 Example"


def test_json_feed_round_trips():
    meta = make_meta(logo=f"{BASE}/logo.png", icon=f"{BASE}/favicon.png", author="编辑部")
    doc = check_json_feed(render_json_feed(meta, ENTRIES))
    items = doc.pop("items")
    assert doc == {
        "version": JSON_FEED_VERSION,
        "title": "要闻 Headlines",
        "home_page_url": f"{BASE}/",
        "feed_url": f"{BASE}/feeds/all.atom",
        "description": "每日新闻摘要 / Daily news digest",
        "icon": f"{BASE}/logo.png",
        "favicon": f"{BASE}/favicon.png",
        "authors": [{"name": "编辑部"}],
        "language": "zh-CN",
    }
    assert items[0] == {
        "id": ENTRIES[0].id,
        "url": f"{BASE}/articles/0",
        "external_url": "https://metro.example.cn/news/5?from=rss&lang=zh",
        "title": "江城地铁五号线今日通车",
        "content_html": ENTRIES[0].content_html + ORIGINAL_PARAGRAPH,
        "summary": ENTRIES[0].summary,
        "date_published": "2024-05-03T08:00:00+08:00",
        "date_modified": "2024-05-03T08:15:00+08:00",
        "authors": [{"name": "林晓"}],
        "tags": ["城市", "交通"],
        "language": "zh-CN",
    }
    for item, entry in zip(items, ENTRIES):
        assert datetime.fromisoformat(item["date_published"]) == entry.published
        assert datetime.fromisoformat(item["date_modified"]) == entry.updated
    assert "authors" not in items[2] and "external_url" not in items[2]


def test_json_feed_is_utf8_not_ascii_escaped():
    body = render_json_feed(make_meta(), ENTRIES)
    assert "江城地铁五号线今日通车".encode() in body
    assert json.loads(body)["items"][0]["title"] == "江城地铁五号线今日通车"


def test_empty_content_falls_back_to_summary_paragraph():
    entry = make_entry(2, summary="Tom & Jerry <3")
    doc = check_json_feed(render_json_feed(make_meta(), [entry]))
    assert doc["items"][0]["content_html"] == "<p>Tom &amp; Jerry &lt;3</p>"


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_zero_entries_is_still_a_valid_feed(fmt):
    body = render(fmt, make_meta(subtitle=""), [])
    if fmt == "json":
        doc = check_json_feed(body)
        assert doc["items"] == [] and "description" not in doc
        return
    {"rss": check_rss, "atom": check_atom}[fmt](body)
    parsed = parse_feed(body)
    assert parsed.entries == []
    assert parsed.feed.title == "要闻 Headlines"


def test_empty_rss_description_falls_back_to_title():
    channel = check_rss(render_rss(make_meta(subtitle=""), []))
    assert channel.findtext("description") == "要闻 Headlines"


def test_summary_only_feeds_leave_out_content():
    rss = check_rss(render_rss(make_meta(), ENTRIES, full=False))
    assert rss.xpath("//content:encoded", namespaces=NS) == []
    assert [i.findtext("description") for i in rss.iter("item")] == [e.summary for e in ENTRIES]
    atom = check_atom(render_atom(make_meta(), ENTRIES, full=False))
    assert atom.xpath("//atom:content", namespaces=NS) == []
    summaries = [s.text for s in atom.xpath("//atom:summary", namespaces=NS)]
    assert summaries == [e.summary for e in ENTRIES]
    doc = check_json_feed(render_json_feed(make_meta(), ENTRIES, full=False))
    assert [i["content_text"] for i in doc["items"]] == [e.summary for e in ENTRIES]
    assert all("content_html" not in i for i in doc["items"])
    # The original source stays linked even without the full text.
    assert doc["items"][0]["external_url"] == "https://metro.example.cn/news/5?from=rss&lang=zh"


PAGED = dict(
    first_url=f"{BASE}/feeds/all.atom",
    prev_url=f"{BASE}/feeds/all.atom?page=1",
    next_url=f"{BASE}/feeds/all.atom?page=3",
    last_url=f"{BASE}/feeds/all.atom?page=9",
    hub_url="https://hub.example.net/",
)
EXPECTED_RELS = {
    "first": PAGED["first_url"], "previous": PAGED["prev_url"], "prev": PAGED["prev_url"],
    "next": PAGED["next_url"],
    "last": PAGED["last_url"], "hub": PAGED["hub_url"],
}


def feed_links(fmt: str, meta) -> dict[str, str]:
    """rel -> href of the feed-level atom:link elements, after checking the document."""
    if fmt == "rss":
        links = check_rss(render_rss(meta, ENTRIES)).xpath("atom:link", namespaces=NS)
    else:
        links = check_atom(render_atom(meta, ENTRIES)).xpath("atom:link", namespaces=NS)
    return {link.get("rel"): link.get("href") for link in links}


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_paging_and_hub_links_present(fmt):
    links = feed_links(fmt, make_meta(**PAGED))
    assert {rel: links.get(rel) for rel in EXPECTED_RELS} == EXPECTED_RELS
    assert links["self"] == f"{BASE}/feeds/all.atom"
    readers_view = {link.rel: link.href for link in parse_feed(
        render(fmt, make_meta(**PAGED), ENTRIES)).feed.links}
    assert readers_view["next"] == PAGED["next_url"]
    assert readers_view["hub"] == PAGED["hub_url"]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_paging_and_hub_links_absent(fmt):
    links = feed_links(fmt, make_meta())
    assert set(links) & set(EXPECTED_RELS) == set()


def test_json_feed_paging_and_hub():
    doc = check_json_feed(render_json_feed(make_meta(**PAGED), ENTRIES))
    assert doc["next_url"] == PAGED["next_url"]
    assert doc["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"}]
    doc = check_json_feed(render_json_feed(make_meta(), ENTRIES))
    assert "next_url" not in doc and "hubs" not in doc


def test_order_is_the_callers_not_by_date():
    # Deliberately not newest first: the serializer must neither sort nor reverse.
    entries = [make_entry(n) for n in (4, 0, 7, 2, 5)]
    ids = [e.id for e in entries]
    for fmt in ("rss", "atom"):
        assert [e.id for e in parse_feed(render(fmt, make_meta(), entries)).entries] == ids
    doc = check_json_feed(render_json_feed(make_meta(), entries))
    assert [i["id"] for i in doc["items"]] == ids


def test_language_tags_are_normalised_or_dropped():
    entries = [make_entry(0, lang="zh_TW"), make_entry(1, lang="not a tag!")]
    feed = check_atom(render_atom(make_meta(language="en_GB"), entries))
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert feed.get(xml_lang) == "en-GB"
    assert [e.get(xml_lang) for e in feed.findall("atom:entry", NS)] == ["zh-TW", None]



def _many_entries() -> list:
    """Entries that exercise every part an entry's XML is written from, hostile text included."""
    junk = "\x00\x0b\ud800\ufffe"
    return [
        make_entry(0),
        make_entry(1, lang="en", author=None, categories=()),
        make_entry(2, title=f"{junk}<entry> & </entry> <item></item>", summary=f"a {junk}</feed> b",
                   content_html="<p>&lt;/entry&gt; </channel> &amp; ]]> <![CDATA[x]]></p>"),
        make_entry(3, title="   ", original_url="javascript:alert(1)", source_name="来源"),
        make_entry(4, content_html="", lang="zh-Hant", categories=("國際", " ", "國際")),
        make_entry(5, author="  记者 王伟  ", original_url="https://orig.example.com/a?b=1&c=2"),
    ]


@pytest.mark.parametrize("full", [True, False], ids=["full", "summary"])
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_assembled_documents_are_feedgens_whole_document(fmt, full):
    document = {"rss": render_module._rss_document, "atom": render_module._atom_document}[fmt]
    meta = make_meta(next_url=f"{BASE}/feeds/all.atom?page=2", hub_url="https://hub.example.org/",
                     subtitle="\x01 要闻 </feed>")

    def whole(entries):  # feedgen's document of them all, as render wrote it before the cache
        return document(render_module._scrubbed(meta), [render_module._prepare(e, full) for e in entries])

    entries = _many_entries()
    render_module._entry_xml.cache_clear()
    assert render(fmt, meta, entries, full=full) == whole(entries)  # each entry rendered now
    assert render(fmt, meta, entries, full=full) == whole(entries)  # each entry's XML reused
    assert render_module._entry_xml.cache_info().hits == len(entries)
    assert render(fmt, meta, entries[::-1], full=full) == whole(entries[::-1])
    assert render(fmt, meta, [], full=full) == whole([])


def test_a_changed_entry_is_written_anew():
    before = render_atom(make_meta(), [make_entry(0)])
    after = render_atom(make_meta(), [make_entry(0, title="A new headline")])
    assert b"A new headline" in after and b"A new headline" not in before
