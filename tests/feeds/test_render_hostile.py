"""The feed serializer against hostile text, unsafe URLs and naive datetimes."""
from __future__ import annotations

from datetime import datetime

import pytest
from lxml import etree

from feedsvc.feeds.formats import render
from feedsvc.feeds.render import UNTITLED, FeedEntry, render_atom, render_rss

from .feedcheck import (
    NS,
    XML_FORBIDDEN,
    check_atom,
    check_json_feed,
    check_rss,
    parse_feed,
)
from .samples import make_entry, make_meta

CHECKS = {"rss": check_rss, "atom": check_atom, "json": check_json_feed}
# C0 controls, a lone high and a lone low surrogate, and the two non-characters XML forbids.
JUNK = "\x00\x01\x08\x0b\x0c\x1b\x1f\ud800\udfff\ufffe\uffff"


def dirty(text: str) -> str:
    """``text`` with JUNK spread through it."""
    return JUNK[:4] + text[:2] + JUNK[4:] + text[2:] + JUNK


def strings_in(value):
    """Every string inside a parsed JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def hostile_entry() -> FeedEntry:
    return make_entry(
        0,
        title=dirty("江城地铁 <script>"),
        summary=dirty("Summary & more"),
        content_html=dirty("<p>早上好</p>"),
        author=dirty("林晓"),
        categories=(dirty("城市"), JUNK),
        source_name=dirty("江城日报"),
        lang=dirty("zh-CN"),
    )


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_forbidden_characters_never_reach_the_output(fmt):
    meta = make_meta(title=dirty("要闻"), subtitle=dirty("摘要"), author=dirty("编辑部"))
    body = render(fmt, meta, [hostile_entry()])
    assert XML_FORBIDDEN.search(body.decode("utf-8")) is None
    parsed = CHECKS[fmt](body)
    if fmt == "json":
        # JSON could spell a control character as an escape, so look at the decoded values.
        assert [s for s in strings_in(parsed) if XML_FORBIDDEN.search(s)] == []
    else:
        entry = parse_feed(body).entries[0]
        assert entry.title == "江城地铁 <script>"
        assert entry.author == "林晓"
        assert [t.term for t in entry.tags] == ["城市"]


def test_hostile_text_survives_cleaned_in_json():
    doc = check_json_feed(render("json", make_meta(), [hostile_entry()]))
    item = doc["items"][0]
    assert item["title"] == "江城地铁 <script>"
    assert item["summary"] == "Summary & more"
    assert item["content_html"].startswith("<p>早上好</p>")
    assert item["tags"] == ["城市"]
    assert item["language"] == "zh-CN"


@pytest.mark.parametrize("junk_title", ["", "   ", JUNK])
def test_title_of_nothing_gets_a_placeholder(junk_title):
    entry = make_entry(1, title=junk_title)
    for fmt in ("rss", "atom"):
        assert parse_feed(render(fmt, make_meta(), [entry])).entries[0].title == UNTITLED
    assert check_json_feed(render("json", make_meta(), [entry]))["items"][0]["title"] == UNTITLED


TRICKY_HTML = "<p>a ]]> b</p><pre>]]></content></summary></feed></rss></pre><p>&amp; &lt;</p>"


def test_cdata_end_and_closing_tags_in_content_stay_text():
    entry = make_entry(1, content_html=TRICKY_HTML, original_url=None)
    rss_item = check_rss(render_rss(make_meta(), [entry])).find("item")
    assert rss_item.findtext("content:encoded", namespaces=NS) == TRICKY_HTML
    atom = check_atom(render_atom(make_meta(), [entry]))
    assert atom.findtext("atom:entry/atom:content", namespaces=NS) == TRICKY_HTML
    assert len(atom.findall("atom:entry", NS)) == 1
    doc = check_json_feed(render("json", make_meta(), [entry]))
    assert doc["items"][0]["content_html"] == TRICKY_HTML


def test_huge_content_is_carried_whole():
    paragraph = "<p>长篇报道 long report &amp; more ]]&gt;</p>"
    content = paragraph * (2_000_000 // len(paragraph))
    entry = make_entry(1, content_html=content, original_url=None)
    atom = check_atom(render_atom(make_meta(), [entry]))
    assert atom.findtext("atom:entry/atom:content", namespaces=NS) == content
    rss_item = check_rss(render_rss(make_meta(), [entry])).find("item")
    assert rss_item.findtext("content:encoded", namespaces=NS) == content
    doc = check_json_feed(render("json", make_meta(), [entry]))
    assert doc["items"][0]["content_html"] == content


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://files.example.com/a", "//example.com/x", "/relative", "   "],
)
def test_only_http_originals_are_linked(url):
    entry = make_entry(0, original_url=url)
    rss_item = check_rss(render_rss(make_meta(), [entry])).find("item")
    assert rss_item.find("source") is None
    assert "原文" not in rss_item.findtext("content:encoded", namespaces=NS)
    atom = check_atom(render_atom(make_meta(), [entry]))
    assert atom.xpath("//atom:link[@rel='via']", namespaces=NS) == []
    item = check_json_feed(render("json", make_meta(), [entry]))["items"][0]
    assert "external_url" not in item and "原文" not in item["content_html"]


def test_original_link_is_escaped_in_the_html():
    url = 'https://example.com/a?x=1&y="2"<script>'
    entry = make_entry(0, original_url=url, source_name="<b>Daily & Co</b>")
    html = check_json_feed(render("json", make_meta(), [entry]))["items"][0]["content_html"]
    assert html.endswith(
        '<p class="original">原文 / Original: <a href="https://example.com/a?x=1&amp;y=&quot;2&quot;'
        '&lt;script&gt;">&lt;b&gt;Daily &amp; Co&lt;/b&gt;</a></p>'
    )
    # The markup the reader sees parses to exactly one link, to exactly that URL.
    fragment = etree.fromstring(f"<div>{html}</div>", etree.HTMLParser())
    assert fragment.xpath("//p[@class='original']/a/@href") == [url]


NAIVE = datetime(2024, 5, 3, 8, 0)


@pytest.mark.parametrize("field", ["published", "updated"])
def test_naive_entry_datetimes_are_rejected(field):
    with pytest.raises(ValueError, match=f"FeedEntry.{field} must be timezone-aware"):
        make_entry(0, **{field: NAIVE})


def test_naive_feed_updated_is_rejected():
    with pytest.raises(ValueError, match="FeedMeta.updated must be timezone-aware"):
        make_meta(updated=NAIVE)


def test_dates_must_be_datetimes():
    with pytest.raises(ValueError, match="FeedEntry.published must be a datetime"):
        make_entry(0, published="2024-05-03T08:00:00+08:00")


@pytest.mark.parametrize("field", ["id", "link"])
def test_entries_need_an_id_and_a_link(field):
    with pytest.raises(ValueError, match=f"FeedEntry.{field} must not be empty"):
        make_entry(0, **{field: ""})


@pytest.mark.parametrize("field", ["id", "title", "link", "self_url"])
def test_feeds_need_their_identity(field):
    with pytest.raises(ValueError, match=f"FeedMeta.{field} must not be empty"):
        make_meta(**{field: ""})


def test_categories_given_as_a_list_become_a_tuple():
    assert make_entry(0, categories=["城市", "交通"]).categories == ("城市", "交通")


def test_feed_meta_is_frozen():
    with pytest.raises(AttributeError):
        make_meta().title = "changed"  # type: ignore[misc]
