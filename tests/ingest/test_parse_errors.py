"""parse_bytes refuses files without an article with one-line messages."""
from zoneinfo import ZoneInfo

import pytest

from feedsvc.ingest.article import ParseError
from feedsvc.ingest.parse import parse_bytes, sniff_format

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.txt", "empty"),
        (b"   \n\n \xe3\x80\x80 \n", "blank.txt", "empty"),
        (bytes(range(256)) * 40, "binary.txt", "binary"),
        ("首页 | 新闻 | 体育\n【打印】【关闭】\n".encode("utf-8"), "nav.txt", "No article"),
        (b"<html><body><nav><a href='/'>Home</a> | <a href='/n'>News</a></nav></body></html>", "nav.html",
         "No article"),
        (b"---\ntitle: Only a title\n---\n", "title.md", "no body text"),
        (b"No title here, just one short line.", "one.txt", "No article"),
    ],
)
def test_no_article(data, name, message):
    with pytest.raises(ParseError, match=message) as caught:
        parse_bytes(data, name, tz=TZ)
    assert "\n" not in str(caught.value)


def test_too_large():
    with pytest.raises(ParseError, match="too large"):
        parse_bytes(b"x" * 2048, "big.txt", tz=TZ, max_bytes=1024)


def test_size_limit_and_reading(fixture_text):
    data = fixture_text("en-dump.txt").encode("utf-8")
    with pytest.raises(ParseError, match="too large"):
        parse_bytes(data, "story.txt", tz=TZ, max_bytes=100)
    [article] = parse_bytes(data, "story.txt", tz=TZ)
    assert article.title == "City Council Approves Waterfront Park Plan"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"title": "x"}', "json"),
        ("[{}]", "json"),
        ("<!DOCTYPE html><html><body></body></html>", "html"),
        ("---\ntitle: x\n---\nbody", "markdown"),
        ("# Heading\n\nBody.", "markdown"),
        ("标题\n\n正文。", "text"),
    ],
)
def test_sniff_format(text, kind):
    assert sniff_format(text) == kind
