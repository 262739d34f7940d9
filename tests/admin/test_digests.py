"""Digests in the admin: previews, test sends, sending now, the delivery log, retries, wording."""
from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select, update

from feedsvc import db, jobs
from feedsvc.models import Article, Delivery, Setting, Subscriber, utcnow
from feedsvc.digest.operator_wording import load_wording


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}"
    return app


@pytest.fixture
def news(app, add_article):
    """Two articles added an hour ago, so they are in today's digest."""
    add_article(title="新图书馆周六开放", text="市图书馆新馆于本周六正式向公众开放，首批上架图书约四十万册。",
                source_name="滨海晚报", category="城市", lang="zh")
    add_article(title='Harbour "ferry" <returns>', text="The harbour ferry resumed service on Monday after repairs.",
                source_name="Bay Courier", category="Transport", lang="en")
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).values(added_at=utcnow() - timedelta(hours=1)))


def reader(app, address, **values):
    with db.new_session(app) as session, session.begin():
        session.add(Subscriber(**({"email": address, "state": "confirmed", "bounce_count": 0,
                                   "timezone": "Asia/Shanghai", "delivery_hour": 7, "language": "zh-CN",
                                   "topics": "[]"} | values)))


def messages(handler):
    return [email.message_from_bytes(m.content, policy=email.policy.default) for m in handler.received]


def test_preview_shows_the_message_as_sent(app, signed_in, news):
    reader(app, "transport@example.com", topics='["category:transport"]', language="en")
    response = signed_in.get("/admin/digests?subscriber=transport@example.com")
    assert response.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in response.headers["Content-Security-Policy"]
    doc = lxml_html.fromstring(response.data)
    [frame] = doc.cssselect("iframe.mail-preview")
    assert frame.get("sandbox") == "" and "<html" in frame.get("srcdoc")
    inner = lxml_html.fromstring(frame.get("srcdoc"))
    assert "Harbour \"ferry\" <returns>" in inner.text_content() and "新图书馆" not in inner.text_content()
    assert not inner.xpath("//script")
    text = doc.cssselect("pre.mail-text")[0].text_content()
    assert "Harbour \"ferry\" <returns>" in text and "Unsubscribe" in text
    assert doc.cssselect("dd.subject")[0].text_content().startswith("测试站 Test Site daily digest")
    everyone = lxml_html.fromstring(signed_in.get("/admin/digests").data)
    assert "新图书馆周六开放" in everyone.cssselect("pre.mail-text")[0].text_content()


def test_preview_of_an_unknown_subscriber_is_a_form_error(signed_in):
    response = signed_in.get("/admin/digests?subscriber=nobody@example.com")
    assert response.status_code == 400 and "没有使用该邮箱的订阅者" in response.get_data(as_text=True)


def test_test_send_reaches_the_server_and_the_log(app, signed_in, csrf, handler, news, audit_log):
    response = signed_in.post("/admin/digests/test", data={
        "csrf_token": csrf("/admin/digests"), "to": "editor@example.com", "language": "en"})
    assert response.status_code == 302
    [msg] = messages(handler)
    assert msg["To"] == "editor@example.com" and "Harbour" in msg.get_body(("plain",)).get_content()
    with db.new_session(app) as session:
        row = session.scalar(select(Delivery))
        assert (row.kind, row.state, row.to_addr, row.message_id) == ("test", "sent", "editor@example.com", msg["Message-ID"])
    log = lxml_html.fromstring(signed_in.get("/admin/digests").data).cssselect("table.deliveries tbody tr")
    assert "editor@example.com" in log[0].text_content()
    assert audit_log()[-1][1:] == ("digest.test", "editor@example.com")


def test_bad_test_address_writes_nothing(app, signed_in, csrf, handler):
    response = signed_in.post("/admin/digests/test", data={"csrf_token": csrf("/admin/digests"), "to": "not an address"})
    assert response.status_code == 400 and "请输入有效的邮箱地址" in response.get_data(as_text=True)
    with db.new_session(app) as session:
        assert session.scalar(select(func.count(Delivery.id))) == 0
    assert handler.received == []


def test_failed_test_send_is_logged_as_failed(app, signed_in, csrf, handler, news):
    handler.data_reply = "554 5.7.1 Rejected for testing"
    signed_in.post("/admin/digests/test", data={"csrf_token": csrf("/admin/digests"), "to": "editor@example.com"})
    with db.new_session(app) as session:
        row = session.scalar(select(Delivery))
        assert row.state == "failed" and "Rejected for testing" in row.last_error


def test_build_and_send_now_ignores_hours(app, signed_in, csrf, handler, news, audit_log, worker):
    # 23:00 has not come yet in whichever of these zones it is earlier.
    zone = "UTC" if datetime.now(ZoneInfo("Asia/Shanghai")).hour == 23 else "Asia/Shanghai"
    reader(app, "late@example.com", delivery_hour=23, timezone=zone)
    response = signed_in.post("/admin/digests/send", data={"csrf_token": csrf("/admin/digests")})
    assert handler.received == [], "the worker builds and sends, not the request"
    page = worker(response).get_data(as_text=True)
    assert "生成 1 期摘要；发送 1 封，待重试 0 封，失败 0 封" in page
    [msg] = messages(handler)
    assert msg["To"] == "late@example.com"
    assert "已发送" in lxml_html.fromstring(signed_in.get("/admin/digests?state=sent").data).cssselect(
        "table.deliveries")[0].text_content()
    assert audit_log()[-1][1] == "digest.send_now"


def test_retry_puts_failed_messages_back(app, signed_in, csrf, handler, news, audit_log, worker):
    reader(app, "reader@example.com")
    handler.data_reply = "554 5.7.1 Not now"
    worker(signed_in.post("/admin/digests/send", data={"csrf_token": csrf("/admin/digests")}))
    with db.new_session(app) as session, session.begin():
        failed = session.scalar(select(Delivery))
        assert failed.state == "failed"
        # The bounce marked the address; the operator fixed that before retrying.
        session.execute(update(Subscriber).values(state="confirmed", bounce_count=0))
    handler.data_reply = None
    response = signed_in.post("/admin/digests/retry", data={"csrf_token": csrf("/admin/digests"),
                                                            "delivery_id": str(failed.id)})
    assert response.status_code == 302
    with db.new_session(app) as session:
        assert session.get(Delivery, failed.id).state == "pending", "queued by the request"
    jobs.deliver_outbox(app)
    with db.new_session(app) as session:
        again = session.get(Delivery, failed.id)
        assert again.state == "sent" and again.attempts == 2
    assert [m["To"] for m in messages(handler)] == ["reader@example.com"]
    assert audit_log()[-1][1:] == ("delivery.retry", str(failed.id))


WORDING_URL = "/admin/digests/wording"


def wording_post(client, token, **fields):
    return client.post(WORDING_URL, data={"csrf_token": token, "subject": "", "intro": "", "item_template": "",
                                          "language": "en", **fields})


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}", "{{ config }}", "{% for x in %}", "{{ count + 'x' }}",
    "{{ cycler.__init__.__globals__ }}", "x" * 2001,
])
def test_bad_wording_is_refused_and_not_saved(app, signed_in, csrf, source, audit_log):
    response = wording_post(signed_in, csrf(WORDING_URL), subject=source, action="save")
    assert response.status_code == 400
    doc = lxml_html.fromstring(response.data)
    assert doc.cssselect("div.problems li") or doc.cssselect("p.error")
    assert not doc.cssselect("iframe.mail-preview")
    with db.new_session(app) as session:
        assert session.get(Setting, "digest_wording") is None
    assert "digest.wording" not in [a for _, a, _ in audit_log()]


def test_wording_preview_then_save_is_used_by_digests(app, signed_in, csrf, news, audit_log):
    token = csrf(WORDING_URL)
    preview = wording_post(signed_in, token, subject="{{ count }} stories from {{ site_name }}",
                           item_template="{{ title|upper }}: {{ summary }}", action="preview")
    assert preview.status_code == 200
    doc = lxml_html.fromstring(preview.data)
    assert doc.cssselect("p.subject")[0].text_content() == "2 stories from 测试站 Test Site"
    with db.new_session(app) as session:
        assert load_wording(session) is None, "a preview saves nothing"
    saved = wording_post(signed_in, token, subject="{{ count }} stories from {{ site_name }}", action="save")
    assert saved.status_code == 302
    with db.new_session(app) as session:
        stored = load_wording(session)
        assert stored.subject == "{{ count }} stories from {{ site_name }}" and stored.intro is None
    digest = lxml_html.fromstring(signed_in.get("/admin/digests").data)
    assert digest.cssselect("dd.subject")[0].text_content() == "2 stories from 测试站 Test Site"
    assert audit_log()[-1][1] == "digest.wording"
    wording_post(signed_in, token, action="reset")
    with db.new_session(app) as session:
        assert load_wording(session).subject is None
