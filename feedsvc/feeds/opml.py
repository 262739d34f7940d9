"""OPML 2.0 subscription lists: every feed we serve, grouped, for importing into a reader (pure)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .formats import FORMATS


@dataclass(frozen=True)
class OpmlSource:
    """Something we publish feeds of: its name, the page the feeds mirror, a feed URL per format."""

    name: str
    html_url: str
    feed_urls: Mapping[str, str]  # format name -> absolute URL


def render_opml(title: str, groups: Iterable[tuple[str, Iterable[OpmlSource]]]) -> bytes:
    """The OPML document: one outline per group, holding one outline per source and format."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for group_title, sources in groups:
        outline = ET.SubElement(body, "outline", text=group_title)
        for source in sources:
            for feed_format in FORMATS:
                ET.SubElement(
                    outline, "outline", type=feed_format.opml_type, text=f"{source.name} ({feed_format.name})",
                    xmlUrl=source.feed_urls[feed_format.name], htmlUrl=source.html_url,
                )
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
