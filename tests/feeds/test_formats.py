"""The one list of feed formats: every entry is routed, rendered, discovered, listed and pinged."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from feedsvc.feeds.formats import FORMATS
from feedsvc.feeds.opml import OpmlSource, render_opml
from feedsvc.services.imports import notify_hub


def test_every_format_is_served_discovered_and_listed(client, add_article):
    add_article()
    home = client.get("/").get_data(as_text=True)
    opml = client.get("/feeds.opml").get_data(as_text=True)
    for feed_format in FORMATS:
        response = client.get(f"/feeds/{feed_format.file_name}")
        assert response.status_code == 200 and response.content_type == feed_format.content_type
        assert f'<link rel="alternate" type="{feed_format.media_type}"' in home
        assert f">{feed_format.label}</a>" in home
        assert f"/feeds/{feed_format.file_name}" in opml


def test_every_format_is_pinged(app, monkeypatch):
    pinged = []
    monkeypatch.setattr("feedsvc.services.imports.ping_hub", lambda hub, topics: pinged.extend(topics) or [])
    app.config["WEBSUB_HUB"] = "https://hub.example.org/"
    notify_hub(app)
    scripts = ("", "?lang=zh-CN", "?lang=zh-Hant")  # as written, and in each script pages name
    assert pinged == [f"https://feeds.example.org/feeds/{f.file_name}{q}" for q in scripts for f in FORMATS]


def test_opml_has_an_outline_per_source_and_format():
    source = OpmlSource(name="城市 City", html_url="https://x.example/city",
                        feed_urls={f.name: f"https://x.example/city/{f.file_name}" for f in FORMATS})
    root = ET.fromstring(render_opml("Site", [("category", [source])]))
    [group] = root.find("body")
    assert group.get("text") == "category"
    assert [(o.get("type"), o.get("xmlUrl")) for o in group] == [
        (f.opml_type, f"https://x.example/city/{f.file_name}") for f in FORMATS]
    assert {o.get("htmlUrl") for o in group} == {"https://x.example/city"}
