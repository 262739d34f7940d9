"""Markdown with front matter, and JSON article objects and lists."""
from datetime import date, datetime

import pytest

from feedsvc.ingest.article import ParseError
from feedsvc.ingest.parse import parse_bytes


def test_markdown_with_front_matter(fixture_text, shanghai):
    [article] = parse_bytes(fixture_text("en-front-matter.md").encode("utf-8"), "trees.md", tz=shanghai)
    assert article.title == "Volunteers Plant 500 Trees Along the River Path"
    assert article.published == datetime(2024, 4, 6, 9, 0, tzinfo=shanghai)
    assert article.author == "Sam Lee"
    assert article.source_name == "Greenway Newsletter"
    assert article.original_url == "https://greenway.example.org/news/tree-planting"
    assert article.category == "Environment"
    assert article.tags == ["trees", "volunteers", "river"]
    assert article.summary == "Volunteers planted 500 native trees on Saturday."
    assert article.lang == "en" and article.format == "markdown"
    assert "<strong>120 volunteers</strong>" in article.html
    assert "<li>Oaks: 300</li>" in article.html
    assert 'href="https://greenway.example.org/maps/trees.html"' in article.html
    assert "<script" not in article.html and "alert" not in article.text
    assert article.text.split("\n\n")[0] == (
        "More than 120 volunteers turned out on Saturday morning to plant 500 native trees "
        "along the river path."
    )
    assert "---" not in article.text and "title:" not in article.text


def test_markdown_title_from_leading_heading(fixture_text, shanghai):
    [article] = parse_bytes(fixture_text("zh-heading.md").encode("utf-8"), "phone.markdown", tz=shanghai)
    assert article.title == "社区开设老年人智能手机课堂"
    assert article.text.startswith("每周三下午") and "智能手机课堂" not in article.text
    assert article.lang == "zh" and article.summary is None and article.published is None


def test_json_object(fixture_text, shanghai):
    [article] = parse_bytes(fixture_text("single.json").encode("utf-8"), "market.json", tz=shanghai)
    assert article.title == "Night Market Returns to Old Town Square"
    assert article.published == datetime(2024, 4, 19, 19, 0, tzinfo=shanghai)
    assert article.author == "Lena Park"
    assert article.tags == ["markets", "food"]
    assert article.text.split("\n\n")[1] == "About sixty stalls sold street food, crafts and second-hand books."
    assert article.html.count("<p>") == 2 and article.format == "json"


def test_json_list(fixture_text, shanghai):
    first, second = parse_bytes(fixture_text("list.json").encode("utf-8"), "many.json", tz=shanghai)
    assert first.title == "新能源公交车投入运营"
    assert first.published == date(2024, 2, 20)
    assert first.source_name == "城市交通报" and first.category == "交通"
    assert first.tags == ["公交", "新能源"]
    assert first.text == "本周起,五十辆新能源公交车在主城区投入运营。\n\n新车配备空调和无障碍踏板。详情"
    assert "onclick" not in first.html and "javascript:" not in first.html
    assert first.lang == "zh"
    assert second.published == date(2024, 6, 1)
    assert second.summary == "Extra weekend sailings from June."
    assert second.text.startswith("Extra sailings") and second.lang == "en"


def test_json_list_with_an_invalid_item_fails_whole(fixture_text, shanghai):
    data = fixture_text("list-missing-body.json").encode("utf-8")
    with pytest.raises(ParseError, match="Item 1 of the JSON list"):
        parse_bytes(data, "partial.json", tz=shanghai)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b'{"title": "Broken", ', "not valid JSON"),
        (b'"just a string"', "article object or a list"),
        (b"[]", "list is empty"),
        (b'{"text": "A body without a title."}', "no title"),
        (b'{"title": "Dated", "text": "Body.", "published": "soon"}', "not a date"),
        (b'{"title": ["a", "list"], "text": "Body."}', "must be text"),
    ],
)
def test_invalid_json_documents(shanghai, document, message):
    with pytest.raises(ParseError, match=message):
        parse_bytes(document, "bad.json", tz=shanghai)


def test_invalid_front_matter(shanghai):
    with pytest.raises(ParseError, match="front matter"):
        parse_bytes(b"---\ntitle: [unclosed\n---\nBody text.\n", "bad.md", tz=shanghai)
