"""Labelled metadata lines ("发布时间:… 来源:… 作者:…") and the values in them."""
from __future__ import annotations

import re
from datetime import timezone

from feedsvc.ingest.dates import parse_date

# Field -> the labels sites print for it (simplified, traditional, English).  An "editor"
# is the site's own staff, never the article's author, so it is recognised only to be dropped.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "published": (
        "发布时间", "發布時間", "发布日期", "發布日期", "发表时间", "發表時間", "发表日期",
        "發表日期", "更新时间", "更新時間", "时间", "時間", "日期",
        "Published", "Publish date", "Posted", "Updated", "Date",
    ),
    "source_name": (
        "文章来源", "文章來源", "新闻来源", "新聞來源", "稿件来源", "稿件來源", "信息来源",
        "資訊來源", "来源", "來源", "稿源", "出处", "出處", "Source",
    ),
    "author": ("作者", "记者", "記者", "撰文", "撰稿", "文", "Author", "Written by", "Reporter"),
    "editor": (
        "责任编辑", "責任編輯", "责编", "責編", "编辑", "編輯", "审核", "審核", "校对", "校對",
        "Editor", "Edited by",
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
    r"(?:^|(?<=[\s|｜丨/【\[(（]))(" + "|".join(map(re.escape, _LABELS)) + r")\s*[:：]\s*",
    re.IGNORECASE,
)
SEPARATORS = " \t\u3000\xa0|｜丨/【】[]()（）·•,，;；"
_MAX_VALUE = {"author": 40, "source_name": 40, "editor": 40, "category": 30, "published": 40}
_DEFAULT_MAX_VALUE = 120
# Bracketed page tools that share a line with the metadata: 【字体:大 中 小】【打印】.
TOOLS_RE = re.compile(
    r"[【\[]\s*(?:字体|字號|字号|打印|关闭|關閉|收藏|返回|分享|纠错|糾錯|大\s*中\s*小)[^】\]]{0,16}[】\]]"
)


def parse_info_line(line: str) -> dict[str, str] | None:
    """Fields of a labelled metadata line ("发布时间:… 来源:… 作者:…"), or None if it is not one."""
    line = TOOLS_RE.sub(" ", line).strip()
    matches = list(_LABEL_RE.finditer(line))
    if not matches:
        return None
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
        if value and field not in fields:
            fields[field] = value
    return fields


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
