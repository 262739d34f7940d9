"""Reader pages: listings, article pages with the original source, search, languages."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from lxml import html as lxml_html

ZH_TEXT = (
    "市图书馆新馆于本周六正式向公众开放，新馆建筑面积约两万平方米。\n\n"
    "新馆首批上架图书约四十万册，并引入自助借还设备。"
)
EN_TEXT = "The harbour ferry resumed service on Monday after a month of repairs to its engines."


@pytest.fixture
def articles(add_article):
    zh = add_article(
        title="新图书馆周六开放", text=ZH_TEXT, source_name="滨海晚报", category="城市",
        tags=["图书馆"], original_url="https://news.example.cn/city/1.html", site_name="江岸新闻网",
        author="王晓", lang="zh", published=datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc),
    )
    en = add_article(title="Harbour ferry returns", text=EN_TEXT, source_name="Bay Courier",
                     category="Transport", lang="en")
    return {"zh": zh, "en": en}


def page(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.data)


def test_home_lists_articles_with_navigation_and_feeds(client, articles):
    doc = page(client.get("/"))
    titles = [a.text_content() for a in doc.cssselect("article.item h3 a")]
    assert set(titles) == {"新图书馆周六开放", "Harbour ferry returns"}
    assert "滨海晚报" in doc.text_content() and "2026年11月20日 09:30" in doc.text_content()
    feeds = {l.get("type"): l.get("href") for l in doc.cssselect('link[rel="alternate"][type]')}
    # The page shows Chinese in Simplified, and so do the feeds it names.
    assert feeds == {
        "application/rss+xml": "https://feeds.example.org/feeds/rss.xml?lang=zh-CN",
        "application/atom+xml": "https://feeds.example.org/feeds/atom.xml?lang=zh-CN",
        "application/feed+json": "https://feeds.example.org/feeds/feed.json?lang=zh-CN",
    }
    nav = [a.text_content() for a in doc.cssselect("aside a")]
    assert {"城市", "Transport", "滨海晚报", "Bay Courier"} <= set(nav)
    assert doc.cssselect('link[rel="stylesheet"]')[0].get("href") == "/static/style.css"
    with client.get("/static/style.css") as css:  # send_file streams; close it
        assert css.status_code == 200 and css.mimetype == "text/css"


def test_listing_by_category_has_its_own_feeds(client, articles):
    doc = page(client.get("/category/城市"))
    assert [a.text_content() for a in doc.cssselect("article.item h3 a")] == ["新图书馆周六开放"]
    hrefs = [l.get("href") for l in doc.cssselect('link[rel="alternate"]')]
    assert "https://feeds.example.org/feeds/category/%E5%9F%8E%E5%B8%82/atom.xml?lang=zh-CN" in hrefs
    assert client.get("/category/none").status_code == 404


def test_article_page_links_the_original(client, articles):
    doc = page(client.get(f"/articles/{articles['zh']}"))
    assert doc.cssselect("h1")[0].text_content() == "新图书馆周六开放"
    originals = {a.get("href") for a in doc.cssselect(".original a, .original-bottom a")}
    assert originals == {"https://news.example.cn/city/1.html"}
    text = doc.text_content()
    assert "转载自 滨海晚报" in text and "阅读原文" in text and "王晓" in text
    assert "四十万册" in doc.cssselect(".body")[0].text_content()


def test_the_story_names_its_reprints(client, articles, add_article):
    reprint = add_article(title="新图书馆周六开放（转载）", text=ZH_TEXT, source_name="江岸晨报", lang="zh")
    doc = page(client.get(f"/articles/{articles['zh']}"))
    [line] = doc.cssselect(".reprints")
    assert "同一报道的其他转载" in line.text_content()
    assert [a.get("href") for a in line.cssselect("a")] == [f"/articles/{reprint}"]
    assert line.cssselect("a")[0].text_content() == "江岸晨报"


def test_a_date_only_article_shows_its_day_alone(client, add_article):
    slug = add_article(title="只有日期的文章", text=ZH_TEXT, lang="zh", published=date(2026, 11, 21))
    for path in ("/", f"/articles/{slug}"):
        [time] = page(client.get(path)).cssselect("time")
        assert (time.get("datetime"), time.text_content()) == ("2026-11-21", "2026年11月21日")
    [time] = page(client.get(f"/articles/{slug}?lang=en")).cssselect("time")
    assert time.text_content() == "Nov 21, 2026"


def test_a_time_shows_in_the_site_zone_in_each_language(client, articles):
    [time] = page(client.get(f"/articles/{articles['zh']}?lang=en")).cssselect("time")
    assert time.get("datetime") == "2026-11-20T01:30:00+00:00"
    assert time.text_content() == "Nov 20, 2026, 9:30\u202fAM"


def test_english_on_request_and_remembered(client, articles):
    response = client.get(f"/articles/{articles['en']}?lang=en")
    doc = page(response)
    assert doc.get("lang") == "en"
    assert "Bay Courier" in doc.text_content() and "Source" in doc.text_content()
    assert "lang=en" in response.headers["Set-Cookie"]
    assert page(client.get("/")).get("lang") == "en"  # the cookie keeps it
    assert page(client.get("/?lang=zh-CN")).get("lang") == "zh-CN"


def test_accept_language_picks_english(client, articles):
    doc = page(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert doc.get("lang") == "en" and "Latest articles" in doc.text_content()


@pytest.mark.parametrize("query, expected", [
    ("图书馆", ["新图书馆周六开放"]),  # two characters: below the trigram length
    ("四十万册", ["新图书馆周六开放"]),
    ("ferry", ["Harbour ferry returns"]),
    ("month of repairs", ["Harbour ferry returns"]),
    ("地铁", []),
    ('"100%_', []),
])
def test_search(client, articles, query, expected):
    doc = page(client.get("/search", query_string={"q": query}))
    assert [a.text_content() for a in doc.cssselect("article.item h3 a")] == expected


def test_hostile_article_html_is_inert_in_pages(client, add_article):
    slug = add_article(
        title="<script>alert('t')</script> headline", text="Plain body text of the story.",
        html='<p onmouseover="x()">Body<script>alert(1)</script>'
             '<a href="javascript:alert(2)">x</a><iframe src="https://evil.example"></iframe></p>',
        author='"><img src=x onerror=alert(3)>',
    )
    for url in ("/", f"/articles/{slug}", "/search?q=headline"):
        response = client.get(url)
        doc = page(response)
        assert not doc.xpath("//script | //iframe"), url
        assert not doc.xpath("//@*[starts-with(name(), 'on')]"), url
        assert not [h for h in doc.xpath("//@href | //@src") if h.strip().lower().startswith("javascript:")]
        assert "<script>alert('t')</script> headline" in doc.text_content()  # shown as text
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_not_found_page_is_html_and_localised(client):
    response = client.get("/articles/none")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)
    assert client.get("/?page=x").status_code == 400


def test_pages_vary_on_language(client, articles):
    assert {"Cookie", "Accept-Language"} <= set(client.get("/").headers["Vary"].replace(" ", "").split(","))
