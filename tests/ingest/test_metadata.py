"""Label, date, byline, breadcrumb and site-line parsing shared by text and HTML."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from feedsvc.ingest import chrome, dates, infolines, people, sitelines

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-10-11", date(2023, 10, 11)),
        ("2023/10/11", date(2023, 10, 11)),
        ("2023.10.11", date(2023, 10, 11)),
        ("2023年10月11日", date(2023, 10, 11)),
        ("２０２３年１０月１１日", date(2023, 10, 11)),
        ("2023-10-11 09:30", datetime(2023, 10, 11, 9, 30, tzinfo=TZ)),
        ("2023/10/11 09:30:15", datetime(2023, 10, 11, 9, 30, 15, tzinfo=TZ)),
        ("2023年10月11日 09:30", datetime(2023, 10, 11, 9, 30, tzinfo=TZ)),
        ("2023年10月11日09时30分", datetime(2023, 10, 11, 9, 30, tzinfo=TZ)),
        ("2023年10月11日 下午3:05", datetime(2023, 10, 11, 15, 5, tzinfo=TZ)),
        ("2023-10-11T09:30:00+08:00", datetime(2023, 10, 11, 9, 30, tzinfo=timezone(timedelta(hours=8)))),
        ("2023-10-11T01:30:00Z", datetime(2023, 10, 11, 1, 30, tzinfo=timezone.utc)),
        ("March 3, 2024", date(2024, 3, 3)),
        ("Mar. 3, 2024 10:15 PM", datetime(2024, 3, 3, 22, 15, tzinfo=TZ)),
        ("3 March 2024", date(2024, 3, 3)),
        # Zone abbreviations after the time; bare CST is left to the importer's zone.
        ("Feb. 9, 2025 11:40 p.m. ET", datetime(2025, 2, 9, 23, 40, tzinfo=ZoneInfo("America/New_York"))),
        ("March 4, 2025 7:15 EDT", datetime(2025, 3, 4, 7, 15, tzinfo=timezone(timedelta(hours=-4)))),
        ("4 March 2025 07:15 CET", datetime(2025, 3, 4, 7, 15, tzinfo=timezone(timedelta(hours=1)))),
        ("2025-03-04 07:15 CST", datetime(2025, 3, 4, 7, 15, tzinfo=TZ)),
        ("2025-03-04 07:15 Beijing", datetime(2025, 3, 4, 7, 15, tzinfo=TZ)),
        ("10:05 AM GMT, June 2, 2024", datetime(2024, 6, 2, 10, 5, tzinfo=timezone.utc)),
        ("6:30 p.m. Monday, March 4, 2024", datetime(2024, 3, 4, 18, 30, tzinfo=TZ)),
        ("not a date", None),
        ("2023-13-45", None),
    ],
)
def test_parse_date(value, expected):
    parsed = dates.parse_date(value, TZ)
    assert parsed == expected
    assert type(parsed) is type(expected)


def test_every_date_pattern_needs_a_year():
    # parse_date and date_span skip a string without four digits in a row: a pattern that
    # could match without a year must drop that shortcut.
    for pattern in dates._DATE_PATTERNS:
        assert r"(?P<year>\d{4})" in pattern.pattern, pattern.pattern


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("发布时间:2023-10-11 来源: 七一网 作者:佚名",
         {"published": "2023-10-11", "source_name": "七一网", "author": "佚名"}),
        ("来源：江城日报　作者：王晓明", {"source_name": "江城日报", "author": "王晓明"}),
        ("發布時間:2024年3月5日 14:20 來源:港灣晚報", {"published": "2024年3月5日 14:20", "source_name": "港灣晚報"}),
        ("时间:2024-01-08 | 来源:南湖晚报 | 编辑:周红 | 浏览次数:3",
         {"published": "2024-01-08", "source_name": "南湖晚报", "editor": "周红", "views": "3"}),
        ("2024-04-12 07:45 来源:滨海日报", {"published": "2024-04-12 07:45", "source_name": "滨海日报"}),
        ("日期:2024-05-02 【字体:大 中 小】【打印】", {"published": "2024-05-02"}),
        ("Source: Harbor News Service", {"source_name": "Harbor News Service"}),
        ("关键词:公交 新能源", {"tags": "公交 新能源"}),
        # The outlet and its reporter on one row, the reporter unlabelled.
        ("2024-12-08 16:45　來源：東岸晨報　記者 黃雅琪",
         {"published": "2024-12-08 16:45", "source_name": "東岸晨報", "author": "黃雅琪"}),
        ("来源：新华网 责任编辑 王芳", {"source_name": "新华网", "editor": "王芳"}),
        ("来源：南方文艺出版社", {"source_name": "南方文艺出版社"}),
        # English labels without their colon, taken only before a date or a URL.
        ("Updated 10:05 AM GMT, June 2, 2024", {"updated": "10:05 AM GMT, June 2, 2024"}),
        ("Published on March 3, 2024", {"published": "March 3, 2024"}),
        ("Originally published at https://example.org/a/1", {"original_url": "https://example.org/a/1"}),
    ],
)
def test_parse_info_line(line, expected):
    assert infolines.parse_info_line(line) == expected


@pytest.mark.parametrize(
    "line",
    ["加强督导指导,是推动学习贯彻的重要抓手。", "the due date: Monday", "作者单位:某某局",
     "来源:" + "很长的一句话" * 10, "Updated figures were published on Monday.", "Posted 3 hours ago",
     "Originally published at the turn of the century.",
     "Posted by SPÖ on Monday, February 7, 2022"],  # an embedded post's header, not the article's date
)
def test_lines_that_are_not_info_lines(line):
    assert infolines.parse_info_line(line) is None


def test_bylines():
    assert people.parse_byline("By Jane Doe") == {"author": "Jane Doe"}
    assert people.parse_byline("By Jane Doe | March 3, 2024") == {"author": "Jane Doe", "published": "March 3, 2024"}
    assert people.parse_byline("本报记者 张三 李四") == {"author": "张三、李四"}
    assert people.parse_byline("Bystanders gathered near the bridge on Friday to watch the rescue.") is None
    assert people.lead_byline("新华社北京3月3日电(记者 李四 王五)全国…") == "李四、王五"
    assert people.lead_byline("本报讯(记者 张伟 通讯员 刘洋)11月30日…") == "张伟"
    assert people.lead_byline("今天天气很好(记者观察)。") is None
    assert people.clean_person("佚名") is None


def test_breadcrumbs():
    crumbs = sitelines.parse_breadcrumb("当前所在:首页 > 廉政时评 > 正文")
    assert crumbs == ["首页", "廉政时评", "正文"]
    assert sitelines.section_from_crumbs(crumbs) == "廉政时评"
    assert sitelines.section_from_crumbs(sitelines.parse_breadcrumb("首页>社會新聞>正文")) == "社會新聞"
    trail = sitelines.parse_breadcrumb("您的位置：首页 » 本地 » 湿地公园迎来越冬候鸟")
    assert sitelines.section_from_crumbs(trail, "湿地公园迎来越冬候鸟") == "本地"
    assert sitelines.parse_breadcrumb("首页新闻很多") is None


def test_site_lines():
    assert sitelines.parse_welcome("欢迎来到廉政法治网!") == "廉政法治网"
    assert sitelines.parse_welcome("Welcome to The Harbor Gazette!") == "The Harbor Gazette"
    assert sitelines.parse_copyright("廉政法治网 lzfz.org.cn 版权所有。") == "廉政法治网"
    assert sitelines.parse_copyright("版权所有:江城日报社 京ICP备00000000号") == "江城日报社"
    assert sitelines.parse_copyright("Copyright © 2024 The Harbor Gazette. All rights reserved.") == "The Harbor Gazette"
    assert sitelines.parse_copyright("本文版权归原作者所有") is None
    # A footer row run together: what follows 版权所有 is the registration, not the owner.
    assert sitelines.parse_copyright("关于我们 | 网站地图 版权所有 浙ICP备00000000号") is None


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("首页 | 新闻 | 经济 | 科技", chrome.NAV),
        ("首页 新闻 政务 专题 图片", chrome.NAV),
        ("Home | News | Business | Sports", chrome.NAV),
        ("【字体:大 中 小】【打印】【关闭】", chrome.TOOLS),
        ("分享到:微信 微博 QQ空间", chrome.SHARE),
        ("相关阅读", chrome.END),
        ("Related articles", chrome.END),
        ("[免责声明] 本文来源于网络转载,仅供学习交流使用。", chrome.END),
        ("京ICP备00000000号", chrome.END),
        ("轉載請註明出處", chrome.END),
        ("未经授权，禁止转载。", chrome.END),
        ("（本文为江城日报原创稿件，如需转载请联系本报）", chrome.END),
        ("【字體：大 中 小】 列印", chrome.TOOLS),
        ("他说，这篇报道转载后被更多读者看到。", chrome.TEXT),
        ("Share", chrome.NAV),
        ("Updated figures were published on Monday.", chrome.TEXT),
        ("联系电话:010-00000000", chrome.END),
        ("邮箱:news@example.cn  客服QQ:12345678", chrome.END),
        ("(作者单位:某市统计局)", chrome.AFFILIATION),
        ("City Council Approves Waterfront Park Plan", chrome.TEXT),
        ("电话那头,母亲的声音有些哽咽。", chrome.TEXT),
        ("The court heard a copyright claim over the mural on Tuesday.", chrome.TEXT),
        ("Copyright lawyers said the claim was weak.", chrome.TEXT),
        ("Photo: © Jane Doe", chrome.INFO),  # a credit, not article text
    ],
)
def test_classify_line(line, kind):
    assert chrome.classify_line(line).kind == kind


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("人民网 记者 王立新", {"author": "王立新"}),
        # Where the reporter filed from follows the name: Taiwan's "記者X／台中報導".
        ("記者林大明／台中報導", {"author": "林大明"}),
        ("（記者林大明／台中報導）", {"author": "林大明"}),
        ("记者 张三 北京5日电", {"author": "张三"}),
        ("记者 王电", {"author": "王电"}),
        ("原创 李晓雨 城事观察 2024-03-05 08:00 发表于江苏",
         {"author": "李晓雨", "site_name": "城事观察", "published": "2024-03-05 08:00"}),
        ("城事观察 2024-03-05 发表于江苏", {"site_name": "城事观察", "published": "2024-03-05"}),
        ("2022-02-13 20:04 人民网 记者 王立新", {"published": "2022-02-13 20:04", "author": "王立新"}),
        ("记者 王立新 通讯员 李四", {"author": "王立新"}),
        ("文/赵六", {"author": "赵六"}),
        ("By Corey Kilgannon Feb. 21, 2019", {"author": "Corey Kilgannon", "published": "Feb. 21, 2019"}),
        ("风吹麦浪88 发表于 2024-03-02 21:15", {"author": "风吹麦浪88", "published": "2024-03-02 21:15"}),
        ("小雨点 发表于 2024-03-03 08:40 同问，我家也是这样。", None),  # a reply, not a header
        ("张三 李四 2024-03-05", None),  # two names and a date: no sign of a WeChat header
    ],
)
def test_more_bylines(line, expected):
    assert people.parse_byline(line) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane Doe", "Jane Doe"),
        ("张三、李四", "张三、李四"),
        ("Von Vanessa Franke", "Vanessa Franke"),
        ("Evan HalperStaff Writer", "Evan Halper"),
        ("Jill Serjeant 4 Min Read", "Jill Serjeant"),
        ("你支持延迟退休吗？", None),  # a poll question
        ("周琦,姚明,中国男篮,篮球世界杯", None),  # a keyword list
        ("devindra", None),  # a user id
        ("user12345", None),
        ("news.example.com", None),  # a domain
        ("Follow Author", None),
        ("佚名", None),
    ],
)
def test_plausible_names(value, expected):
    assert people.plausible_name(value) == expected


def test_a_keyword_list_known_to_the_page_is_no_name():
    assert people.plausible_name("Climate, Energy", known=("climate, energy",)) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2022-02-13 20:04:17", {"dateline": "2022-02-13 20:04:17"}),
        ("2022年02月13日 20:04 星期日", {"dateline": "2022年02月13日 20:04"}),
        ("March 3, 2024", {"dateline": "March 3, 2024"}),
        ("2022年2月13日，市政府召开会议研究防汛工作。", None),
        ("更新时间：2024-05-02 10:00", {"updated": "2024-05-02 10:00"}),  # not the publication time
    ],
)
def test_datelines(line, expected):
    assert infolines.parse_info_line(line) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("人民网-文化频道 分享到：", "人民网"),
        ("澎湃新闻 字号 超大 大 标准 小", "澎湃新闻"),
        ("新京报 举报", "新京报"),
        ("Supplied", None),
        ("江城日报", "江城日报"),
    ],
)
def test_sources_without_their_rows_chrome(value, expected):
    assert infolines.clean_source(value) == expected
