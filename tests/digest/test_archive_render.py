"""An edition as the archive's web page: the mail's templates without the personal links (pure)."""
from __future__ import annotations

import lxml.html

from feedsvc.digest.render import PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, EditionPage, render_edition_page

from .test_render import BRIDGE, TEMPLATES, make_content, render

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


def page_of(content=None) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(render_edition_page(content or make_content(), PAGE, templates_dir=TEMPLATES))


def test_the_web_page_is_the_mail_without_personal_links():
    mail = lxml.html.document_fromstring(render(make_content()).html)
    page = page_of()
    # The same layout: the same cells in the same order, the same items and words.
    assert [td.get("class") for td in page.iter("td")][:-1] == [td.get("class") for td in mail.iter("td")][:-1]
    assert page.find(".//title").text == mail.find(".//title").text
    assert [h.text_content() for h in page.iter("h2")] == [h.text_content() for h in mail.iter("h2")]
    html = lxml.html.tostring(page, encoding="unicode")
    for absent in (UNSUBSCRIBE_PLACEHOLDER, PREFERENCES_PLACEHOLDER, "%%", "退订", "管理订阅"):
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
