"""Who wrote an article: bylines, reporters' credits in a lead, and names as printed."""
from __future__ import annotations

import re
import unicodedata
from datetime import timezone

from feedsvc.ingest.dates import date_span, parse_date
from feedsvc.ingest.infolines import SEPARATORS, parse_info_line

ANONYMOUS = {"佚名", "匿名", "未知", "不详", "不詳", "本站", "admin", "unknown", "anonymous"}

_BYLINE_EN = re.compile(r"^(?:By|BY|by)\s*:?\s+([A-Z][^|·•]{1,80}?)\s*(?:[|·•]\s*(.*))?$")
# "本报记者 张三 李四", "人民网 记者 王立新" (the outlet and the reporter on one row), "文/赵六".
_BYLINE_ZH = re.compile(
    r"^(?:[\u4e00-\u9fff·]{2,12}\s+)?(?:本报|本報|本台|本刊|本网|本網)?(?:特约|特約)?(?:记者|記者)\s*([^\s:：].{0,30})$"
    r"|^文\s*[/|｜]\s*(.{1,20})$"
)
# A post's header on forums, blogs and comment lists: "风吹麦浪88 发表于 2024-03-02 21:15",
# "jane posted on March 3, 2024".
_POSTED = re.compile(
    r"^(?P<name>[^\s:：]{1,30}(?: [^\s:：]{1,30}){0,2})\s*(?:发表于|發表於|发布于|發佈於|发表在|posted (?:on|at)|wrote on)"
    r"\s*[:：]?\s*(?P<date>.+)$",
    re.IGNORECASE,
)
# A WeChat article's header: "原创 李晓雨 城事观察 2024-03-05 08:00 发表于江苏" (the author, the
# account, the time, where it was posted from). 原创 or 发表于 must be there: two names and a
# date alone could be anything.
_WECHAT = re.compile(
    r"^(?P<original>原创|原創)?\s*(?:(?P<author>[^\s\d]{1,20})\s+)?(?P<account>[^\s\d]{2,30})\s+"
    r"(?P<date>\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(?:\s+\d{1,2}:\d{2})?)\s*(?P<place>(?:发表于|發表於)\S{0,8})?$"
)
# "本报讯(记者 张三)" / "新华社北京3月3日电(记者 李四 王五)" at the start of the first paragraph.
# The credit follows the dateline ("…讯", "…电") or opens the paragraph.
_LEAD_BYLINE = re.compile(
    r"^(?:.{0,30}?(?:讯|訊|电|電))?\s*[(（](?:本报|本報|本台)?(?:记者|記者)\s*([^)）]{1,40})[)）]"
)
_NAME_SPLIT = re.compile(r"[\s、,，]+")
# Where the reporter filed from, after the name: "記者林大明／台中報導", "记者 张三 北京报道".
_REPORTED_FROM = re.compile(
    r"(?:\s*[/／|｜]\s*|\s+)[\u4e00-\u9fff]{1,8}(?:(?:綜合|综合)?(?:報導|报道|報道)|\d{1,2}日[电電])$"
)
# A whole credit row in brackets: "（記者林大明／台中報導）".
_BRACKETED = re.compile(r"^[(（【\[]\s*(.+?)\s*[)）】\]]$")
# Who else a credit row names: correspondents, interns, photographers (contributors, not authors).
_OTHER_ROLES = re.compile(r"\s*(?:通讯员|通訊員|实习生|實習生|摄影|攝影|摄|攝|图|圖|视频|視頻|编辑|編輯)\b.*$|"
                          r"\s*(?:通讯员|通訊員|实习生|實習生|摄影|攝影|编辑|編輯).*$")


def parse_byline(line: str) -> dict[str, str] | None:
    """Fields of an unlabelled byline ("By Jane Doe | March 3, 2024", "本报记者 张三").

    A date may stand before the byline ("2022-02-13 20:04 人民网 记者 王立新") or after an
    English one ("By Jane Doe Feb. 21, 2019"); it is kept as the publication time.
    """
    line = unicodedata.normalize("NFKC", line).strip()
    fields: dict[str, str] = {}
    span = date_span(line)
    if span is not None and span[0] == 0:
        fields["published"] = line[: span[1]].strip()
        line = line[span[1]:].strip(SEPARATORS)
    match = _BYLINE_EN.match(line)
    if match:
        name, rest = match.group(1).strip(" ,"), (match.group(2) or "").strip()
        cut = date_span(name)
        if cut is not None:
            name, rest = name[: cut[0]].strip(" ,"), name[cut[0]:] + (" " + rest if rest else "")
        if not name or len(name.split()) > 8:
            return None
        fields["author"] = name
        if rest:
            if parse_date(rest, timezone.utc) is not None:
                fields.setdefault("published", rest)
            else:
                fields.update({k: v for k, v in (parse_info_line(rest) or {}).items() if k not in fields})
        return fields
    if _chinese_byline(line, fields):
        return fields
    match = _WECHAT.match(line)
    if match and (match.group("original") or match.group("place")):
        found = {**fields, "published": match.group("date").strip(), "site_name": match.group("account")}
        return {**found, "author": match.group("author")} if match.group("author") else found
    match = _POSTED.match(line)
    if match:
        # The rest must be the date (and little else): a post's header, not its text.
        rest = match.group("date").strip()
        span = date_span(rest)
        after = rest[span[1]:] if span is not None else ""
        if span is not None and span[0] == 0 and len(after) <= 16 and not any(m in after for m in "，。！？,.!?"):
            return {**fields, "author": match.group("name"), "published": rest[: span[1]].strip()}
    return None


def _chinese_byline(line: str, fields: dict[str, str]) -> bool:
    """Read "记者 X", "文/X", "記者X／台中報導 2024/03/05" into ``fields``; False if it is none."""
    match = _BYLINE_ZH.match(_BRACKETED.sub(r"\1", line))
    if not match:
        return False
    names = match.group(1) or match.group(2)
    cut = date_span(names)
    if cut is not None and cut[0] > 0 and parse_date(names[cut[0]:], timezone.utc) is not None:
        fields.setdefault("published", names[cut[0]:].strip())
        names = names[: cut[0]]
    author = join_names(_OTHER_ROLES.sub("", _REPORTED_FROM.sub("", names.strip(SEPARATORS))))
    if author:
        fields["author"] = author
    return bool(author)


def lead_byline(paragraph: str) -> str | None:
    """The reporter named in a first paragraph's "(记者 张三)" credit, if any."""
    match = _LEAD_BYLINE.match(paragraph.strip())
    if not match:
        return None
    # "(记者 张三 通讯员 李四)": the correspondent is a contributor, not the author.
    return join_names(_OTHER_ROLES.sub("", match.group(1)))


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
    value = (value or "").strip(SEPARATORS)
    if not value or value.lower() in ANONYMOUS:
        return None
    return value


# A name is short; these are what else sites put where a name goes.
_NOT_A_NAME = re.compile(
    r"https?://|www\.|\.(?:com|cn|net|org|gov|edu|co|io)\b|@|[?？!！:：]|\d{3,}|"
    r"^(?:follow|username|user|staff|admin(?:istrator)?|editor|editors|team|webmaster|guest|author|"
    r"subscribe|read more|more|share|by|last updated|updated|taboola|outbrain|sponsored|advertisement)\b"
    r"|\bby (?:taboola|outbrain)\b",
    re.IGNORECASE,
)
_USER_ID = re.compile(r"^[a-z0-9_.-]+$")


# "By" in the languages of the pages we read, and what CMSs print after a byline's name (a job
# title, a timestamp's label, a comment count, a share bar), sometimes glued to it.
_BY = re.compile(r"^(?:by|von|par|por|di|de|door|av|af|text|texte|written by|posted by|reported by)\s*:?\s+", re.I)
_AFTER_NAME = re.compile(
    r"\s*(?:[|•·–—]|\s-\s|\s-$)"
    r"|(?:\s+|(?<=[a-z]))(?:Published|Updated|Last updated|Posted|Staff Writer|Staff Reporter|"
    r"Reporter|Correspondent|Contributor|Senior \w+|Follow|\w+ Editor|Editor)\b"
    r"|\s*\((?:reporting|photography|photos?|video|graphics|additional reporting)\)"
    r"|(?:\s+|(?<=[a-z]))(?:facebook|twitter|flipboard|whatsapp|linkedin)"
    r"|\s+\d+\s+(?:Comments?|Kommentare?|Min(?:ute)?s?\.? Read)\b"
    r"|\s+(?:on|am|le|el|il)\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|\d)"
    r"|\s+on$"
    r"|[;,]?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|[;,]?\s+\d{4}[-/.年]",
    re.I,
)


# A CMS's staff code after an editor's name ("张小明_NN9876").
_STAFF_CODE = re.compile(r"[_-][A-Za-z]{1,5}\d{2,}$")


def clean_byline(value: str | None) -> str | None:
    """A byline's name without its "By"/"Von", and without what follows the name on its row."""
    value = _BY.sub("", " ".join((value or "").split()))
    value = _STAFF_CODE.sub("", value)
    match = _AFTER_NAME.search(value)
    if match and match.start() > 0:
        value = value[: match.start()]
    return value.strip(" .,;:-–—|") or None


def plausible_name(value: str | None, *, known: tuple[str | None, ...] = ()) -> str | None:
    """``value`` if it can be a person's (or an outlet's) byline, else None.

    Refused: links and domains, user ids ("devindra", "user123"), questions (a poll's), lists of
    many comma-separated words (a keyword list), and anything equal to one of ``known`` (the
    site's name, the page's keywords).
    """
    value = clean_person(clean_byline(value))
    if not value or _NOT_A_NAME.search(value):
        return None
    if _USER_ID.match(value) and " " not in value:
        return None  # a login name; people write their names with capitals or in Han characters
    han = len(re.findall(r"[\u4e00-\u9fff]", value))
    if (han and len(value) > 24) or len(value) > 80 or len(value.split()) > 10:
        return None
    parts = re.split(r"\s*[,，、;；]\s*", value)
    if len(parts) > 4 or (han and len(parts) >= 3 and any(len(p) > 4 for p in parts)):
        return None  # a keyword list, not a byline (Chinese names have two to four characters)
    if any(value.casefold() == (k or "").casefold() for k in known):
        return None
    return value
