"""Plain-text dumps of news pages in the layouts Chinese and English sites use."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from feedsvc.ingest.article import ParseError
from feedsvc.ingest.parse import parse_bytes

CHROME = ("首页", "您的位置", "字体", "打印", "分享到", "微博", "责任编辑", "相关新闻", "版权所有",
          "ICP备", "地址", "联系电话")


def parse_one(data: bytes, name: str, tz) -> object:
    [article] = parse_bytes(data, name, tz=tz)
    return article


def test_simplified_dump_with_full_width_colons(fixture_text, shanghai):
    article = parse_one(fixture_text("zh-simplified-dump.txt").encode("utf-8"), "a.txt", shanghai)
    assert article.title == "江城首条无人驾驶公交线路开通试运营"
    assert article.source_name == "江城日报"
    assert article.author == "王晓明"
    assert article.published == datetime(2024, 3, 5, 9, 30, tzinfo=shanghai)
    assert article.category == "科技前沿"
    assert article.site_name == "江城日报社"
    assert article.lang == "zh" and article.format == "text"
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("3月4日上午,江城首条无人驾驶公交线路")  # indentation stripped
    assert paragraphs[-1].endswith("以后上班又多了一个选择。”")
    for chrome in CHROME:
        assert chrome not in article.text, chrome
    assert article.html.startswith("<p>3月4日上午") and article.html.count("<p>") == 4


def test_traditional_dump_with_reporter_in_first_paragraph(fixture_text, shanghai):
    article = parse_one(fixture_text("zh-traditional-dump.txt").encode("utf-8"), "b.txt", shanghai)
    assert article.title == "社區圖書館延長開放時間 夜讀人數翻倍"
    assert article.published == datetime(2024, 3, 5, 14, 20, tzinfo=shanghai)
    assert article.source_name == "港灣晚報"
    assert article.author == "陳美玲"
    assert article.category == "社會新聞"
    assert article.site_name == "港灣新聞網"
    assert article.original_url == "https://news.example.hk/community/20240305-library.html"
    assert article.text.startswith("本報訊(記者 陳美玲)本區社區圖書館")
    assert article.text.endswith("再決定是否推廣至其他分館。")
    assert "免責聲明" not in article.text and "原文網址" not in article.text


def test_one_line_per_paragraph_dump_with_welcome_line(fixture_text, shanghai):
    article = parse_one(fixture_text("zh-byline-dump.txt").encode("utf-8"), "c.txt", shanghai)
    assert article.title == "青山县举办首届茶文化节"
    assert article.site_name == "青山在线"
    assert article.published == datetime(2023, 12, 1, 8, 5, 9, tzinfo=shanghai)
    assert article.author == "张伟"  # the correspondent (通讯员) is not the author
    assert len(article.text.split("\n\n")) == 3
    assert "上一篇" not in article.text and "打印本页" not in article.text


def test_english_dump(fixture_text):
    tz = ZoneInfo("America/New_York")
    article = parse_one(fixture_text("en-dump.txt").encode("utf-8"), "d.txt", tz)
    assert article.title == "City Council Approves Waterfront Park Plan"
    assert article.author == "Jane Doe"
    assert article.published == datetime(2024, 3, 3, 10, 15, tzinfo=tz)
    assert article.source_name == "Harbor News Service"
    assert article.site_name == "The Harbor Gazette"
    assert article.original_url == "https://harbornews.example.com/2024/03/03/waterfront-park"
    assert article.lang == "en"
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 4
    # Hard-wrapped lines are joined with a space into one paragraph.
    assert paragraphs[0] == (
        "The city council on Monday approved a plan to turn a disused stretch of the old ferry "
        "terminal into a public park, ending a debate that has run for almost four years."
    )
    for chrome in ("Home |", "Related articles", "Council budget vote", "Copyright", "Original article"):
        assert chrome not in article.text


@pytest.mark.parametrize(
    ("name", "codec", "encoding"),
    [
        ("zh-simplified-dump.txt", "gbk", "gb18030"),
        ("zh-simplified-dump.txt", "gb18030", "gb18030"),
        ("zh-traditional-dump.txt", "big5", "big5hkscs"),
        ("zh-traditional-dump.txt", "utf-16", "utf-16-le"),
        ("zh-simplified-dump.txt", "utf-8-sig", "utf-8"),
    ],
)
def test_legacy_and_unicode_encodings(fixture_text, shanghai, name, codec, encoding):
    reference = parse_one(fixture_text(name).encode("utf-8"), name, shanghai)
    article = parse_one(fixture_text(name).encode(codec), name, shanghai)
    assert article.encoding == encoding
    assert article.title == reference.title and not article.title.startswith("\ufeff")
    assert article.text == reference.text
    assert article.source_name == reference.source_name


def test_date_only_metadata_stays_a_date(shanghai):
    dump = "示例网\n\n河道清淤工程完工\n\n日期:2024年5月2日  来源:示例日报\n\n" \
           "　　经过两个月施工,城区主要河道清淤工程日前全部完工,共清理淤泥三万立方米。\n"
    article = parse_one(dump.encode("utf-8"), "e.txt", shanghai)
    assert article.published == date(2024, 5, 2) and not isinstance(article.published, datetime)
    assert article.source_name == "示例日报"


def test_utc_offset_in_the_dump_wins_over_the_site_zone(shanghai):
    dump = "Bridge Reopens After Repairs\n\nPublished: 2024-06-01T08:00:00Z\n\n" \
           "The Elm Street bridge reopened to traffic on Saturday after six weeks of repairs.\n"
    article = parse_one(dump.encode("utf-8"), "f.txt", shanghai)
    assert article.published == datetime(2024, 6, 1, 8, 0, tzinfo=timezone.utc)


def test_navigation_only_page_is_rejected(fixture_text, shanghai):
    with pytest.raises(ParseError, match="No article"):
        parse_bytes(fixture_text("nav-only.txt").encode("utf-8"), "nav.txt", tz=shanghai)


def test_question_title_metadata_labels_and_share_bar(shanghai):
    dump = (
        "Is the Old Bridge Safe Enough?\n\nAuthor: Mark Green\nDate: 12 April 2024\n\n"
        "Engineers inspected the old bridge on Tuesday and found cracks in two of its supports.\n\n"
        "The bridge will stay open to cars while repairs are planned.\n\n"
        "Share this article:\nFacebook Twitter Email\n"
    )
    article = parse_one(dump.encode("utf-8"), "bridge.txt", shanghai)
    assert article.title == "Is the Old Bridge Safe Enough?"
    assert article.author == "Mark Green" and article.published == date(2024, 4, 12)
    assert article.text.endswith("while repairs are planned.")


def test_metadata_above_the_title_and_credit_lines_in_the_body(shanghai):
    dump = (
        "某某网\n2024-03-05 10:00 来源:示例日报\n\n时间:见证者——记一位老钟表匠\n\n"
        "　　老街拐角处的钟表铺已经开了四十年,店主老周每天早上七点准时开门。\n\n"
        "　　他说,修表最需要的是耐心。\n\n(来源:示例日报)\n\n责任编辑:李四\n"
    )
    article = parse_one(dump.encode("utf-8"), "clock.txt", shanghai)
    assert article.title == "时间:见证者——记一位老钟表匠"  # a label word, but no date: a headline
    assert article.published == datetime(2024, 3, 5, 10, 0, tzinfo=shanghai)
    assert article.source_name == "示例日报" and article.author is None
    assert article.text.split("\n\n") == ["老街拐角处的钟表铺已经开了四十年,店主老周每天早上七点准时开门。", "他说,修表最需要的是耐心。"]


def test_body_text_without_a_title_line_imports_named_by_its_first_sentence(shanghai):
    dump = ("　　社区图书馆周末举办亲子共读活动，吸引了两百多个家庭参加，活动持续了整整一个下午。"
            "馆方表示，今后每月都将举办主题阅读活动，并邀请本地作家到场与读者交流写作经历。\n")
    [article] = parse_bytes(dump.encode("utf-8"), "untitled.txt", tz=shanghai)
    assert article.title == "社区图书馆周末举办亲子共读活动，吸引了两百多个家庭参加，活动持续了整整一个下午。"
    assert article.text.startswith("社区图书馆周末举办亲子共读活动")


def test_markdown_without_a_title_imports_named_by_its_first_sentence(shanghai):
    [article] = parse_bytes("The ferry now runs until ten. Riders asked for it.\n".encode(), "note.md", tz=shanghai)
    assert article.title == "The ferry now runs until ten."
