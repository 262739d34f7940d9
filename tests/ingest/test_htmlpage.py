"""Saved HTML pages: main text via trafilatura, metadata from the page itself."""
from datetime import date, datetime, timezone

import pytest

from feedsvc.ingest.parse import parse_bytes

HOSTILE = ("<script", "onclick", "onerror", "onmouseover", "javascript:", "evil.example.com", "steal")


def parse_one(data: bytes, name: str, tz):
    [article] = parse_bytes(data, name, tz=tz)
    return article


def test_chinese_page_with_open_graph_metadata(fixture_text, shanghai):
    article = parse_one(fixture_text("zh-og-page.html").encode("utf-8"), "elevator.html", shanghai)
    assert article.title == "老城区加装电梯工作全面提速"  # og:title without the site suffix
    assert article.site_name == "滨海新闻网"
    assert article.summary == "今年计划为老城区二百个单元加装电梯。"
    assert article.published == datetime(2024, 4, 12, 7, 45, tzinfo=shanghai)
    assert article.category == "民生"
    assert article.tags == ["加装电梯", "老旧小区"]
    assert article.author == "赵小川"
    assert article.source_name == "滨海日报"  # from the visible info line
    assert article.canonical_url == "https://www.binhai.example.cn/news/2024/0412/elevator.html"
    assert article.lang == "zh" and article.format == "html"
    assert article.text.startswith("记者从市住房和城乡建设局获悉")
    assert len(article.text.split("\n\n")) == 5
    for chrome in ("来源", "首页", "视频", "版权所有"):
        assert chrome not in article.text
    # The relative link is made absolute against og:url.
    assert 'href="https://www.binhai.example.cn/news/2024/0301/subsidy.html"' in article.html


def test_gbk_page_with_only_a_visible_info_line(fixture_text, shanghai):
    data = fixture_text("zh-info-line-page.html").encode("gbk")
    article = parse_one(data, "birds.htm", shanghai)
    assert article.encoding == "gb18030"
    assert article.title == "湿地公园迎来越冬候鸟"  # <title> without " - 南湖资讯"
    assert article.published == datetime(2024, 1, 8, 10, 0, tzinfo=shanghai)
    assert article.source_name == "南湖晚报"
    assert article.author == "孙丽"
    assert article.category == "本地新闻"
    assert article.site_name == "南湖资讯"
    assert article.original_url == "http://www.nhwb.example.com/2024/0108/birds.html"
    assert article.summary is None
    assert article.lang == "zh"  # no <html lang>: detected from the text
    assert article.text.startswith("连日来,南湖湿地公园迎来大批越冬候鸟")
    assert article.text.endswith("公园开放时间为每天早上六时至晚上七时。")
    for chrome in ("时间:", "浏览次数", "当前位置", "原文链接", "Copyright", "首页"):
        assert chrome not in article.text
    for bad in HOSTILE:
        assert bad not in article.html
    assert "stolen" not in article.text
    assert 'href="https://www.nanhu.example.com/guide/birds.html"' in article.html
    assert 'src="https://www.nanhu.example.com/local/2024/0108/images/swan.jpg"' in article.html


def test_english_page_with_json_ld_and_hostile_markup(fixture_text, shanghai):
    article = parse_one(fixture_text("en-page.html").encode("utf-8"), "library.html", shanghai)
    assert article.title == "Library Opens Late-Night Reading Room"
    assert article.site_name == "Riverside Courier"
    assert article.author == "Tom Baker"
    assert article.published == datetime(2024, 5, 20, 18, 30, tzinfo=timezone.utc)
    assert article.category == "Local"
    assert article.tags == ["libraries", "education"]
    assert article.summary == "The central library will keep one reading room open until midnight."
    assert article.canonical_url == "https://www.riverside.example.com/local/2024/05/library-late-night"
    assert article.lang == "en"
    assert article.text.startswith("The central library will keep its second-floor reading room")
    assert "By Tom Baker" not in article.text and "All rights reserved" not in article.text
    for bad in HOSTILE:
        assert bad not in article.html
    assert '<a href="https://www.riverside.example.com/local/2024/05/library-hours"' in article.html
    assert "Read the petition" in article.text  # the link text stays, its javascript: URL goes


def test_html_is_sniffed_without_an_extension(fixture_text, shanghai):
    article = parse_one(fixture_text("en-page.html").encode("utf-8"), "download", shanghai)
    assert article.format == "html" and article.site_name == "Riverside Courier"


def test_html_blocks_become_paragraphs():
    from feedsvc.ingest.blocks import html_to_paragraphs

    fragment = ("<table><tr><td>Oaks</td><td>300</td></tr></table><div>loose <b>text</b><br>second</div>"
                "tail<p>a<br>b</p><!-- note --><ul><li>one</li><li>two <em>2</em></li></ul>")
    assert html_to_paragraphs(fragment) == ["Oaks 300", "loose text", "second", "tail", "a b", "one", "two 2"]


@pytest.mark.parametrize("reference", ["&#1;", "&#x1", "&#X0b;", "&#xFFFE;", "&#65535", "&#55296;", "&#xD800;",
                                       "&#1114112;", "&#00000001;"])
def test_a_reference_to_a_forbidden_character_never_reaches_the_tree(reference):
    from lxml.html import HtmlElement

    from feedsvc.ingest.htmltree import load_tree
    from feedsvc.sanitize import strip_control_chars

    tree: HtmlElement = load_tree(f"<html><body><p title='x{reference}'>a{reference}b</p>{reference}tail</body></html>")
    texts = [t for e in tree.iter() for t in (e.text, e.tail) if t]
    assert texts and all(strip_control_chars(t) == t for t in texts)
    tree.find("body").find("p").drop_tree()  # lxml would refuse the tail here if one were left


def _searches(monkeypatch) -> list[str]:
    """Calls of htmldate's page-wide search (the real one), as the HTML reader makes them."""
    import htmldate

    calls, real = [], htmldate.find_date

    def counted(*args, **kwargs):
        calls.append(kwargs.get("extensive_search"))
        return real(*args, **kwargs)

    monkeypatch.setattr(htmldate, "find_date", counted)
    return calls


_STORY = "<p>" + "渡轮在停航一个月后于周一恢复运营，首班船上午七点从北岸码头出发，乘客秩序井然。" * 3 + "</p>"


def test_a_labelled_date_line_spares_the_page_wide_date_search(monkeypatch):
    calls = _searches(monkeypatch)
    # A line htmldate's quick reading does not take, so only the search could have found it.
    page = f"<html><body><h1>渡轮恢复运营</h1><p>发布时间：2024年3月5日 10:12</p>{_STORY}</body></html>"
    article, = parse_bytes(page.encode(), "a.html", tz=timezone.utc)
    assert article.published == datetime(2024, 3, 5, 10, 12, tzinfo=timezone.utc)
    assert True not in calls


def test_a_page_whose_head_and_lines_give_no_date_is_searched(monkeypatch):
    calls = _searches(monkeypatch)
    # htmldate's quick reading finds no date in this text; its page-wide search does.
    page = (f"<html><body><h1>渡轮恢复运营</h1>{_STORY}"
            "<p>The ferry stopped on 5 March 2024 for repairs to its hull and engines.</p></body></html>")
    article, = parse_bytes(page.encode(), "a.html", tz=timezone.utc)
    assert True in calls
    assert article.published == date(2024, 3, 5)
