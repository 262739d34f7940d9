"""Articles: listing, editing, hiding, summaries, and imports by upload and drop folder."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from feedsvc import db
from feedsvc.models import Article, ImportRun, current_store_version

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>'
STORY_MD = """---
title: 河口湿地迎来首批候鸟
source: 滨海晚报
category: 生态
date: 2026-11-20
---

今年首批越冬候鸟已抵达河口湿地，保护站工作人员记录到白鹭和苍鹭约三百只。

保护站表示，观鸟栈道将在本周末开放，请游客保持距离。
"""


def article_row(app, slug: str) -> Article:
    with db.new_session(app) as session:
        return session.scalar(select(Article).where(Article.slug == slug))


def page(response):
    return lxml_html.fromstring(response.data)


def test_list_search_filter_and_pages(app, signed_in, add_article):
    add_article(title="Harbour ferry returns", source_name="Bay Courier", category="Transport")
    add_article(title="新图书馆周六开放", text="市图书馆新馆于本周六正式向公众开放。", source_name="滨海晚报", category="城市")
    titles = lambda url: [a.text_content() for a in page(signed_in.get(url)).cssselect("td.title a")]
    assert set(titles("/admin/articles")) == {"Harbour ferry returns", "新图书馆周六开放"}
    assert titles("/admin/articles?q=ferry") == ["Harbour ferry returns"]
    assert titles("/admin/articles?q=图书") == ["新图书馆周六开放"]
    assert titles("/admin/articles?source=bay-courier") == ["Harbour ferry returns"]
    assert titles("/admin/articles?category=城市") == ["新图书馆周六开放"]
    assert titles("/admin/articles?state=hidden") == []
    app.config["PAGE_SIZE"] = 1
    first, second = titles("/admin/articles?page=1"), titles("/admin/articles?page=2")
    assert len(first) == len(second) == 1 and first != second
    assert signed_in.get("/admin/articles?page=x").status_code == 400


def test_hostile_article_is_shown_escaped(signed_in, add_article):
    add_article(title=HOSTILE, text="A hostile story body.", html=f"<p>fine</p>{HOSTILE}", summary=HOSTILE)
    listing = signed_in.get("/admin/articles")
    assert b"<script>alert(1)" not in listing.data and b"&lt;script&gt;" in listing.data
    link = page(listing).cssselect("td.title a")[0].get("href")
    doc = page(signed_in.get(link))
    assert not doc.xpath("//script | //img[@onerror]")
    assert doc.cssselect("h1")[0].text_content() == HOSTILE


def test_edit_saves_bumps_the_feeds_and_audits(app, signed_in, add_article, csrf, audit_log):
    slug = add_article(title="Harbour ferry returns", category="Transport")
    row = article_row(app, slug)
    url = f"/admin/articles/{row.id}"
    with db.new_session(app) as session:
        version = current_store_version(session)
    response = signed_in.post(url, data={
        "csrf_token": csrf(url), "title": "  Harbour ferry\x07 returns   after repairs ",
        "summary": "The ferry is back.\r\n\r\nTimetables unchanged.", "category": "Harbour",
        "tags": "ferry, harbour，ferry",
    })
    assert response.status_code == 302
    row = article_row(app, slug)
    assert row.title == "Harbour ferry returns after repairs"
    assert row.summary == "The ferry is back.\n\nTimetables unchanged." and not row.summary_generated
    assert row.category.name == "Harbour" and [t.name for t in row.tags] == ["ferry", "harbour"]
    with db.new_session(app) as session:
        assert current_store_version(session) > version
    assert audit_log()[-1] == ("ops@feeds.example.org", "article.edit", str(row.id))
    assert "Harbour ferry returns after repairs" in signed_in.get("/feeds/rss.xml").get_data(as_text=True)


@pytest.mark.parametrize("field, value", [("title", "  "), ("title", "t" * 501), ("summary", "s" * 2001),
                                          ("tags", ",".join(f"t{n}" for n in range(31)))])
def test_bad_edit_is_a_form_error_and_changes_nothing(app, signed_in, add_article, csrf, audit_log, field, value):
    slug = add_article(title="Harbour ferry returns")
    before = article_row(app, slug)
    url = f"/admin/articles/{before.id}"
    form = {"csrf_token": csrf(url), "title": "New title", "summary": "New summary", "category": "", "tags": ""}
    response = signed_in.post(url, data=form | {field: value})
    assert response.status_code == 400 and page(response).cssselect("p.error")
    after = article_row(app, slug)
    assert (after.title, after.summary) == (before.title, before.summary)
    assert [a for _, a, _ in audit_log()] == ["admin.create", "login"]


def test_hide_show_and_regenerate_summary(app, signed_in, client, add_article, csrf, audit_log):
    slug = add_article(title="Night market opens", text="Sixty stalls opened at the night market on Friday. " * 3,
                       summary="Operator summary.")
    row = article_row(app, slug)
    token = csrf(f"/admin/articles/{row.id}")
    signed_in.post(f"/admin/articles/{row.id}/visibility", data={"csrf_token": token, "visible": "0"})
    assert not article_row(app, slug).visible
    assert "Night market opens" not in client.get("/feeds/atom.xml").get_data(as_text=True)
    assert client.get(f"/articles/{slug}").status_code == 404
    signed_in.post(f"/admin/articles/{row.id}/visibility", data={"csrf_token": token, "visible": "1"})
    assert article_row(app, slug).visible
    signed_in.post(f"/admin/articles/{row.id}/summary", data={"csrf_token": token})
    row = article_row(app, slug)
    assert row.summary_generated and row.summary.startswith("Sixty stalls")
    assert [a for _, a, _ in audit_log()][-3:] == ["article.hide", "article.show", "article.summary"]


def upload(client, token, *files):
    return client.post("/admin/articles/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "files": [(BytesIO(data), name) for name, data in files],
    })


def test_upload_imports_and_reports_each_file(app, signed_in, client, csrf, audit_log, worker):
    token = csrf("/admin/articles")
    response = worker(upload(signed_in, token, ("候鸟.md", STORY_MD.encode()), ("notes.pdf", b"%PDF-1.4"),
                             ("empty.txt", b"  \n"), ("broken.json", b"{not json")))
    rows = {tr.cssselect("code")[0].text_content(): tr.cssselect("td")[1].text_content()
            for tr in page(response).cssselect("table.results tbody tr")}
    assert "新增" in rows["候鸟.md"]
    assert "不支持" in rows["notes.pdf"] and "空" in rows["empty.txt"]
    assert "失败" in rows["broken.json"]
    assert "河口湿地迎来首批候鸟" in client.get("/feeds/rss.xml").get_data(as_text=True)
    again = worker(upload(signed_in, token, ("候鸟.md", STORY_MD.encode())))
    assert "未变" in page(again).cssselect("table.results tbody td")[1].text_content()
    with db.new_session(app) as session:
        assert session.scalar(select(func.count(Article.id))) == 1
        assert {r.origin for r in session.scalars(select(ImportRun))} == {"upload"}
    assert audit_log()[-1][1] == "import.upload"


def test_uploaded_names_cannot_choose_the_path(app, signed_in, csrf, tmp_path, worker):
    story = b"Harbour ferry returns\n\nThe harbour ferry resumed service on Monday after repairs."
    worker(upload(signed_in, csrf("/admin/articles"), ("../../x.txt", story), ("..\\..\\y.txt", story + b" Again.")))
    uploads = Path(app.instance_path) / "uploads"
    landed = sorted(p.relative_to(uploads).parts[-1] for p in uploads.rglob("*") if p.is_file())
    assert landed == ["x.txt", "y.txt"]
    assert all(p.resolve().is_relative_to(uploads.resolve()) for p in uploads.rglob("*"))
    assert not (tmp_path / "x.txt").exists() and not (Path(app.instance_path).parent / "x.txt").exists()


def test_upload_without_files_changes_nothing(app, signed_in, csrf):
    response = signed_in.post("/admin/articles/upload", data={"csrf_token": csrf("/admin/articles")})
    assert response.status_code == 302
    with db.new_session(app) as session:
        assert session.scalar(select(func.count(ImportRun.id))) == 0


def test_scan_imports_the_drop_folder(app, signed_in, csrf, audit_log, worker):
    folder = Path(app.config["DROP_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "story.md").write_text(STORY_MD, encoding="utf-8")
    response = worker(signed_in.post("/admin/articles/scan", data={"csrf_token": csrf("/admin/articles")}))
    assert "新增" in response.get_data(as_text=True)
    with db.new_session(app) as session:
        assert session.scalar(select(ImportRun.origin)) == "drop-folder"
    assert audit_log()[-1][1] == "import.drop-folder"
