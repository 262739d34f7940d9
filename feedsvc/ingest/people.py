"""Who wrote an article: bylines, reporters' credits in a lead, and names as printed."""
from __future__ import annotations

import re
from datetime import timezone

from feedsvc.ingest.dates import parse_date
from feedsvc.ingest.infolines import SEPARATORS, parse_info_line

ANONYMOUS = {"佚名", "匿名", "未知", "不详", "不詳", "本站", "admin", "unknown", "anonymous"}

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
    value = (value or "").strip(SEPARATORS)
    if not value or value.lower() in ANONYMOUS:
        return None
    return value
