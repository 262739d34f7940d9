"""The reader's language: ?lang= remembered, Accept-Language matched on script, hreflang alternates."""
from __future__ import annotations

import pytest
from lxml import html as lxml_html

from feedsvc import languages

BASE = "https://feeds.example.org"


def page(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.data)


@pytest.mark.parametrize("accept, expected", [
    ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"),
    ("zh-HK", "zh-Hant"),
    ("zh-Hant-TW", "zh-Hant"),
    ("zh-MO,en;q=0.5", "zh-Hant"),
    ("zh-CN,zh;q=0.9", "zh-CN"),
    ("zh-SG", "zh-CN"),
    ("zh", "zh-CN"),
    ("fr-FR,en-US;q=0.7", "en"),
    ("fr, de", "zh-CN"),  # none of ours: the default
])
def test_accept_language_is_matched_on_language_and_script(client, accept, expected):
    assert page(client.get("/", headers={"Accept-Language": accept})).get("lang") == expected


def test_traditional_chinese_on_request_and_remembered(client):
    response = client.get("/search?lang=zh-Hant")
    doc = page(response)
    assert doc.get("lang") == "zh-Hant" and doc.cssselect("h1")[0].text_content() == "搜尋"
    assert "lang=zh-Hant" in response.headers["Set-Cookie"]
    later = page(client.get("/", headers={"Accept-Language": "en"}))  # the cookie wins
    assert later.get("lang") == "zh-Hant" and "最新文章" in later.text_content()
    assert "繁體中文" in later.cssselect("nav.lang strong")[0].text_content()


def test_an_unknown_language_is_ignored(client):
    response = client.get("/?lang=xx", headers={"Accept-Language": "en"})
    assert page(response).get("lang") == "en" and "lang=" not in response.headers.get("Set-Cookie", "")


def test_every_page_names_its_other_languages(client):
    doc = page(client.get("/search?q=图书馆&page=2&lang=en"))
    alternates = {link.get("hreflang"): link.get("href") for link in doc.cssselect("link[hreflang]")}
    query = "q=%E5%9B%BE%E4%B9%A6%E9%A6%86&page=2"
    assert alternates == {
        "zh-CN": f"{BASE}/search?{query}&lang=zh-CN",
        "zh-Hant": f"{BASE}/search?{query}&lang=zh-Hant",
        "en": f"{BASE}/search?{query}&lang=en",
        "x-default": f"{BASE}/search?{query}",
    }
    menu = {a.get("hreflang"): a.get("href") for a in doc.cssselect("nav.lang a")}
    assert menu == {"zh-CN": f"/search?{query}&lang=zh-CN", "zh-Hant": f"/search?{query}&lang=zh-Hant"}


def test_the_error_page_names_no_alternates(client):
    response = client.get("/articles/none?lang=zh-Hant")
    assert response.status_code == 404
    doc = lxml_html.fromstring(response.data)
    assert not doc.cssselect("link[hreflang]") and doc.cssselect("h1")[0].text_content() == "頁面不存在"


@pytest.mark.parametrize("tag, expected", [("en-GB", "en"), ("zh_TW", "zh-Hant"), ("ZH-hant", "zh-Hant"),
                                           ("", None), ("x" * 80, None), ("zh-CN-u-ca-chinese", "zh-CN")])
def test_match(tag, expected):
    found = languages.match(tag)
    assert (found.code if found else None) == expected


def test_the_subscribe_form_offers_every_language(client):
    doc = page(client.get("/subscribe?lang=zh-Hant"))
    options = {o.get("value"): o.text_content() for o in doc.cssselect("select[name=language] option")}
    assert options == {"zh-CN": "简体中文", "zh-Hant": "繁體中文", "en": "English"}
    assert doc.cssselect("select[name=language] option[selected]")[0].get("value") == "zh-Hant"
