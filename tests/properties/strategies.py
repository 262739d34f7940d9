"""Hostile inputs: odd characters, text in several encodings, and documents of each format."""
from __future__ import annotations

import json
from datetime import timezone
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

SHANGHAI = ZoneInfo("Asia/Shanghai")
SETTINGS_TZ = (SHANGHAI, timezone.utc, ZoneInfo("America/Los_Angeles"))
SUFFIXES = (".txt", ".html", ".md", ".json", "")
CODECS = ("utf-8", "utf-16", "gb18030", "big5")

# Pieces that break naive text handling: C0/C1 controls, the characters XML forbids,
# bidi overrides and marks, joiners, combining marks (alone and stacked), emoji sequences,
# odd line breaks, markup and CDATA terminators.
TRICKY = (
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f",
    "\ufffe", "\uffff", "\ufeff", "\u200b", "\u200c", "\u200d", "\u2060",
    "\u200e", "\u200f", "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069",
    "\u0301", "\u0308\u0301\u0323", "e\u0301", "\u0915\u094d\u0937", "\u0639\u064e\u0631\u064e\u0628\u0650",
    "\u05e9\u05c1\u05b8", "👩\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "👍🏽", "🇨🇳", "🇺🇳🇺", "\U0010fffd",
    "\ufdfd", "\u3000", "\xa0", "\u2028", "\u2029", "\r", "\r\n", "\n", "\n\n", "\t",
    "&", "<", ">", "\"", "'", "]]>", "</content>", "&amp;", "&#0;", "&#x1;", "&#xd800;",
    "<![CDATA[", "-->", "中", "文", "。", "，", "！", "“", "”", "…", ".", "?", " ",
)
WORDS = (
    "harbour", "ferry", "council", "The", "Mayor", "said", "on", "Monday", "3.5", "U.S.",
    "地铁", "江城", "市民", "今天", "开通", "新闻", "记者", "通讯员", "版权所有",
)
# Surrogates are left out: such text cannot be encoded, so no file can hold it.
ANY_CHAR = st.characters(codec="utf-8")
hostile_text = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.sampled_from(WORDS), ANY_CHAR), max_size=60
).map("".join)
# Feed fields come from the database, which may hold anything a str can: surrogates too.
hostile_str = st.lists(
    st.one_of(st.sampled_from(TRICKY + ("\ud800", "\udfff", "\udbff\udc00")), ANY_CHAR,
              st.characters()),
    max_size=40,
).map("".join)

# For documents that should mostly parse: words, with a hostile piece now and then (a file
# more than 5% control characters is refused as binary, which would hide everything else).
_MILD_TOKEN = st.one_of(
    st.sampled_from(WORDS * 5 + TRICKY), st.characters(codec="utf-8", exclude_categories=["Cc"])
)
mild_line = st.lists(_MILD_TOKEN, min_size=1, max_size=12).map(" ".join)
paragraph = st.tuples(
    st.lists(_MILD_TOKEN, min_size=8, max_size=40).map(" ".join), st.sampled_from(["。", ".", "！", "?", ""])
).map("".join)


@st.composite
def encoded_text(draw, text=hostile_text):
    """Text encoded in one of CODECS, dropping what that codec cannot write."""
    codec = draw(st.sampled_from(CODECS))
    return draw(text).encode(codec, errors="ignore")


DATE_VALUES = st.one_of(
    st.sampled_from([
        "2024-04-12 09:30", "2024年4月12日 上午9:05", "0001-01-01 00:00 +14:00",
        "9999-12-31 23:59 -14:00", "2024-02-30", "2024-13-45 25:61", "0000-00-00",
        "March 3, 2024 at 7:45 pm", "12 Dec 2024, 12:00 AM", "2024/1/1 10:00 +99:99",
        "２０２４－０３－０４ １０：２０", "1899-12-31T23:59:59Z", "1970-01-01T00:00:00+00:00",
    ]),
    st.builds(
        "{:04d}-{:02d}-{:02d} {:02d}:{:02d}{}".format,
        st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25),
        st.integers(0, 60), st.sampled_from(["", "Z", " +14:00", " -14:00", " +23:59", " UTC"]),
    ),
    mild_line,
)


@st.composite
def text_dumps(draw):
    """A saved news page as text: chrome, a title, an info line with random values, a body."""
    lines = draw(st.lists(st.sampled_from([
        "首页 > 新闻中心 > 正文", "欢迎来到江城新闻网!", "【字体:大 中 小】【打印】", "Home > News",
        "当前位置：首页 > 本地", "分享到：微信 微博",
    ]), max_size=3))
    lines.append(draw(mild_line))  # the title
    source, when, author = draw(mild_line), draw(DATE_VALUES), draw(mild_line)
    lines.append(draw(st.sampled_from([
        f"来源：{source} 发布时间：{when}", f"发布时间:{when} 来源:{source} 作者:{author}",
        f"By {author} | {when}", f"{when} 来源：{source}", f"原文链接：{source}",
    ])))
    lines += draw(st.lists(paragraph, min_size=1, max_size=6))
    lines += draw(st.lists(st.sampled_from([
        "相关新闻", "版权所有 © 2024 江城新闻网", "上一篇：旧闻", "责任编辑：王五",
    ]), max_size=2))
    separator = draw(st.sampled_from(["\n", "\n\n", "\r\n", "\r", "\n\u3000\u3000"]))
    return separator.join(lines)


_TAGS = ("div", "p", "span", "a", "article", "section", "table", "tr", "td", "ul", "li",
         "h1", "h2", "b", "script", "style", "svg", "math", "iframe", "form", "template",
         "noscript", "img", "br", "object", "embed", "meta", "base", "link", "title")
_ATTRS = st.one_of(
    st.sampled_from([
        'onclick="alert(1)"', "onerror=alert(1)", 'onload="x()"', 'ONMOUSEOVER="x()"',
        'href="javascript:alert(1)"', 'href="  javascript:alert(1)"', 'href="jav&#x61;script:x"',
        'href="java\tscript:x"', 'href="JaVaScRiPt:x"', 'src="data:text/html;base64,PHNjcmlwdD4="',
        'src="x"', 'style="background:url(javascript:x)"', 'href="/relative/path"',
        'href="https://example.org/a?b=1&amp;c=2"', 'xmlns="http://www.w3.org/2000/svg"',
        'formaction="javascript:x"', 'srcdoc="<script>x()</script>"', 'href="vbscript:x"',
        'href="&#106;avascript:x"', "class='lead'", 'charset="gb2312"',
        'content="text/html; charset=big5"', 'http-equiv="refresh"',
    ]),
    st.builds("{}={!r}".format, st.from_regex(r"[a-z\-]{1,8}", fullmatch=True), hostile_text),
)
_TRICKS = (
    "<scr<script>ipt>alert(1)</scr</script>ipt>", "<svg><script>alert(1)</script></svg>",
    "<img src=x onerror=alert(1)>", '<a href="  javascript:alert(1)">x</a>',
    "<math><mi xlink:href=\"javascript:x\">y</mi></math>", "<!--<script>x</script>-->",
    "<![CDATA[<script>x</script>]]>", "<script>/*</script><script>*/x</script>",
    '<a href="jav&#x61;script:alert(1)">x</a>', '<a href="jav&#x0A;ascript:x">y</a>',
    "<iframe src=\"https://evil.example\"></iframe>", "<style>p{color:red}</style>",
    "<object data=x></object>", "<embed src=x>", "<body onload=x()>", "<input autofocus onfocus=x>",
    "<p>Paragraph &amp; more &lt;script&gt; text.</p>", "</div></div></p>", "<<<>>>", "<a",
    "<title>Second title</title>", '<meta charset="utf-16">', "<base href=\"javascript:x//\">",
)


@st.composite
def html_fragments(draw, max_depth=3, text=hostile_text):
    """Malformed HTML from a grammar of tags, attributes, text and known filter-evasion tricks."""
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            parts.append(draw(st.sampled_from(_TRICKS)))
        elif choice == 1:
            parts.append(draw(text))
        else:
            tag = draw(st.sampled_from(_TAGS))
            attrs = " ".join(draw(st.lists(_ATTRS, max_size=3)))
            nested = max_depth > 0 and draw(st.booleans())
            inner = draw(html_fragments(max_depth - 1, text)) if nested else draw(text)
            close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}", "</x>"]))
            parts.append(f"<{tag} {attrs}>{inner}{close}")
    return "".join(parts)


@st.composite
def html_pages(draw):
    """A page with a title, a nested body up to thousands of levels deep, and tricks inside."""
    depth = draw(st.one_of(st.integers(0, 20), st.integers(200, 3000)))
    tag = draw(st.sampled_from(["div", "section", "span", "b", "table"]))
    title = draw(st.one_of(mild_line, st.just("Harbour ferry returns")))
    head = draw(st.sampled_from([
        "", '<meta charset="utf-8">', '<meta property="og:title" content="X">',
        '<meta name="author" content="&#0;">', '<link rel="canonical" href="javascript:x">',
    ]))
    paragraphs = draw(st.lists(paragraph, min_size=1, max_size=5))
    body = draw(html_fragments(2, mild_line)) + "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body>"
        + f"<{tag} onclick=\"x()\">" * depth + body + f"</{tag}>" * depth + "</body></html>"
    )


# Sets sys.feedsvc_pwned if a loader ever constructs Python objects from a file.
UNSAFE_YAML = "!!python/object/apply:builtins.setattr [!!python/module:sys , feedsvc_pwned, true]"
_YAML_VALUES = st.one_of(
    # A JSON string is a YAML scalar with every escape. Dates are quoted: unquoted ones that
    # are no real day crash PyYAML, pinned by test_parse_limits.
    st.one_of(hostile_text, DATE_VALUES).map(json.dumps), st.sampled_from([
        UNSAFE_YAML,
        "!!python/object:feedsvc.ingest.article.ParsedArticle {title: x, text: y}",
        "!!python/name:os.system", "[unclosed", "{a: b", "*alias", "&anchor x", "|\n  block",
        "[1, [2, [3, [4]]]]", "~", "yes", "0x1F", "2024-04-12T09:30:00+08:00", "1e400",
        "!!binary aGVsbG8=", "!!set {a, b}", "- a\n- b", "'unterminated",
    ]),
)


@st.composite
def markdown_docs(draw):
    """Markdown with optional front matter of random, invalid or dangerous YAML."""
    keys = st.sampled_from(["title", "date", "author", "tags", "summary", "url", "lang", "source", "x"])
    front = "\n".join(f"{k}: {v}" for k, v in draw(st.lists(st.tuples(keys, _YAML_VALUES), max_size=5)))
    opener = draw(st.sampled_from(["", "---\n", "--- \n"]))
    closer = draw(st.sampled_from(["\n---\n", "\n...\n", "\n"])) if opener else ""
    heading = draw(st.sampled_from(["# ", "# ", "# ", "", "## ", "#"])) + draw(mild_line)
    body = "\n\n".join(draw(st.lists(st.one_of(paragraph, html_fragments(1, mild_line)), max_size=4)))
    return f"{opener}{front if opener else ''}{closer}{heading}\n\n{body}"


_JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), mild_line, DATE_VALUES,
)
_JSON_VALUES = st.recursive(
    _JSON_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(mild_line, inner, max_size=3),
    max_leaves=8,
)
_OPTIONAL_KEYS = ("published", "date", "author", "authors", "tags", "keywords", "url",
                  "original_url", "lang", "summary", "source", "category")


@st.composite
def json_articles(draw):
    """An article object: a title and a body, mostly strings, other keys with any value."""
    article = {draw(st.sampled_from(["title", "headline"])): draw(st.one_of(mild_line, _JSON_LEAVES))}
    body = st.one_of(
        st.lists(paragraph, min_size=1, max_size=4).map("\n\n".join), html_fragments(2, mild_line)
    )
    body_keys = st.sampled_from(["text", "html", "body", "content"])
    for key in draw(st.lists(body_keys, min_size=1, max_size=2)):
        article[key] = draw(st.one_of(body, _JSON_LEAVES))
    others = st.one_of(mild_line, DATE_VALUES, _JSON_VALUES)
    article.update(draw(st.dictionaries(st.sampled_from(_OPTIONAL_KEYS), others, max_size=4)))
    return article


json_docs = st.one_of(
    json_articles(), st.lists(json_articles(), min_size=1, max_size=3), _JSON_VALUES,
).map(lambda value: json.dumps(value, ensure_ascii=False))
