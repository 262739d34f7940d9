"""Lines that speak of the site, not the article: breadcrumbs, welcome lines, copyright lines."""
from __future__ import annotations

import re

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
    # A trail has steps; "Location of New Zealand …" (a caption) has none.
    return crumbs if len(crumbs) >= 2 else None


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


# What follows 版权所有 on a footer row but names no owner: a registration number, digits.
_NOT_A_NAME = re.compile(r"^[\d\s-]+$|ICP|[备備]案|公[网網]安[备備]|\d{5,}", re.IGNORECASE)


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
            if name and "http" not in name.lower() and not _NOT_A_NAME.search(name):
                return name
    return None
