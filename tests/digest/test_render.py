"""Digest and confirmation emails: content in both languages, safety, wording overrides."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import lxml.html
import pytest

from feedsvc import languages
from feedsvc.digest.compose import DigestContent, DigestItem
from feedsvc.digest.render import (
    PREFERENCES_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    DigestWording,
    WordingError,
    personalise,
    render_confirmation,
    render_digest,
    validate_wording,
)
from feedsvc.digest.wording import default_wording

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
LONG_URL = (
    "https://metro.example.cn/2026/11/20/" + "bridge-reopening-" * 12 + "story.html?from=rss&id=7"
)
UNSUBSCRIBE = "https://news.example.cn/digest/unsubscribe?token=abc&sig=123"
PREFERENCES = "https://news.example.cn/digest/preferences?token=abc&sig=456"

BRIDGE = DigestItem(
    title="江城大桥完成检修 周五起恢复通行",
    url="https://news.example.cn/articles/101",
    published=datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc),
    summary="经过三个月的检修，江城大桥将于本周五早上六点恢复双向通行。\n\n公交线路同步恢复。",
    original_url=LONG_URL,
    source_name="江城日报",
    category="本地",
)
LIBRARY = DigestItem(
    title="Riverside library opens a night reading room",
    url="https://news.example.cn/articles/102",
    published=datetime(2026, 11, 19, 12, 0, tzinfo=timezone.utc),
    summary="The reading room stays open until midnight on weekdays.",
    original_url="https://weekly.example.com/library-night?ref=feed",
    source_name="Harbour Weekly",
    category="Culture",
)


def make_content(language="zh-CN", zone="Asia/Shanghai", items=(BRIDGE, LIBRARY)):
    """A two-item edition of an invented local news site."""
    return DigestContent(
        site_name="江城新闻",
        site_url="https://news.example.cn/",
        edition_date=date(2026, 11, 20),
        language=language,
        timezone=zone,
        items=tuple(items),
    )


def render(content, wording=None):
    """``content`` rendered with our templates."""
    return render_digest(content, templates_dir=TEMPLATES, wording=wording)


def items_of(html):
    """The item cells of a rendered digest, as lxml elements."""
    return lxml.html.document_fromstring(html).find_class("item")


def test_zh_digest_shows_every_item_in_shanghai_time():
    rendered = render(make_content())
    assert rendered.subject == (
        "江城新闻每日摘要 · 2026年11月20日 · 2 篇：江城大桥完成检修 周五起恢复通行"
    )
    bridge, library = items_of(rendered.html)
    title = bridge.find(".//h2/a")
    assert title.text_content() == BRIDGE.title
    assert title.get("href") == BRIDGE.url
    assert "来源：江城日报 · 2026年11月20日 09:30 · 本地" in bridge.text_content()
    assert "经过三个月的检修" in bridge.text_content()
    links = {a.text_content(): a.get("href") for a in bridge.iter("a")}
    assert links["在江城新闻阅读"] == BRIDGE.url
    assert links["阅读原文"] == LONG_URL
    assert "2026年11月19日 20:00" in library.text_content()


def test_en_digest_shows_every_item_in_new_york_time():
    # Babel's (CLDR's) English: a narrow no-break space before AM/PM.
    rendered = render(make_content("en", "America/New_York"))
    assert rendered.subject == (
        "江城新闻 daily digest, Nov 20, 2026: 2 articles · 江城大桥完成检修 周五起恢复通行"
    )
    bridge, library = items_of(rendered.html)
    assert "Source: 江城日报 · Nov 19, 2026, 8:30\u202fPM · 本地" in bridge.text_content()
    assert "Source: Harbour Weekly · Nov 19, 2026, 7:00\u202fAM · Culture" in library.text_content()
    links = {a.text_content(): a.get("href") for a in library.iter("a")}
    assert links["Read on 江城新闻"] == LIBRARY.url
    assert links["Read the original"] == LIBRARY.original_url
    assert "Here are 2 new articles for Nov 20, 2026." in rendered.html


def test_text_body_keeps_every_url_whole_on_its_line():
    text = render(make_content()).text
    lines = text.splitlines()
    assert f"阅读原文：{LONG_URL}" in lines
    assert f"在江城新闻阅读：{BRIDGE.url}" in lines
    assert f"阅读原文：{LIBRARY.original_url}" in lines
    assert f"退订：{UNSUBSCRIBE_PLACEHOLDER}" in lines
    assert f"管理订阅：{PREFERENCES_PLACEHOLDER}" in lines
    assert "来源：江城日报 · 2026年11月20日 09:30 · 本地" in lines
    assert "公交线路同步恢复。" in lines


def test_html_styles_are_inlined_and_only_media_queries_stay_in_a_style_block():
    document = lxml.html.document_fromstring(render(make_content()).html)
    for tag in ("body", "table", "td", "h2", "p", "a"):
        elements = list(document.iter(tag))
        assert elements and all(e.get("style") for e in elements), tag
    (style,) = document.iter("style")
    assert style.text.strip().startswith("@media")
    container = document.find_class("container")[0]
    assert "max-width: 600px" in container.get("style")


def test_preheader_is_hidden_and_shows_the_first_titles():
    document = lxml.html.document_fromstring(render(make_content()).html)
    preheader = document.body[0]
    assert "display: none" in preheader.get("style")
    assert preheader.text_content().startswith(f"{BRIDGE.title} · {LIBRARY.title}")


def test_footer_has_the_reason_and_the_personal_link_placeholders():
    rendered = render(make_content("en", "Europe/London"))
    document = lxml.html.document_fromstring(rendered.html)
    footer = document.find_class("footer")[0]
    assert "you subscribed to the daily digest of 江城新闻" in footer.text_content()
    hrefs = {a.text_content(): a.get("href") for a in footer.iter("a")}
    assert hrefs["Unsubscribe"] == UNSUBSCRIBE_PLACEHOLDER
    assert hrefs["Manage your subscription"] == PREFERENCES_PLACEHOLDER


def test_personalise_fills_in_escaped_links_and_leaves_the_shared_body_alone():
    shared = render(make_content())
    mine = personalise(shared, unsubscribe_url=UNSUBSCRIBE, preferences_url=PREFERENCES)
    assert 'href="https://news.example.cn/digest/unsubscribe?token=abc&amp;sig=123"' in mine.html
    footer = lxml.html.document_fromstring(mine.html).find_class("footer")[0]
    hrefs = {a.text_content(): a.get("href") for a in footer.iter("a")}
    assert hrefs == {"退订": UNSUBSCRIBE, "管理订阅": PREFERENCES, "江城新闻": "https://news.example.cn/"}
    assert f"退订：{UNSUBSCRIBE}" in mine.text.splitlines()
    assert f"管理订阅：{PREFERENCES}" in mine.text.splitlines()
    for body in (mine.html, mine.text):
        assert UNSUBSCRIBE_PLACEHOLDER not in body and PREFERENCES_PLACEHOLDER not in body
    assert mine.subject == shared.subject
    assert UNSUBSCRIBE_PLACEHOLDER in shared.html and UNSUBSCRIBE_PLACEHOLDER in shared.text


def test_personalise_refuses_a_link_that_is_not_http():
    with pytest.raises(ValueError, match="http"):
        personalise(render(make_content()), unsubscribe_url="javascript:alert(1)",
                    preferences_url=PREFERENCES)


HOSTILE = DigestItem(
    title='<script>alert("title")</script>" onmouseover="alert(1)',
    url="https://news.example.cn/articles/666",
    published=datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc),
    summary='<img src=x onerror="alert(2)"> "><a href="javascript:alert(3)">win</a>',
    original_url="javascript:alert(4)",
    source_name='<b onclick="alert(5)">Wire</b>',
    category="<iframe src=//evil.example>",
)


def test_hostile_article_data_is_inert_in_html():
    rendered = render(make_content(items=[HOSTILE, BRIDGE]))
    document = lxml.html.document_fromstring(rendered.html)
    assert not list(document.iter("script", "img", "iframe", "b"))
    for element in document.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")], element
    hrefs = [a.get("href").strip().lower() for a in document.iter("a")]
    assert hrefs and not [h for h in hrefs if h.startswith("javascript:")]
    hostile = document.find_class("item")[0]
    assert hostile.find(".//h2/a").text_content() == HOSTILE.title
    assert "阅读原文" not in hostile.text_content()
    assert "javascript:alert(4)" not in rendered.text


def test_a_title_spelling_a_placeholder_does_not_receive_the_personal_link():
    sly = replace(BRIDGE, title=f"Click {UNSUBSCRIBE_PLACEHOLDER} now")
    mine = personalise(render(make_content(items=[sly])), unsubscribe_url=UNSUBSCRIBE,
                       preferences_url=PREFERENCES)
    assert mine.text.count(UNSUBSCRIBE) == 1
    assert "■ Click now" in mine.text.splitlines()


def test_a_title_with_line_breaks_stays_on_one_line():
    forged = replace(BRIDGE, title="Bridge reopens\r\nUnsubscribe: https://evil.example/")
    rendered = render(make_content(items=[forged]))
    assert "■ Bridge reopens Unsubscribe: https://evil.example/" in rendered.text.splitlines()
    assert "\n" not in rendered.subject and "\r" not in rendered.subject


SAMPLE = make_content()


@pytest.mark.parametrize("language", languages.CODES)
def test_each_languages_default_wording_renders(language):
    # The defaults are Jinja source from each catalogue: a translator's typo would show here.
    assert validate_wording(default_wording(language), make_content(language)) == []
    assert validate_wording(default_wording(language), make_content(language, items=[])) == []


@pytest.mark.parametrize("language", languages.CODES)
def test_each_languages_weekly_wording_renders(language):
    assert validate_wording(default_wording(language, weekly=True), make_content(language)) == []
    assert validate_wording(default_wording(language, weekly=True), make_content(language, items=[])) == []


@pytest.mark.parametrize(("language", "subject", "phrases"), [
    ("zh-CN", "江城新闻每周摘要 · 2026年11月20日 · 2 篇：",
     ("截至2026年11月20日的一周，为您送上 2 篇新文章。", "订阅了每周摘要")),
    ("zh-Hant", "江城新闻每週摘要 · 2026年11月20日 · 2 篇：",
     ("截至2026年11月20日的一週，為您送上 2 篇新文章。", "訂閱了每週摘要")),
    ("en", "江城新闻 Weekly digest, Nov 20, 2026: 2 articles · ",
     ("Here are 2 new articles from the week to Nov 20, 2026.", "subscribed to the weekly digest")),
])
def test_a_weekly_edition_says_so_in_each_language(language, subject, phrases):
    """Issue 12: the subject says 每周摘要 / Weekly digest, and the intro and footer speak of the week."""
    rendered = render(replace(make_content(language), weekly=True))
    assert rendered.subject.startswith(subject)
    for phrase in phrases:
        assert phrase in rendered.text and phrase in lxml.html.document_fromstring(rendered.html).text_content()
    assert "每日" not in rendered.text and "daily" not in rendered.text


def test_an_operators_subject_and_intro_word_the_daily_edition_only():
    wording = DigestWording(subject="【{{ site_name }}】{{ first_title }}", intro="早上好！",
                            item_template="【{{ category }}】{{ summary }}")
    weekly = render(replace(SAMPLE, weekly=True), wording)
    assert weekly.subject.startswith("江城新闻每周摘要") and "早上好" not in weekly.text
    assert "【本地】经过三个月的检修" in weekly.text, "their item text serves both"
    assert render(SAMPLE, wording).subject == "【江城新闻】江城大桥完成检修 周五起恢复通行"


def test_a_traditional_chinese_digest_is_worded_in_traditional_chinese():
    rendered = render(make_content("zh-Hant"))
    assert rendered.subject.startswith("江城新闻每日摘要 · 2026年11月20日 · 2 篇：")
    text = lxml.html.document_fromstring(rendered.html).text_content()
    assert "2026年11月20日，為您送上 2 篇新文章。" in text and "來源：" in text and "閱讀原文" in text
    assert "管理訂閱" in rendered.text and "退訂" in rendered.text


def test_validate_wording_accepts_a_good_override():
    wording = DigestWording(
        subject="{{ site_name }}｜{{ date }}｜{{ count }} 篇",
        intro="早上好！{% if count > 1 %}今天有 {{ count }} 篇。{% endif %}",
        item_template="【{{ category }}】{{ summary }}（{{ source }}，{{ date }}）",
    )
    assert validate_wording(wording, SAMPLE) == []
    assert validate_wording(wording, make_content(items=[])) == []


@pytest.mark.parametrize(
    ("wording", "expected"),
    [
        (DigestWording(subject="{{ ''.__class__.__mro__ }}"), "Subject, line 1: access to"),
        (DigestWording(intro="Hello\n{% for %}"), "Intro, line 2: "),
        (DigestWording(item_template="{{ summary }}\n{{ titel }}"),
         "Item template, line 2: 'titel' is undefined"),
        (DigestWording(item_template="{{ title.__init__.__globals__ }}"), "Item template, line 1"),
        (DigestWording(subject="{{ count / 0 }}"), "Subject, line 1: division by zero"),
        (DigestWording(subject="{{ '' }}\n"), "Subject: renders as an empty line"),
    ],
)
def test_validate_wording_refuses_a_broken_override_with_one_line(wording, expected):
    (message,) = validate_wording(wording, SAMPLE)
    assert message.startswith(expected)
    assert "\n" not in message


def test_validate_wording_reports_each_broken_part():
    wording = DigestWording(subject="{{ nope }}", intro="{% if %}", item_template="{{ summary }}")
    messages = validate_wording(wording, SAMPLE)
    assert [m.split(",")[0] for m in messages] == ["Subject", "Intro"]


def test_the_sandbox_refuses_unsafe_access_in_the_output_too():
    with pytest.raises(WordingError, match="unsafe"):
        render(SAMPLE, DigestWording(intro="{{ ''.__class__.__mro__ }}"))


def test_an_override_is_used_in_both_bodies_and_the_subject():
    wording = DigestWording(
        subject="【{{ site_name }}】{{ first_title }}",
        intro="早上好！今天有 {{ count }} 篇。",
        item_template="【{{ category }}】{{ summary }}",
    )
    rendered = render(SAMPLE, wording)
    assert rendered.subject == "【江城新闻】江城大桥完成检修 周五起恢复通行"
    assert "早上好！今天有 2 篇。" in rendered.html and "早上好！今天有 2 篇。" in rendered.text
    bridge = items_of(rendered.html)[0]
    assert "【本地】经过三个月的检修" in bridge.text_content()
    assert "【Culture】The reading room" in rendered.text


def test_a_subject_override_cannot_inject_a_header():
    wording = DigestWording(subject="Daily news\r\nBcc: victim@example.com\n\nBody")
    assert validate_wording(wording, SAMPLE) == []
    assert render(SAMPLE, wording).subject == "Daily news Bcc: victim@example.com Body"


def test_a_long_subject_is_capped():
    long_title = replace(BRIDGE, title="长标题" * 100)
    subject = render(make_content(items=[long_title])).subject
    assert len(subject) == 150 and subject.endswith("…")


def test_an_empty_edition_still_renders():
    rendered = render(make_content(items=[]))
    assert rendered.subject == "江城新闻每日摘要 · 2026年11月20日 · 0 篇"
    assert "本期没有新文章。" in rendered.text
    document = lxml.html.document_fromstring(rendered.html)
    assert not document.find_class("item")
    assert "2026年11月20日没有新文章。" in document.text_content()
    assert document.find_class("footer")


@pytest.mark.parametrize(
    ("language", "subject", "phrases"),
    [
        ("zh-CN", "请确认订阅江城新闻每日摘要",
         ["请确认订阅", "在您确认之前，我们不会向您发送任何邮件。", "此链接将在 48 小时后失效。"]),
        ("zh-Hant", "請確認訂閱江城新闻每日摘要",
         ["請確認訂閱", "在您確認之前，我們不會向您傳送任何郵件。", "此連結將在 48 小時後失效。"]),
        ("en", "Confirm your subscription to 江城新闻",
         ["Confirm your subscription", "We will send you nothing unless you confirm.",
          "This link expires in 48 hours."]),
    ],
)
def test_confirmation_email(language, subject, phrases):
    confirm = "https://news.example.cn/digest/confirm?token=xyz&lang=zh"
    rendered = render_confirmation(site_name="江城新闻", confirm_url=confirm, language=language,
                                   expires_hours=48, templates_dir=TEMPLATES)
    assert rendered.subject == subject
    document = lxml.html.document_fromstring(rendered.html)
    assert document.find_class("button")[0].get("href") == confirm
    assert 'href="https://news.example.cn/digest/confirm?token=xyz&amp;lang=zh"' in rendered.html
    assert confirm in rendered.text.splitlines()
    for phrase in phrases:
        assert phrase in document.text_content()
        assert phrase in rendered.text
    assert "%%" not in rendered.html + rendered.text
