"""Settings (secrets masked, schedule edits), the dashboard, and its chart."""
from __future__ import annotations

from datetime import date, timedelta, timezone

import pytest
from lxml import etree, html as lxml_html

from feedsvc import db
from feedsvc.admin.settings import mask_password
from feedsvc.charts import render_bar_chart
from feedsvc.models import Delivery, ImportRun, JobSchedule, utcnow


def test_settings_show_config_with_passwords_hidden(app, signed_in):
    app.config["MAIL_URL"] = "smtp://digest%40example.org:s3cr%2Ft@mail.example.org:587?starttls=1"
    page = signed_in.get("/admin/settings")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "s3cr" not in body and "digest%40example.org:***@mail.example.org:587" in body
    for value in ("https://feeds.example.org", "Asia/Shanghai", "测试站 Test Site", "scan_drop_folder"):
        assert value in body


def test_mask_password():
    assert mask_password("postgresql://u:p@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_password("smtp://:only@h") == "smtp://:***@h"
    assert mask_password("smtp://h:25") == "smtp://h:25"
    assert mask_password("file://") == "file://"


def test_schedule_change_is_saved_and_audited(app, signed_in, csrf, audit_log):
    token = csrf("/admin/settings")
    response = signed_in.post("/admin/settings/schedule/scan_drop_folder",
                              data={"csrf_token": token, "interval_seconds": "120"})
    assert response.status_code == 302
    with db.new_session(app) as session:
        row = session.get(JobSchedule, "scan_drop_folder")
        assert (row.interval_seconds, row.enabled) == (120, False)
    assert audit_log()[-1][1:] == ("schedule.change", "scan_drop_folder")
    for bad in ("5", "ten", "", "99999999"):
        refused = signed_in.post("/admin/settings/schedule/prune",
                                 data={"csrf_token": token, "interval_seconds": bad, "enabled": "1"})
        assert refused.status_code == 400 and lxml_html.fromstring(refused.data).cssselect("p.error"), bad
    assert signed_in.post("/admin/settings/schedule/nope", data={"csrf_token": token, "interval_seconds": "60"}).status_code == 400
    with db.new_session(app) as session:
        assert session.get(JobSchedule, "prune").interval_seconds == 86400
        assert session.get(JobSchedule, "nope") is None
    audit = lxml_html.fromstring(signed_in.get("/admin/settings").data).text_content()
    assert "schedule.change" in audit


def test_dashboard_counts_chart_and_attention(app, signed_in, add_article):
    add_article(title="Harbour ferry returns")
    now = utcnow()
    with db.new_session(app) as session, session.begin():
        session.add(Delivery(kind="digest", to_addr="a@example.com", message_id="<1@x>", state="sent", sent_at=now))
        session.add(Delivery(kind="digest", to_addr="b@example.com", message_id="<2@x>", state="failed",
                             last_error="550 no such user"))
        session.add(ImportRun(origin="drop-folder", failed=1, errors="bad.txt: The file is empty.", finished_at=now))
    page = signed_in.get("/admin/")
    doc = lxml_html.fromstring(page.data)
    big = [p.text_content() for p in doc.cssselect(".stat .big")]
    assert big == ["1", "0", "1", "0"]
    attention = doc.cssselect("ul.attention")[0].text_content()
    assert "1 封邮件发送失败" in attention and "bad.txt: The file is empty." in attention
    [svg] = doc.xpath("//*[local-name()='svg']")
    assert len(svg.xpath(".//*[local-name()='rect'][*[local-name()='title']]")) == 60
    assert {"scan_drop_folder", "build_digests", "deliver_outbox", "scan_bounces", "prune"} <= set(
        td.text_content().split()[0] for td in doc.cssselect("table tbody td:first-child"))


def test_chart_is_well_formed_escaped_svg():
    days = [(date(2026, 11, 1) + timedelta(days=n), n, 30 - n) for n in range(30)]
    svg = render_bar_chart(days, labels=("<articles>", "digests & more"), title='"30" days')
    tree = etree.fromstring(svg.encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert len(tree.xpath("//s:rect/s:title", namespaces=ns)) == 60
    assert "<articles>" in "".join(tree.itertext())
    assert not tree.xpath("//@style | //s:script", namespaces=ns)
    heights = [float(r.get("height")) for r in tree.xpath("//s:rect[s:title]", namespaces=ns)]
    assert heights[0] == 0 and max(heights) > 0
    assert etree.fromstring(render_bar_chart([], labels=("a", "b")).encode()) is not None


def test_the_dashboard_and_pruning_read_a_range_of_the_outbox(app):
    """180 days of digests are kept; "made today" alone read every message (the index on state
    did not say when one was made)."""
    from sqlalchemy import event

    from feedsvc.admin.queries import attention, dashboard_counts
    from feedsvc.mail.outbox import prune_deliveries

    engine = db.get_engine(app)
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    seen = []

    def listen(conn, cursor, statement, parameters, *rest):
        if "FROM deliveries" in statement or "DELETE FROM deliveries" in statement:
            seen.append((statement, parameters))

    now = utcnow()
    event.listen(engine, "before_cursor_execute", listen)
    try:
        with db.new_session(app) as session, session.begin():
            dashboard_counts(session, now=now, zone=timezone.utc)
            attention(session, now=now)
            prune_deliveries(session, before=now - timedelta(days=180))
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(seen) == 3  # today's by state, the week's failures, the prune
    with engine.connect() as conn:
        for statement, parameters in seen:
            plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            assert any("ix_deliveries_state_created (state=? AND created_at" in step for step in plan), plan
            assert not any(step.startswith("SCAN deliveries") for step in plan), plan
