"""The digest's "View in browser" link, and an edition as the archive's web page (pure)."""
from __future__ import annotations

from dataclasses import replace

import lxml.html
import pytest

from feedsvc.digest.render import (
    PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, EditionPage, personalise, render_edition_page,
)

from .test_render import BRIDGE, TEMPLATES, make_content, render

ARCHIVE = "https://news.example.cn/digests/2026-11-20?lang=zh-CN"
PAGE = EditionPage(
    archive_url="https://news.example.cn/digests/",
    feed_url="https://news.example.cn/digests/atom.xml",
    feed_title="江城新闻 · 往期摘要",
    subscribe_url="https://news.example.cn/subscribe",
    languages=(("zh-CN", "简体中文", "https://news.example.cn/digests/2026-11-20?lang=zh-CN"),
               ("zh-Hant", "繁體中文", "https://news.example.cn/digests/2026-11-20?lang=zh-Hant"),
               ("en", "English", "https://news.example.cn/digests/2026-11-20?lang=en")),
    default_url="https://news.example.cn/digests/2026-11-20",
)


@pytest.mark.parametrize(("language", "label"), [("zh-CN", "在浏览器中查看"), ("zh-Hant", "在瀏覽器中檢視"),
                                                 ("en", "View in browser")])
def test_the_mail_links_its_archive_page_in_both_parts(language, label):
    rendered = render(replace(make_content(language), archive_url=ARCHIVE))
    masthead = lxml.html.document_fromstring(rendered.html).find_class("masthead")[0]
    assert {a.text_content(): a.get("href") for a in masthead.iter("a")}[label] == ARCHIVE
    separator = "：" if language.startswith("zh") else ": "
    assert rendered.text.splitlines()[1] == f"{label}{separator}{ARCHIVE}"


def test_the_link_is_the_same_for_every_reader():
    shared = render(replace(make_content(), archive_url=ARCHIVE))
    mine, theirs = (personalise(shared, unsubscribe_url=f"https://news.example.cn/u/{who}",
                                preferences_url=f"https://news.example.cn/p/{who}") for who in ("mine", "theirs"))
    assert ARCHIVE in mine.html and ARCHIVE in mine.text
    assert mine.html.replace("/mine", "/theirs") == theirs.html


def test_without_an_archive_page_there_is_no_link():
    rendered = render(make_content())
    assert "在浏览器中查看" not in rendered.html + rendered.text


def test_an_archive_link_that_is_not_http_is_refused():
    with pytest.raises(ValueError, match="archive"):
        render(replace(make_content(), archive_url="javascript:alert(1)"))


def page_of(content=None) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(render_edition_page(content or make_content(), PAGE, templates_dir=TEMPLATES))


def test_the_web_page_is_the_mail_without_personal_links():
    mail = lxml.html.document_fromstring(render(make_content()).html)
    page = page_of(replace(make_content(), archive_url=ARCHIVE))
    # The same layout: the same cells in the same order, the same items and words.
    assert [td.get("class") for td in page.iter("td")][:-1] == [td.get("class") for td in mail.iter("td")][:-1]
    assert page.find(".//title").text == mail.find(".//title").text
    assert [h.text_content() for h in page.iter("h2")] == [h.text_content() for h in mail.iter("h2")]
    html = lxml.html.tostring(page, encoding="unicode")
    for absent in (UNSUBSCRIBE_PLACEHOLDER, PREFERENCES_PLACEHOLDER, "%%", "在浏览器中查看", "退订", "管理订阅"):
        assert absent not in html
    footer = page.find_class("footer")[0]
    hrefs = {a.text_content(): a.get("href") for a in footer.iter("a")}
    assert hrefs["往期摘要"] == PAGE.archive_url and hrefs["订阅每日摘要"] == PAGE.subscribe_url
    assert hrefs["繁體中文"] == PAGE.languages[1][2] and "简体中文" not in hrefs  # the page's own language


def test_the_web_page_names_its_languages_and_feed_and_keeps_its_style_block():
    page = page_of(make_content("zh-Hant"))
    assert page.get("lang") == "zh-Hant"
    alternates = {link.get("hreflang"): link.get("href") for link in page.iter("link") if link.get("hreflang")}
    assert alternates == {**{code: url for code, _label, url in PAGE.languages}, "x-default": PAGE.default_url}
    [feed] = [link for link in page.iter("link") if link.get("type") == "application/atom+xml"]
    assert (feed.get("href"), feed.get("title")) == (PAGE.feed_url, PAGE.feed_title)
    # Not inlined: the browser applies the <style>, and the page's policy admits only that.
    assert not [e for e in page.iter() if e.get("style")]
    assert ".masthead" in page.find(".//style").text
    assert "江城大橋" in page.text_content()  # the items in the reader's script


def test_hostile_article_data_is_inert_in_the_web_page():
    from .test_render import HOSTILE
    page = page_of(make_content(items=[HOSTILE, BRIDGE]))
    assert not list(page.iter("script", "img", "iframe", "b"))
    assert not [n for e in page.iter() for n in e.attrib if n.lower().startswith("on")]
    assert not [a for a in page.iter("a") if a.get("href", "").lower().startswith("javascript:")]
