"""Validators for rendered feeds, shared by the feed tests."""
from __future__ import annotations

import json
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
from lxml import etree

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# XML 1.0 section 2.2, the characters that may never appear in a document.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
RFC822 = re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}")

_ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).with_name("atom.rng"))))


def parse_feed(body: bytes):
    """Parse with feedparser, as a feed reader would, and insist it found nothing wrong."""
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def check_rss(body: bytes) -> etree._Element:
    """Strict-parse an RSS 2.0 document, check what the spec requires, return its channel."""
    root = etree.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for name in ("title", "link", "description"):
        assert channel.findtext(name), f"channel lacks <{name}>"
    self_links = channel.xpath("atom:link[@rel='self']", namespaces=NS)
    assert len(self_links) == 1 and self_links[0].get("type") == "application/rss+xml"
    for item in channel.iter("item"):
        assert item.findtext("title") or item.findtext("description")
        guid = item.find("guid")
        assert guid is not None and guid.text and guid.get("isPermaLink") == "false"
        pub_date = item.findtext("pubDate")
        assert RFC822.fullmatch(pub_date), pub_date
    build_date = channel.findtext("lastBuildDate")
    assert RFC822.fullmatch(build_date), build_date
    return channel


def check_atom(body: bytes) -> etree._Element:
    """Validate an Atom document against RFC 4287 (schema and its rules); return the feed."""
    root = etree.fromstring(body)
    assert _ATOM_SCHEMA.validate(root), _ATOM_SCHEMA.error_log
    # The RFC's two Schematron rules, which RELAX NG cannot express.
    assert root.xpath("atom:author or not(atom:entry[not(atom:author)])", namespaces=NS)
    for entry in root.xpath("atom:entry", namespaces=NS):
        assert entry.xpath(
            "atom:link[@rel='alternate'] or atom:link[not(@rel)] or atom:content", namespaces=NS
        )
        assert entry.xpath(
            "atom:author or ../atom:author or atom:source/atom:author", namespaces=NS
        )
    # RFC 4287 3.3: dates are RFC 3339, which unlike xsd:dateTime requires a time zone.
    for date in root.xpath("//atom:updated | //atom:published", namespaces=NS):
        assert RFC3339.fullmatch(date.text), date.text
    return root


def check_json_feed(body: bytes) -> dict:
    """Check a JSON Feed 1.1 document against the spec's required fields; return it parsed."""
    doc = json.loads(body.decode("utf-8"))
    assert doc["version"] == JSON_FEED_VERSION
    assert isinstance(doc["title"], str) and doc["title"]
    assert isinstance(doc["items"], list)
    for hub in doc.get("hubs", []):
        assert set(hub) == {"type", "url"}
    for item in doc["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html", item.get("content_text")), str)
        for key in ("date_published", "date_modified"):
            if key in item:
                assert RFC3339.fullmatch(item[key]), item[key]
        for author in item.get("authors", []):
            assert isinstance(author["name"], str)
    return doc


def rfc822_datetime(text: str) -> datetime:
    """An RSS date as an aware datetime."""
    return parsedate_to_datetime(text)
