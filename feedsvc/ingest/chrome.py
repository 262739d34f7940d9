"""Sorting the lines of a saved page into article text, metadata and the site's chrome.

Each rule table below names one kind of line; ``classify_line`` tries them in order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from feedsvc.ingest import infolines, people, sitelines

BLANK = "blank"
TEXT = "text"
INFO = "info"  # labelled metadata or a byline
WELCOME = "welcome"  # "欢迎来到X!"
BREADCRUMB = "breadcrumb"
NAV = "nav"
TOOLS = "tools"  # 【字体:大 中 小】【打印】【关闭】
SHARE = "share"
AFFILIATION = "affiliation"  # (作者单位:X)
END = "end"  # related lists, prev/next links, footers: the article is over

# Page tools; a line made of nothing else is chrome.
_TOOL_WORDS = re.compile(
    r"字体|字體|字號|字号|打印本页|打印本頁|打印|友善列印|列印本頁|列印|关闭窗口|關閉窗口|关闭|關閉|返回顶部|返回頂部|收藏本页|"
    r"收藏|纠错|糾錯|[大中小]|Print(?: this)?|Close(?: window)?|Email this|Back to top|Font size|A\+|A-",
    re.IGNORECASE,
)
# Short lines that are the site's furniture in English dumps and pages.
_SITE_CHROME = re.compile(
    r"^(?:Skip to (?:main )?(?:content|navigation|search)|Jump to (?:content|navigation)|Menu|Main menu|"
    r"Search|Sign in|Sign up|Log in|Login|Register|Subscribe(?: now)?|Advertisement|Advertising|"
    r"Sponsored(?: content)?|Follow us(?: on .{1,30})?|Newsletter|Cookie (?:settings|policy)|Accept(?: all)?(?: cookies)?|"
    r"Toggle navigation|Open menu|Close menu|Back to (?:top|home)|Home|Loading(?:\.\.\.|…)?|"
    r"Share(?: this)?(?: article| story| page)?|Tweet|Pin it|分享|"
    r"Continue reading(?: the main story)?|Story continues below(?: advertisement)?|"
    r"Show more|See more|View more|(?:…|\.\.\.)\s*more|展开全文|展開全文|查看更多|阅读全文|閱讀全文|显示全部|顯示全部|"
    r"打开APP|打開APP|下载客户端|下載客戶端|扫一扫|掃一掃|扫码|掃碼|返回首页|返回首頁|登录|登錄|注册|註冊|"
    # A WeChat article's furniture.
    r"阅读原文|閱讀原文|预览时标签不可点|預覽時標籤不可點|微信扫一扫|微信掃一掃|关注该公众号|關注該公眾號|"
    r"微信扫一扫关注该公众号|继续滑动看下一个|繼續滑動看下一個|轻触阅读原文|輕觸閱讀原文)\s*[:：]?\s*$"
    # Promotions pointing elsewhere: "点击进入“文艺星青年”>>", "更多精彩 >>".
    r"|^.{0,40}(?:>>|》》|→)\s*$|^(?:点击|點擊|长按|長按|扫描|掃描|识别|識別).{0,30}$"
    r"|^(?:微信)?(?:扫一扫|掃一掃).{0,20}$"
    # App promotions: "更多新闻请下载××新闻APP", "打开客户端阅读全文".
    r"|^.{0,20}(?:下载|下載|打开|打開|安装|安裝)\S{0,16}(?:APP|App|app|客户端|客戶端)\S{0,8}$|^.{0,10}关注(?:我们|該公眾號|该公众号|公众号|公眾號).{0,10}$",
    re.IGNORECASE,
)
_TOOL_FILLER = re.compile(r"[\s:：|｜/【】\[\]]+")
# Marks neither the tool words nor the filler take away: a line that keeps one once its
# bracketed tools are gone is not a tool bar (nearly every line of a body; the two other
# passes cost a body line 5 us).
_NOT_TOOLS = "。，,."
_SHARE = re.compile(r"^(?:分享到|分享至|分享|Share(?: this)?(?: article| story)?(?: on)?)\s*[:：]", re.IGNORECASE)
# A share bar's targets, often on their own line under "Share this article:".
_SHARE_TARGET = (
    r"(?:微信|微博|QQ空间|QQ|朋友圈|豆瓣|复制链接|Facebook|Twitter|X|LinkedIn|E-?mail|WhatsApp|"
    r"Reddit|Telegram|Weibo|WeChat|Copy link)"
)
_SHARE_TARGETS = re.compile(rf"{_SHARE_TARGET}(?:[\s|｜/,，、]+{_SHARE_TARGET})+", re.IGNORECASE)
_AFFILIATION = re.compile(
    r"^[(（]?\s*(?:作者单位|作者單位|作者系|作者为|作者為|作者是)\s*[:：]?\s*(?P<unit>[^)）]+?)\s*[)）]?\s*$"
)
# Headers of related-news lists; Chinese ones may carry the first item after a colon.
_RELATED = re.compile(
    r"^[【\[]?(?:相关新闻|相關新聞|相关阅读|相關閱讀|相关文章|相關文章|相关链接|相關鏈接|延伸阅读|"
    r"延伸閱讀|推荐阅读|推薦閱讀|热点推荐|熱點推薦|热门文章|熱門文章|猜你喜欢|猜你喜歡|更多新闻|更多新聞|"
    r"往期推荐|往期推薦|往期回顾|往期回顧|往期精选|往期精選|精彩回顾|精彩回顧)"
    r"[】\]]?(?:\s*[:：].*)?$"
    r"|^(?:Related(?: articles| stories| news| posts| coverage)?|Read more|More stories|END|"
    r"More from [\w ]{1,40}|You may also like|Recommended(?: for you)?)\s*:?\s*$",
    re.IGNORECASE,
)
_PREV_NEXT = re.compile(r"^(?:上一篇|下一篇|上一條|下一條|上一条|下一条|Previous|Next)(?: article| story)?\s*[:：]", re.I)
# Footer markers that end the article wherever they sit on a short line.
_FOOTER_ANYWHERE = re.compile(
    r"版[权權]所有(?![人者])|(?:©|\(c\))\s*\d{4}|All rights reserved|ICP[备備证證]|公网安备|公網安備|不承担任何|不承擔任何|"
    r"违法和不良信息举报|違法和不良信息舉報|QQ\s*[:：]?\s*\d{5,}|[京沪粤浙苏津渝川鄂湘闽鲁豫冀晋辽吉黑皖赣桂琼贵云陕甘青宁新藏蒙港澳台]ICP|"
    r"网站标识码|網站標識碼"
    # Reprint notices: "转载请注明出处", "未经授权，禁止转载", "如需轉載請聯繫".
    r"|[转轉][载載]\s*[请請]\s*[注註]明|[禁严嚴][止禁]\s*[转轉][载載]|不得\s*[转轉][载載]|如需\s*[转轉][载載]"
    r"|未[经經](?:授[权權]|许可|許可|允许|允許|同意).{0,12}[转轉][载載]",
    re.IGNORECASE,
)
# Footer markers that must open the line (they are ordinary words inside a sentence).
_FOOTER_START = re.compile(
    r"[【\[]?(?:免责声明|免責聲明)|Disclaimer\s*:|Copyright\s*(?:©|\(c\)|\d{4})"
    r"|(?:联系电话|聯繫電話|联系方式|聯繫方式|电话|電話|传真|傳真|邮箱|郵箱|电子邮件|電子郵件|E-?mail|"
    r"地址|通讯地址|通訊地址|Tel|Phone|Fax|Address|Contact(?: us)?|技术支持|技術支持|"
    r"主办单位|主辦單位|主办|主辦|承办单位|承辦單位|承办|承辦|协办单位|協辦單位|主管单位|主管單位|"
    r"邮编|郵編|邮政编码|郵政編碼|备案号|備案號|网站标识码|網站標識碼|"
    r"第[一二三四五六七八九十]办公区|第[一二三四五六七八九十]辦公區)\s*[:：]"
    r"|(?:本站|本网|本網)(?=.*(?:转载|轉載|版权|版權|不代表|观点|觀點|联系|聯繫|责任|責任))",
    re.IGNORECASE,
)
# A host's credit ends its line or a column of the footer wherever it stands ("主办：", "主管 |").
# Apart from the markers above, which are matched at the start only: searched for together,
# every position of a line was tried against all of them (2 us a body line, now 0.3).
_FOOTER_CREDIT = re.compile(r"(?:主办|主辦|承办|承辦|主管)\s*(?:[|｜]|$)")
_FOOTER_MAX_LEN = 160
_NAV_SPLIT = re.compile(r"\s*[|｜丨·•]\s*|\s{2,}|\u3000+")
_NAV_SEPARATOR = re.compile(r"[|｜丨·•\u3000]|\s\s")  # what every split above needs; found faster
_SENTENCE_END = tuple("。!?！？;；…") + (".", "”", "\"", "’", "」", "』")


@dataclass
class Line:
    """One line of a page with what it was recognised as."""

    kind: str
    text: str
    data: dict = field(default_factory=dict)


@lru_cache(maxsize=8192)
def classify_line(raw: str) -> Line:
    """Recognise one line of page text (already stripped of surrounding whitespace).

    Cached: a page's nested wrappers hand the same text in at every level, and sites repeat
    their furniture on every page. The Line returned is shared: never change it.
    """
    text = raw.strip(" \t\u3000\xa0\ufeff")
    if not text:
        return Line(BLANK, "")
    site_name = sitelines.parse_welcome(text)
    if site_name:
        return Line(WELCOME, text, {"site_name": site_name})
    crumbs = sitelines.parse_breadcrumb(text)
    if crumbs:
        return Line(BREADCRUMB, text, {"crumbs": crumbs})
    match = _AFFILIATION.match(text)
    if match:
        return Line(AFFILIATION, text, {"author_affiliation": match.group("unit")})
    if _RELATED.match(text) or _PREV_NEXT.match(text) or is_footer(text):
        return Line(END, text)
    fields = infolines.parse_info_line(text)
    byline = people.parse_byline(text)
    if fields is not None or byline is not None:
        # A labelled field wins over the same field read from an unlabelled byline.
        return Line(INFO, text, {**(byline or {}), **(fields or {})})
    if _SITE_CHROME.match(text):
        return Line(NAV, text)
    if _SHARE.match(text) or _SHARE_TARGETS.fullmatch(text):
        return Line(SHARE, text)
    if _is_tool_bar(text):
        return Line(TOOLS, text)
    if is_nav(text):
        return Line(NAV, text)
    return Line(TEXT, text)


def ends_article(line: Line) -> bool:
    """True for a line after which only chrome follows (footers, related lists, "责任编辑:")."""
    return line.kind == END or (line.kind == INFO and "editor" in line.data)


def is_footer(text: str) -> bool:
    """True for copyright, ICP, disclaimer and contact lines."""
    if _FOOTER_START.match(text) or _FOOTER_CREDIT.search(text):
        return True
    return len(text) <= _FOOTER_MAX_LEN and bool(_FOOTER_ANYWHERE.search(text))


def _is_tool_bar(text: str) -> bool:
    rest = infolines.TOOLS_RE.sub("", text)
    if any(mark in rest for mark in _NOT_TOOLS):
        return False
    return not _TOOL_FILLER.sub("", _TOOL_WORDS.sub("", rest))


def is_nav(text: str) -> bool:
    """True for a row of short menu items ("首页 | 新闻 | 政务", "首页 新闻 政务 专题")."""
    items = [i for i in _NAV_SPLIT.split(text) if i] if _NAV_SEPARATOR.search(text) else [text]
    if len(items) < 3 and re.fullmatch(r"[\u4e00-\u9fff]{1,8}(?: [\u4e00-\u9fff]{1,8}){2,}", text):
        items = text.split(" ")  # single spaces separate menu items only between Han words
    if len(items) < 3:
        return False
    return all(_is_menu_item(i) for i in items)


def _is_menu_item(item: str) -> bool:
    if item.endswith(_SENTENCE_END) or re.search(r"\d{4}", item):
        return False
    if re.search("[\u4e00-\u9fff]", item):
        return len(item) <= 8
    return len(item) <= 24 and len(item.split()) <= 3


def is_prose(text: str) -> bool:
    """True for a line that reads as running text rather than a heading or a menu.

    Sentences end in punctuation; a long line without any is a headline, unless it runs on
    far longer than a headline would.
    """
    return len(text) >= 150 or (len(text) >= 15 and text.rstrip("”\"’」』)）").endswith(_SENTENCE_END))


def ends_sentence(text: str) -> bool:
    """True when a line ends with sentence-final punctuation (so a paragraph may end here)."""
    return text.endswith(_SENTENCE_END) or text.endswith(("：", ":"))
