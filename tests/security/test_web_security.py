"""Attacks on the web side that cut across features (each feature's own tests cover more)."""
from __future__ import annotations

import json
import os

import pytest
from lxml import etree
from lxml import html as lxml_html
from sqlalchemy import func, select

from feedsvc import db
from feedsvc.ingest.importer import collect_files
from feedsvc.models import Subscriber
from pages import csrf_from


def test_admin_routes_refuse_the_anonymous(app, client):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in ("admin.login",):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
        for method in rule.methods & {"GET", "POST"}:
            response = client.open(url, method=method)
            assert response.status_code in (302, 400, 403), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/admin/login" in response.headers["Location"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "https:evil.example"])
def test_login_never_redirects_off_site(app, client, runner, target):
    runner.invoke(args=["admin", "create", "op@example.org", "--password", "correct horse battery"])
    token = csrf_from(client, "/admin/login")
    response = client.post(f"/admin/login?next={target}", data={
        "email": "op@example.org", "password": "correct horse battery", "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


@pytest.mark.parametrize("address", [
    "victim@example.com\r\nBcc: everyone@example.com",
    "victim@example.com\nSubject: pwned",
    "victim@example.com%0d%0aBcc:x@example.com",
    '"x\r\nBcc: y@example.com" <victim@example.com>',
])
def test_header_injection_through_the_subscribe_address(app, client, handler, smtp_server, address):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}"
    response = client.post("/api/subscribe", json={"email": address})
    assert response.status_code == 400
    assert handler.received == []
    with db.new_session(app) as session:
        assert session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_drop_folder_symlinks_cannot_reach_outside(tmp_path):
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for import")
    os.symlink(secret, drop / "leak.txt")
    os.symlink(tmp_path, drop / "sub" / "up")  # a folder symlink: os.walk does not follow it
    (drop / "ok.md").write_text("---\ntitle: fine\n---\n\nfine\n")
    assert [p.name for p in collect_files([drop])] == ["ok.md"]


def test_stored_xss_in_search_terms_is_escaped(client):
    response = client.get("/search", query_string={"q": '"><script>alert(1)</script>'})
    doc = lxml_html.fromstring(response.data)
    assert not doc.xpath("//script")
    assert '"><script>alert(1)</script>' in doc.text_content()


def test_error_pages_do_not_reflect_markup(client):
    response = client.get("/articles/<script>alert(1)</script>")
    assert response.status_code == 404 and b"<script>alert" not in response.data


def test_feeds_never_carry_script_from_any_field(client, add_article):
    add_article(title="</title><script>alert(1)</script>", text="text <script>x</script>",
                author="<img src=x onerror=alert(1)>", source_name="<b onclick=x>src</b>",
                category="<svg/onload=alert(1)>", tags=["<script>"],
                original_url="https://example.org/?q=<script>")
    html_parts = []
    for name in ("rss.xml", "atom.xml"):
        tree = etree.fromstring(client.get(f"/feeds/{name}").data)
        # Markup in any field stays text: no element named script/img/svg enters the XML.
        assert not tree.xpath("//*[local-name()='script' or local-name()='img' or local-name()='svg']")
        html_parts += [e.text for e in tree.iter() if etree.QName(e).localname in ("encoded", "content")]
    doc = json.loads(client.get("/feeds/feed.json").data)
    html_parts += [item["content_html"] for item in doc["items"]]
    # JSON Feed's title, summary, authors and tags are plain text by the spec; only
    # content_html is HTML, and it must be inert.
    for part in html_parts:
        fragment = lxml_html.fragment_fromstring(part, create_parent="div")
        assert not fragment.xpath("//script | //img[@onerror] | //svg")
        assert not fragment.xpath("//@*[starts-with(name(), 'on')]")
