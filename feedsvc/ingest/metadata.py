"""Reading the metadata news pages print as text: labelled info lines, bylines, dates,
breadcrumbs and the lines that name the site.  Shared by the text and HTML extractors."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone, tzinfo

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
_SEPARATORS = " \t\u3000\xa0|｜丨/【】[]()（）·•,，;；"
_MAX_VALUE = {"author": 40, "source_name": 40, "editor": 40, "category": 30, "published": 40}
_DEFAULT_MAX_VALUE = 120
# Bracketed page tools that share a line with the metadata: 【字体:大 中 小】【打印】.
TOOLS_RE = re.compile(
    r"[【\[]\s*(?:字体|字號|字号|打印|关闭|關閉|收藏|返回|分享|纠错|糾錯|大\s*中\s*小)[^】\]]{0,16}[】\]]"
)
ANONYMOUS = {"佚名", "匿名", "未知", "不详", "不詳", "本站", "admin", "unknown", "anonymous"}


def parse_info_line(line: str) -> dict[str, str] | None:
    """Fields of a labelled metadata line ("发布时间:… 来源:… 作者:…"), or None if it is not one."""
    line = TOOLS_RE.sub(" ", line).strip()
    matches = list(_LABEL_RE.finditer(line))
    if not matches:
        return None
    fields: dict[str, str] = {}
    lead = line[: matches[0].start()].strip(_SEPARATORS)
    if lead:
        # Some sites print the date bare in front of the labelled fields.
        if parse_date(lead, timezone.utc) is None:
            return None
        fields["published"] = lead
    for match, following in zip(matches, matches[1:] + [None]):
        field = _FIELD_OF_LABEL[match.group(1).lower()]
        value = line[match.end(): following.start() if following else len(line)].strip(_SEPARATORS)
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
        return value[: match.start()].strip(_SEPARATORS)
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


_BYLINE_EN = re.compile(r"^(?:By|BY)\s+([A-Z][^|·•]{1,80}?)\s*(?:[|·•]\s*(.*))?$")
_BYLINE_ZH = re.compile(
    r"^(?:本报|本報|本台|本刊|本网|本網)?(?:记者|記者|通讯员|通訊員)\s+([^\s:：].{0,30})$|^文\s*[/|｜]\s*(.{1,20})$"
)
# "本报讯(记者 张三)" / "新华社北京3月3日电(记者 李四 王五)" at the start of the first paragraph.
# The credit follows the dateline ("…讯", "…电") or opens the paragraph.
_LEAD_BYLINE = re.compile(
    r"^(?:.{0,30}?(?:讯|訊|电|電))?\s*[(（](?:本报|本報|本台)?(?:记者|記者)\s*([^)）]{1,40})[)）]"
)
_NAME_SPLIT = re.compile(r"[\s、,，]+")


def parse_byline(line: str) -> dict[str, str] | None:
    """Fields of an unlabelled byline ("By Jane Doe | March 3, 2024", "本报记者 张三")."""
    line = line.strip()
    match = _BYLINE_EN.match(line)
    if match:
        if len(match.group(1).split()) > 8:
            return None
        fields = {"author": match.group(1).strip(" ,")}
        rest = (match.group(2) or "").strip()
        if rest:
            if parse_date(rest, timezone.utc) is not None:
                fields["published"] = rest
            else:
                fields.update(parse_info_line(rest) or {})
        return fields
    match = _BYLINE_ZH.match(line)
    if match:
        return {"author": join_names(match.group(1) or match.group(2))}
    return None


def lead_byline(paragraph: str) -> str | None:
    """The reporter named in a first paragraph's "(记者 张三)" credit, if any."""
    match = _LEAD_BYLINE.match(paragraph.strip())
    if not match:
        return None
    # "(记者 张三 通讯员 李四)": the correspondent is a contributor, not the author.
    names = re.split(r"通讯员|通訊員|实习生|實習生|摄影|攝影", match.group(1))[0]
    return join_names(names)


# "作者：记者 张三": the role is not part of the name.
_ROLE_PREFIX = re.compile(
    r"^(?:本报|本報|本台|本刊|本网|本網)?(?:特约|特約|实习|實習)?(?:记者|記者|通讯员|通訊員|编辑|編輯)\s*(?=\S)"
)


def join_names(names: str) -> str | None:
    """Several names as one string ("张三、李四"), anonymous placeholders as None."""
    names = _ROLE_PREFIX.sub("", names.strip())
    parts = [p for p in _NAME_SPLIT.split(names) if p]
    if any(re.search("[A-Za-z]", p) for p in parts):
        return clean_person(names)  # "Jane Doe": spaces belong to the name
    return clean_person("、".join(parts))


def clean_person(value: str | None) -> str | None:
    """A person's name as printed, or None for anonymous placeholders like 佚名."""
    value = (value or "").strip(_SEPARATORS)
    if not value or value.lower() in ANONYMOUS:
        return None
    return value


_BREADCRUMB_PREFIX = re.compile(
    r"^(?:当前位置|当前所在|您的位置|您现在的位置|你的位置|你现在的位置|所在位置|目前位置|"
    r"當前位置|當前所在|您現在的位置|現在位置|You are here|Location)\s*[:：]?\s*(.+)$",
    re.IGNORECASE,
)
_HOME_FIRST = re.compile(r"^(?:首页|首頁|主页|主頁|网站首页|網站首頁|Home)\s*[>›»＞→/]", re.IGNORECASE)
_CRUMB_SPLIT = re.compile(r"\s*(?:>|›|»|＞|→|>>)\s*|\s+/\s+")
_NOT_A_SECTION = {
    "正文", "正文内容", "内容", "內容", "详情", "詳情", "详细内容", "文章", "内文", "內文", "阅读",
    "首页", "首頁", "主页", "主頁", "网站首页", "網站首頁", "article", "story", "home",
}


def parse_breadcrumb(line: str) -> list[str] | None:
    """The crumbs of a breadcrumb line ("当前所在:首页 > 廉政时评 > 正文"), or None."""
    line = line.strip()
    match = _BREADCRUMB_PREFIX.match(line)
    if match:
        trail = match.group(1)
    elif _HOME_FIRST.match(line):
        trail = line
    else:
        return None
    crumbs = [c.strip() for c in _CRUMB_SPLIT.split(trail) if c.strip()]
    return crumbs or None


def section_from_crumbs(crumbs: list[str], title: str | None = None) -> str | None:
    """The last crumb that names a section (not "首页", "正文" or the article itself)."""
    for crumb in reversed(crumbs):
        if crumb.lower() in _NOT_A_SECTION or crumb == title or len(crumb) > 30:
            continue
        return crumb
    return None


_WELCOME = re.compile(
    r"^(?:欢迎(?:来到|访问|光临|登录)|歡迎(?:來到|訪問|光臨|登錄)|Welcome to)\s*([^!！。,，\s~～]+(?: [A-Z][\w'&-]*)*)",
    re.IGNORECASE,
)
_COPYRIGHT_ZH = re.compile(
    r"^(?:Copyright\s*)?(?:©|\(c\))?\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?"
    r"(?P<name>[^\s©|:：]{2,30}?)\s*(?:[\w.-]+\.(?:cn|com|net|org|gov|edu)[\w./-]*\s*)?版[权權]所有",
    re.IGNORECASE,
)
_COPYRIGHT_ZH_AFTER = re.compile(r"版[权權]所有\s*[:：©]*\s*(?:\d{4}\s*)?(?P<name>[^\s,，。|]{2,30})")
_COPYRIGHT_EN = re.compile(
    r"^(?:Copyright\s*)?(?:©|\(c\)|Copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*"
    r"(?P<name>[^.|]{2,60}?)\s*[.,]?\s*(?:All rights reserved.*)?$",
    re.IGNORECASE,
)


def parse_welcome(line: str) -> str | None:
    """The site a welcome line greets the reader to ("欢迎来到X!" / "Welcome to X")."""
    match = _WELCOME.match(line.strip())
    return match.group(1) if match else None


def parse_copyright(line: str) -> str | None:
    """The site that owns a copyright line ("X 版权所有", "Copyright © 2024 X. All rights reserved.")."""
    line = line.strip()
    for match in (_COPYRIGHT_ZH.match(line), _COPYRIGHT_ZH_AFTER.search(line), _COPYRIGHT_EN.match(line)):
        if match:
            name = match.group("name").strip(" .,")
            if name and "http" not in name.lower() and not re.fullmatch(r"[\d\s-]+", name):
                return name
    return None


_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        start=1,
    )
    for name in names
}
# Possessive before the hour: two adjacent whitespace runs made a failed time after a date
# quadratic in the spaces that followed it.
_TIME = (
    r"(?:[T\s]*+(?P<ampm_zh>上午|下午|晚上)?\s*+(?P<hour>\d{1,2})\s*[:时時点點]\s*(?P<minute>\d{2})"
    r"(?:\s*[:分]\s*(?P<second>\d{2}))?(?:\.\d+)?\s*分?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
    r"\s*(?P<offset>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?"
)
_DATE_PATTERNS = (
    re.compile(r"(?P<year>\d{4})\s*[-/.]\s*(?P<month>\d{1,2})\s*[-/.]\s*(?P<day>\d{1,2})(?!\d)" + _TIME),
    re.compile(r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号號]?" + _TIME),
    re.compile(
        r"(?P<mname>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
        r"(?:\s*(?:at|,)?\s*)" + _TIME
    ),
    re.compile(r"(?P<day>\d{1,2})\s+(?P<mname>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4})(?:\s*,?\s*)" + _TIME),
)


def parse_date(value: str | None, tz: tzinfo) -> datetime | date | None:
    """A date, or an aware datetime when a time is given (local times are taken in ``tz``)."""
    if not value:
        return None
    # NFKC folds full-width digits and colons (２０２３：) into ASCII.
    value = unicodedata.normalize("NFKC", value)
    for pattern in _DATE_PATTERNS:
        match = pattern.search(value)
        if match:
            try:
                return _build(match, tz)
            except ValueError:
                continue
    return None


def _build(match: re.Match, tz: tzinfo) -> datetime | date:
    parts = match.groupdict()
    month = int(parts["month"]) if parts.get("month") else _MONTHS.get(parts["mname"].lower())
    if month is None:
        raise ValueError("not a month name")
    day = date(int(parts["year"]), month, int(parts["day"]))
    if parts["hour"] is None:
        return day
    hour = int(parts["hour"])
    ampm = (parts["ampm"] or "").replace(".", "").lower() or parts["ampm_zh"]
    if ampm in ("pm", "下午", "晚上") and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    moment = datetime(day.year, day.month, day.day, hour, int(parts["minute"]), int(parts["second"] or 0))
    return moment.replace(tzinfo=_offset(parts["offset"]) or tz)


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
