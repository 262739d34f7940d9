"""Subscribers: listing, history, deactivation, confirmation resend, CSV out and in."""
from __future__ import annotations

import csv
import email
import email.policy
import io
from io import BytesIO

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from feedsvc import db, jobs
from feedsvc.models import Delivery, Subscriber


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}"
    return app


def add(app, email, state="confirmed"):
    with db.new_session(app) as session, session.begin():
        row = Subscriber(email=email, state=state, timezone="Asia/Shanghai", language="zh-CN",
                         delivery_hour=7, topics="[]", bounce_count=0)
        session.add(row)
        session.flush()
        return row.id


def fetch(app, email):
    with db.new_session(app) as session:
        return session.scalar(select(Subscriber).where(Subscriber.email == email))


def test_list_search_and_state(app, signed_in):
    add(app, "reader@example.com")
    add(app, "waiting@example.com", state="pending")
    emails = lambda url: [a.text_content() for a in lxml_html.fromstring(signed_in.get(url).data).cssselect("table.list td a")]
    assert set(emails("/admin/subscribers")) == {"reader@example.com", "waiting@example.com"}
    assert emails("/admin/subscribers?q=READ") == ["reader@example.com"]
    assert emails("/admin/subscribers?state=pending") == ["waiting@example.com"]


def test_view_deactivate_and_history(app, signed_in, csrf, audit_log):
    sid = add(app, "reader@example.com")
    with db.new_session(app) as session, session.begin():
        session.add(Delivery(kind="digest", subscriber_id=sid, to_addr="reader@example.com",
                             message_id="<m1@feeds.example.org>", state="pending"))
    url = f"/admin/subscribers/{sid}"
    page = signed_in.get(url)
    assert page.status_code == 200 and "&lt;m1" not in page.get_data(as_text=True)
    assert len(lxml_html.fromstring(page.data).cssselect("table.deliveries tbody tr")) == 1
    assert signed_in.post(f"{url}/deactivate", data={"csrf_token": csrf(url)}).status_code == 302
    assert fetch(app, "reader@example.com").state == "unsubscribed"
    with db.new_session(app) as session:
        assert session.scalar(select(Delivery.state)) == "cancelled", "the unsent digest is dropped"
    assert audit_log()[-1][1:] == ("subscriber.deactivate", "reader@example.com")
    assert signed_in.get("/admin/subscribers/999").status_code == 404


def test_resend_confirmation_reaches_the_server(app, signed_in, csrf, handler, audit_log):
    sid = add(app, "waiting@example.com", state="pending")
    url = f"/admin/subscribers/{sid}"
    assert signed_in.post(f"{url}/resend", data={"csrf_token": csrf(url)}).status_code == 302
    assert jobs.deliver_outbox(app).startswith("1 sent"), "queued in the request, sent by the worker"
    [message] = handler.received
    parsed = email.message_from_bytes(message.content, policy=email.policy.default)
    assert message.rcpt_tos == ["waiting@example.com"]
    assert "/confirm/" in parsed.get_body(("plain",)).get_content()
    assert audit_log()[-1][1] == "subscriber.resend_confirmation"
    confirmed = add(app, "done@example.com")
    signed_in.post(f"/admin/subscribers/{confirmed}/resend", data={"csrf_token": csrf(url)})
    jobs.deliver_outbox(app)
    assert len(handler.received) == 1, "a confirmed subscriber is not asked again"


def test_export_is_a_csv_the_import_reads(app, signed_in, csrf, audit_log):
    add(app, "reader@example.com")
    assert signed_in.get("/admin/subscribers/export").status_code == 405
    response = signed_in.post("/admin/subscribers/export", data={"csrf_token": csrf("/admin/subscribers")})
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["email"], r["state"]) for r in rows] == [("reader@example.com", "confirmed")]
    assert audit_log()[-1][1] == "subscribers.export"


def import_csv(client, token, text: bytes, **form):
    return client.post("/admin/subscribers/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (BytesIO(text), "list.csv"), **form})


def test_import_takes_valid_rows_and_reports_the_others(app, signed_in, csrf, handler, audit_log):
    text = ("email,timezone,delivery_hour\n"
            "new@example.com,Asia/Shanghai,8\n"
            "not-an-address,Asia/Shanghai,8\n"
            "late@example.com,Mars/Base,8\n"
            "hour@example.com,UTC,25\n"
            "new@example.com,UTC,9\n").encode()
    response = import_csv(signed_in, csrf("/admin/subscribers"), text)
    assert response.status_code == 200
    refused = [td.text_content() for td in lxml_html.fromstring(response.data).cssselect("table.list tbody tr td:first-child")]
    assert refused == ["3", "4", "5", "6"]
    assert fetch(app, "new@example.com").state == "pending"
    for bad in ("late@example.com", "hour@example.com"):
        assert fetch(app, bad) is None
    jobs.deliver_outbox(app)
    assert [m.rcpt_tos for m in handler.received] == [["new@example.com"]]
    assert audit_log()[-1][1] == "subscribers.import"


def test_import_confirmed_sends_no_mail(app, signed_in, csrf, handler):
    import_csv(signed_in, csrf("/admin/subscribers"), b"email\nok@example.com\n", confirmed="1")
    jobs.deliver_outbox(app)
    assert fetch(app, "ok@example.com").state == "confirmed" and handler.received == []


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00broken", b"address\nnobody@example.com\n"])
def test_unreadable_import_writes_nothing(app, signed_in, csrf, data, audit_log):
    response = import_csv(signed_in, csrf("/admin/subscribers"), data)
    assert response.status_code == 400
    with db.new_session(app) as session:
        assert session.scalar(select(func.count(Subscriber.id))) == 0


FORMULAS = ["=1+1@example.com", "+cmd|'/Ccalc'!A0@example.com", "-2+3@example.com"]


def test_export_defuses_formulas_and_import_reads_them_back(app, client, signed_in, csrf, runner):
    """Issue 14, defect 6: cells a spreadsheet would run get a leading ' (OWASP), import strips it."""
    for address in FORMULAS:
        assert client.post("/api/subscribe", json={"email": address}).status_code == 202
    response = signed_in.post("/admin/subscribers/export", data={"csrf_token": csrf("/admin/subscribers")})
    cli = runner.invoke(args=["subscribers", "export"]).output
    for exported in (response.get_data(as_text=True), cli):
        rows = list(csv.reader(io.StringIO(exported)))[1:]
        cells = [cell for row in rows for cell in row]
        assert sorted(row[0] for row in rows) == sorted("'" + address.lower() for address in FORMULAS)
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    with db.new_session(app) as session, session.begin():
        session.query(Subscriber).delete()
    again = import_csv(signed_in, csrf("/admin/subscribers"), response.data)
    assert again.status_code == 200
    with db.new_session(app) as session:
        assert sorted(session.scalars(select(Subscriber.email))) == sorted(a.lower() for a in FORMULAS)


def test_the_page_says_daily_or_weekly_on_which_day(app, signed_in):
    weekly, daily = add(app, "weekly@example.com"), add(app, "daily@example.com")
    with db.new_session(app) as session, session.begin():
        row = session.get(Subscriber, weekly)
        row.frequency, row.weekday = "weekly", 5
    facts = lambda sid, lang: lxml_html.fromstring(signed_in.get(f"/admin/subscribers/{sid}?lang={lang}").data
                                                   ).cssselect("dl.facts")[0].text_content()
    assert "每周, 星期五" in facts(weekly, "zh-CN") and "weekly, Friday" in facts(weekly, "en")
    assert "每日" in facts(daily, "zh-CN") and "星期" not in facts(daily, "zh-CN")
