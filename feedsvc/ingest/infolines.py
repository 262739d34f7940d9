"""Labelled metadata lines ("发布时间:… 来源:… 作者:…") and the values in them."""
from __future__ import annotations

import re
import unicodedata
from datetime import timezone

from feedsvc.ingest.dates import date_span, parse_date

# Field -> the labels sites print for it (simplified, traditional, English). Fields nobody stores
# are still recognised, so their lines are known as metadata: an "editor" is the site's own staff,
# never the article's author; a correspondent, an intern or a photographer is not the author
# either; an "updated" time is not the publication time.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "published": (
        "发布时间", "發布時間", "发布日期", "發布日期", "发表时间", "發表時間", "发表日期",
        "發表日期", "发稿时间", "發稿時間", "时间", "時間", "日期",
        "Published", "Publish date", "Published on", "Posted", "Posted on", "Date",
    ),
    "updated": ("更新时间", "更新時間", "修改时间", "修改時間", "Updated", "Last updated", "Modified"),
    "source_name": (
        "文章来源", "文章來源", "新闻来源", "新聞來源", "稿件来源", "稿件來源", "信息来源",
        "資訊來源", "本文来源", "本文來源", "来源", "來源", "稿源", "出处", "出處", "转载自",
        "轉載自", "转自", "轉自", "Source",
    ),
    "author": ("作者", "记者", "記者", "撰文", "撰稿", "文", "Author", "Authors", "Written by", "Reporter", "By"),
    "contributor": ("通讯员", "通訊員", "实习生", "實習生", "摄影", "攝影", "图", "圖", "Photo", "Photos"),
    "editor": (
        "责任编辑", "責任編輯", "值班编辑", "值班編輯", "责编", "責編", "编辑", "編輯", "主编", "主編",
        "编审", "編審", "审核", "審核", "校对", "校對", "Editor", "Edited by",
    ),
    "original_url": (
        "原文链接", "原文鏈接", "原文連結", "原文地址", "原文网址", "原文網址",
        "Original article", "Original URL", "Source URL", "Source link",
        "Originally published at", "Originally published in", "Originally published", "Read the original",
    ),
    "category": ("栏目", "欄目", "分类", "分類", "频道", "頻道", "Category", "Section"),
    "tags": ("关键词", "關鍵詞", "关键字", "關鍵字", "标签", "標籤", "Tags", "Keywords"),
    "views": (
        "浏览次数", "瀏覽次數", "点击数", "點擊數", "阅读量", "閱讀量", "点击", "點擊", "浏览",
        "瀏覽", "阅读", "閱讀", "Views",
    ),
}
_FIELD_OF_LABEL = {label.lower(): f for f, labels in FIELD_LABELS.items() for label in labels}
_LABELS = sorted(_FIELD_OF_LABEL, key=len, reverse=True)  # longest first: 发布时间 before 时间
# A label counts only at the start of the line or after a separator, so 时间 inside
# 发布时间 or 文 inside 原文 never starts a field of its own.
_LABEL_RE = re.compile(
    r"(?:^|(?<=[\s|｜丨/【\[(（]))(" + "|".join(map(re.escape, _LABELS)) + r")\s*(?:[:：]|[|｜](?!\s*$))\s*",
    re.IGNORECASE,
)
SEPARATORS = " \t\u3000\xa0|｜丨/【】[]()（）·•,，;；"
_MAX_VALUE = {"author": 40, "source_name": 40, "editor": 40, "contributor": 40, "category": 30,
              "published": 40, "updated": 40}
_DEFAULT_MAX_VALUE = 120
# Bracketed page tools that share a line with the metadata: 【字体:大 中 小】【打印】.
TOOLS_RE = re.compile(
    r"[【\[]\s*(?:字体|字體|字號|字号|打印|列印|关闭|關閉|收藏|返回|分享|纠错|糾錯|大\s*中\s*小)[^】\]]{0,16}[】\]]"
)


def parse_info_line(line: str) -> dict[str, str] | None:
    """Fields of a labelled metadata line ("发布时间:… 来源:… 作者:…"), or None if it is not one."""
    line = TOOLS_RE.sub(" ", line).strip()
    matches = list(_LABEL_RE.finditer(line))
    if not matches:
        return _label_without_colon(line) or _dateline(line)
    fields: dict[str, str] = {}
    lead = line[: matches[0].start()].strip(SEPARATORS)
    if lead:
        # Some sites print the date bare in front of the labelled fields.
        if parse_date(lead, timezone.utc) is None:
            return None
        fields["published"] = lead
    for match, following in zip(matches, matches[1:] + [None]):
        field = _FIELD_OF_LABEL[match.group(1).lower()]
        value = line[match.end(): following.start() if following else len(line)].strip(SEPARATORS)
        if len(value) > _MAX_VALUE.get(field, _DEFAULT_MAX_VALUE):
            return None  # a sentence that happens to begin with a label word
        if field == "published" and value and parse_date(value, timezone.utc) is None:
            return None  # "时间:见证者" is a headline, not a date
        value = _split_trailing_date(field, value, fields)
        value = _split_role(value, fields)
        if value and field not in fields:
            fields[field] = value
    return fields


# A role word with a name after it but no colon, inside another field's value: the source and
# the reporter on one row ("来源:新华网　记者 陈晓明", "來源：經濟日報 編輯 林某"). Only words
# of two characters or more: 文 and 图 stand inside outlets' names.
_ROLE_WORDS = sorted(
    (label for f in ("author", "contributor", "editor") for label in FIELD_LABELS[f]
     if len(label) >= 2 and not label.isascii()),
    key=len, reverse=True,
)
_ROLE_IN_VALUE = re.compile(r"[\s\u3000\xa0]+(" + "|".join(map(re.escape, _ROLE_WORDS)) + r")[\s\u3000\xa0]+(?=\S)")


def _split_role(value: str, fields: dict[str, str]) -> str:
    """Move an unlabelled "记者 X" off the end of another field's value into its own field."""
    match = _ROLE_IN_VALUE.search(value)
    if not match:
        return value
    role = _FIELD_OF_LABEL[match.group(1).lower()]
    fields.setdefault(role, value[match.end():].strip(SEPARATORS))
    return value[: match.start()].strip(SEPARATORS)


_TRAILING_DATE = re.compile(r"\s+(\d{4}\s*[-/.年]\S*(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?)$")


def _split_trailing_date(field: str, value: str, fields: dict[str, str]) -> str:
    """Move an unlabelled date off the end of another field ("来源:滨海日报 2024-04-12")."""
    match = _TRAILING_DATE.search(value) if field != "published" else None
    if match and parse_date(match.group(1), timezone.utc) is not None:
        fields.setdefault("published", match.group(1))
        return value[: match.start()].strip(SEPARATORS)
    return value


_URL = re.compile(r"https?://[^\s<>\"'，。）)]+")


def split_tags(value: str | None) -> list[str]:
    """Tags from a "关键词:a b c" / "Tags: a, b" value, in order, without repeats."""
    tags = re.split(r"[,，、;；|｜\s]+", value or "")
    return list(dict.fromkeys(t for t in tags if t))


def first_url(value: str | None) -> str | None:
    """The first http(s) URL in a value, or None."""
    match = _URL.search(value or "")
    return match.group(0) if match else None


# What may follow an unlabelled date on its own line: a time zone, a weekday, page tools.
_DATELINE_REST = re.compile(r"^[\s|｜丨/·•,，()（）:：\-A-Za-z\u4e00-\u9fff]{0,24}$")
_DATE_AT_START = re.compile(r"^\s*(?:\d{4}\s*[-/.年]|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\s+\d{4})")


# English sites often drop the colon: "Updated 10:05 AM GMT, June 2, 2024", "Originally
# published at https://…". Taken only when what follows is a date or a URL.
_DATE_LABELS = sorted(FIELD_LABELS["published"] + FIELD_LABELS["updated"], key=len, reverse=True)
_NO_COLON = re.compile(
    r"^(?:(?P<date>" + "|".join(re.escape(l) for l in _DATE_LABELS if l.isascii()) + r")(?:\s+on)?\s+(?=(?-i:[A-Z0-9]))"
    r"|(?P<url>" + "|".join(re.escape(l) for l in FIELD_LABELS["original_url"] if l.isascii()) + r")\s+(?=https?://))",
    re.IGNORECASE,
)


def _label_without_colon(line: str) -> dict[str, str] | None:
    match = _NO_COLON.match(line)
    if not match:
        return None
    value = line[match.end():].strip()
    if match.group("url"):
        return {"original_url": value} if first_url(value) == value.split()[0] else None
    span = date_span(re.sub(r"^[A-Z][a-z]+day,?\s+", "", unicodedata.normalize("NFKC", value)))
    if len(value) > _MAX_VALUE["published"] or span is None or span[0] > 0 or parse_date(value, timezone.utc) is None:
        return None  # "Posted by SPÖ on Monday, …" under an embedded post is not the article's date
    return {_FIELD_OF_LABEL[match.group("date").lower()]: value}


def _dateline(line: str) -> dict[str, str] | None:
    """A line that is a date and little else ("2022-02-13 20:04:17", "2022年02月13日 20:04 星期日"),
    as ``{"dateline": …}``: unlabelled, it ranks below a labelled time where both are read.

    Chinese portals print the article's time so, unlabelled, next to the title. The rest of the
    line must be short and hold no sentence punctuation, or it is a sentence that starts with a
    date ("2022年2月13日，市政府召开会议……").
    """
    # Normalising costs more than the rest of the test, and NFKC keeps each of these marks
    # one of the marks below, so most lines of a body are known for sentences before it.
    if any(mark in line for mark in "。；;！？!?"):
        return None
    line = unicodedata.normalize("NFKC", line)
    if not _DATE_AT_START.match(line) or any(mark in line for mark in "，。；;！？!?"):
        return None
    span = date_span(line)
    if span is None or span[0] > 2 or parse_date(line[span[0]:span[1]], timezone.utc) is None:
        return None
    if not _DATELINE_REST.match(line[span[1]:]):
        return None
    return {"dateline": line[span[0]:span[1]].strip()}


# Words that follow an outlet's name on its row but are not part of it: page tools, share bars,
# report links, font sizes ("人民网-文化频道 分享到：", "澎湃新闻 字号 超大 大 标准 小", "新京报 举报").
_SOURCE_TAIL = re.compile(
    r"\s*(?:分享到|分享|字号|字號|字体|字體|举报|舉報|打印|收藏|评论|評論|纠错|糾錯|关注|關注|订阅|訂閱|"
    r"Share|Print|Comments?)\b.*$|\s*(?:分享到|分享|字号|字號|字体|字體|举报|舉報|打印|收藏|评论|評論).*$",
    re.IGNORECASE,
)
# A channel after the outlet ("人民网-文化频道", "央视网｜新闻频道"): the outlet is the source.
_CHANNEL = re.compile(r"\s*[-–—|｜_]\s*\S{1,12}(?:频道|頻道|栏目|欄目|版)$")
# Credits that are not a declaration of where an article comes from.
_NOT_A_SOURCE = re.compile(r"^(?:supplied|handout|file|getty images?|shutterstock|istock|网络|網絡|网络图片|资料图|資料圖)$", re.I)


def clean_source(value: str | None) -> str | None:
    """An outlet's name from a 来源 declaration, without the chrome that shares its row."""
    value = _SOURCE_TAIL.sub("", value or "").strip(SEPARATORS)
    value = _CHANNEL.sub("", value).strip(SEPARATORS)
    if not value or _NOT_A_SOURCE.match(value) or value.lower().startswith("http"):
        return None
    return value
