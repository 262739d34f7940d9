"""The importer against hostile files: a list of articles or a one-line ParseError, nothing else."""
from __future__ import annotations

import json
import sys
from encodings.aliases import aliases

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from feedsvc.ingest.article import ParseError, ParsedArticle
from feedsvc.ingest.enrich import prepare_articles
from feedsvc.ingest.settings import ImportSettings
from feedsvc.ingest.parse import parse_bytes

from . import PROFILE
from .checks import XML_FORBIDDEN, assert_one_line_message, assert_safe_html
from .strategies import (
    CODECS, SETTINGS_TZ, SHANGHAI, SUFFIXES, UNSAFE_YAML, encoded_text, html_pages, json_docs,
    markdown_docs, paragraph, text_dumps,
)

# Building a page thousands of elements deep is slow by design, not a broken strategy.
SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large]


def parse_or_refuse(data: bytes, filename: str) -> list[ParsedArticle] | None:
    """The articles parse_bytes returns, or None when it refuses the file as it should."""
    try:
        articles = parse_bytes(data, filename, tz=SHANGHAI)
    except ParseError as exc:
        assert_one_line_message(exc)
        event("refused", str(exc)[:40])
        return None
    event("parsed", articles[0].format)
    assert articles and all(isinstance(a, ParsedArticle) for a in articles)
    return articles


@settings(PROFILE, max_examples=300)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_parse_or_refuse(data, suffix):
    parse_or_refuse(data, f"upload{suffix}")


@settings(PROFILE, max_examples=300)
@given(data=encoded_text(), suffix=st.sampled_from(SUFFIXES))
def test_hostile_text_in_any_encoding_parses_or_refuses(data, suffix):
    parse_or_refuse(data, f"upload{suffix}")


@settings(PROFILE, max_examples=150)
@given(dump=text_dumps(), codec=st.sampled_from(CODECS), suffix=st.sampled_from([".txt", ""]))
def test_text_dumps_parse_or_refuse(dump, codec, suffix):
    parse_or_refuse(dump.encode(codec, errors="ignore"), f"dump{suffix}")


@settings(PROFILE, max_examples=30, suppress_health_check=SLOW_DATA)
@example(page="<p><script></script>&#1;", codec="utf-8", suffix=".html")
@example(page="<p>a<template></template>&#xFFFE;b</p>", codec="utf-8", suffix=".html")
@given(page=html_pages(), codec=st.sampled_from(CODECS), suffix=st.sampled_from([".html", ""]))
def test_html_pages_parse_or_refuse(page, codec, suffix):
    parse_or_refuse(page.encode(codec, errors="ignore"), f"page{suffix}")


# Every name Python's codec registry answers to, text encodings or not.
CODEC_NAMES = sorted(set(aliases) | set(aliases.values()) | {"rot13", "hex", "punycode", "undefined"})


@settings(PROFILE, max_examples=100)
@example(charset="rot13", body="The harbour ferry resumed service on Monday.")
@given(charset=st.sampled_from(CODEC_NAMES), body=paragraph)
def test_any_declared_charset_parses_or_is_refused(charset, body):
    page = (f'<html><head><meta charset="{charset}"><title>Ferry</title></head>'
            f"<body><p>{body}</p></body></html>")
    parse_or_refuse(page.encode("utf-8", errors="ignore"), "page.html")


@settings(PROFILE, max_examples=150)
@given(doc=markdown_docs(), suffix=st.sampled_from([".md", ""]))
def test_markdown_parses_or_refuses_and_never_runs_yaml_tags(doc, suffix):
    parse_or_refuse(doc.encode("utf-8"), f"post{suffix}")
    assert not hasattr(sys, "feedsvc_pwned"), "front matter constructed a Python object"


@settings(PROFILE, max_examples=50)
@given(key=st.sampled_from(["title", "date", "author", "tags"]))
def test_python_tags_in_front_matter_are_refused(key):
    doc = f"---\n{key}: {UNSAFE_YAML}\n---\n# Harbour ferry returns\n\nThe ferry sailed again.\n"
    try:
        parse_bytes(doc.encode(), "post.md", tz=SHANGHAI)
    except ParseError as exc:
        assert "YAML" in str(exc)
    else:
        raise AssertionError("a !!python tag was accepted")
    assert not hasattr(sys, "feedsvc_pwned")


@settings(PROFILE, max_examples=200)
@given(doc=json_docs, suffix=st.sampled_from([".json", ""]))
def test_json_parses_or_refuses(doc, suffix):
    parse_or_refuse(doc.encode("utf-8"), f"items{suffix}")


_ANY_FILE = st.one_of(
    st.tuples(text_dumps().map(lambda t: t.encode("utf-8")), st.just("dump.txt")),
    st.tuples(html_pages().map(lambda t: t.encode("utf-8")), st.just("page.html")),
    st.tuples(markdown_docs().map(lambda t: t.encode("utf-8")), st.just("post.md")),
    st.tuples(json_docs.map(lambda t: t.encode("utf-8")), st.just("items.json")),
    st.tuples(encoded_text(), st.sampled_from(SUFFIXES).map("upload{}".format)),
)


@settings(PROFILE, max_examples=120, suppress_health_check=SLOW_DATA)
@given(file=_ANY_FILE, tz=st.sampled_from(SETTINGS_TZ))
def test_prepared_articles_are_xml_safe_and_script_free(file, tz):
    data, name = file
    try:
        articles = prepare_articles(data, name, settings=ImportSettings(tz=tz))
    except ParseError as exc:
        assert_one_line_message(exc)
        event("refused")
        return
    event("prepared")
    for article in articles:
        assert article.title.strip() and article.text.strip()
        texts = [article.title, article.text, article.summary, article.html, *article.tags,
                 article.author, article.author_affiliation, article.source_name,
                 article.site_name, article.category, article.original_url]
        for value in filter(None, texts):
            assert not XML_FORBIDDEN.search(value), repr(value)
        assert_safe_html(article.html)


@settings(PROFILE, max_examples=40)
@example(kind="json", junk="\x01")
@given(kind=st.sampled_from(["json", "markdown", "html"]), junk=st.sampled_from("\x01\x0b\x1f\ufffe"))
def test_prepared_urls_are_xml_safe(kind, junk):
    body = "The harbour ferry resumed service on Monday after a six month pause for repairs."
    url, original = f"https://news.example.org/a{junk}b", f"https://origin.example.org/{junk}"
    files = {
        "json": (json.dumps({"title": "Ferry", "text": body, "url": url, "original_url": original}), "a.json"),
        "markdown": (f"---\ntitle: Ferry\nurl: {json.dumps(url)}\noriginal_url: {json.dumps(original)}\n"
                     f"---\n{body}\n", "a.md"),
        "html": (f'<title>Ferry</title><link rel="canonical" href="https://news.example.org/a&#{ord(junk)};b">'
                 f"<p>{body}</p>", "a.html"),
    }
    text, name = files[kind]
    article, = prepare_articles(text.encode("utf-8"), name, settings=ImportSettings(tz=SHANGHAI))
    for value in (article.original_url, article.canonical_url):
        assert not XML_FORBIDDEN.search(value or ""), repr(value)
