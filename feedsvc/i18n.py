"""Page languages: Chinese by default, English on request; a small catalogue of our own strings."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"
COOKIE = "lang"

# Message ids are the English text; the catalogue holds the Chinese.
ZH = {
    "Latest articles": "最新文章",
    "Categories": "栏目",
    "Sources": "来源",
    "Search": "搜索",
    "Search titles and text": "搜索标题和正文",
    "Results for “%(q)s”": "“%(q)s”的搜索结果",
    "%(n)d results": "共 %(n)d 条结果",
    "Nothing found.": "没有找到相关文章。",
    "No articles yet.": "还没有文章。",
    "Source": "来源",
    "Author": "作者",
    "Published": "发布时间",
    "Reprinted from %(source)s": "转载自 %(source)s",
    "Read the original": "阅读原文",
    "Original source": "原文出处",
    "Feeds": "订阅源",
    "Newer": "较新",
    "Older": "较早",
    "Page %(page)d of %(pages)d": "第 %(page)d / %(pages)d 页",
    "Tags": "标签",
    "Category": "栏目",
    "Home": "首页",
    "Page not found": "页面不存在",
    "The page you asked for is not here.": "您访问的页面不存在。",
    "Bad request": "请求有误",
    "Something went wrong on our side.": "服务器出错了，请稍后再试。",
    "Also published as": "同一报道的其他转载",
    "This is a reprint; the story is shown as": "本文为转载，本站以此篇为准：",
    "Email": "邮箱",
    "Please enter a valid email address.": "请输入有效的邮箱地址。",
    "Topics (none chosen: everything)": "关注的内容（不选即全部）",
    "Send at": "发送时间",
    "Time zone": "时区",
    "Language": "语言",
    "Subscribe to the daily digest": "订阅每日摘要",
    "Daily digest": "每日摘要",
    "One email a day with the new articles, each with a link to its original source.":
        "每天一封邮件，汇总新文章，每篇都附有原文链接。",
    "Too many requests": "请求过于频繁",
    "Please try again in an hour.": "请一小时后再试。",
    "Check your inbox": "请查收邮件",
    "If the address can receive mail, a confirmation link is on its way.":
        "如果该地址可以收信，确认链接已经发出。",
    "Subscription confirmed": "订阅已确认",
    "Your first digest arrives at the hour you chose.": "第一期摘要将在您选择的时间送达。",
    "Confirm your subscription": "确认订阅",
    "Confirm": "确认",
    "Unsubscribe": "退订",
    "Unsubscribed": "已退订",
    "You will receive no more digests.": "您将不会再收到摘要邮件。",
    "Your subscription": "我的订阅",
    "Saved.": "已保存。",
    "Save": "保存",
    "Choose topics and time": "选择内容和时间",
}
CATALOGUES = {"zh-CN": ZH, "en": {}}
DATE_FORMATS = {"zh-CN": "%Y年%m月%d日 %H:%M", "en": "%d %b %Y, %H:%M"}


def init_app(app: Flask) -> None:
    """Choose each request's language and give templates ``_`` and ``localtime``."""
    app.before_request(_select_locale)
    app.after_request(_remember_locale)
    app.jinja_env.globals.update(_=gettext, locale=current_locale, LOCALES=LOCALES)
    app.jinja_env.filters["localtime"] = localtime


def _select_locale() -> None:
    asked = request.args.get("lang")
    if asked in LOCALES:
        g.locale = asked
        g.locale_asked = True
        return
    cookie = request.cookies.get(COOKIE)
    g.locale = cookie if cookie in LOCALES else (
        request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE)
    )


def _remember_locale(response):
    if g.get("locale_asked"):
        response.set_cookie(COOKIE, g.locale, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def current_locale() -> str:
    """The language of the current page."""
    return g.get("locale", DEFAULT_LOCALE)


def gettext(message: str, **values) -> str:
    """``message`` in the page's language, with ``%(name)s`` values filled in."""
    text = CATALOGUES[current_locale()].get(message, message)
    return text % values if values else text


def localtime(value: datetime | None, fmt: str | None = None) -> str:
    """An aware datetime shown in the site's time zone and the page's date format."""
    if value is None:
        return ""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return value.astimezone(zone).strftime(fmt or DATE_FORMATS[current_locale()])
