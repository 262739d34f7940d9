"""Subscribers and digests end to end, against a real SMTP server on loopback."""
from __future__ import annotations

import email
import email.policy
import re
import statistics
import time
from datetime import datetime, timedelta, timezone

import pytest
from lxml import html as lxml_html
from sqlalchemy import select, update

from feedsvc import db, jobs
from feedsvc.models import Article, Delivery, Edition, Subscriber
from feedsvc.signing import make_token
from feedsvc.services import outbox
from feedsvc.services.digests import build_due
from pages import csrf_from

BASE = "https://feeds.example.org"
# 2026-11-21 00:30 UTC is 08:30 in Shanghai and 19:30 (the day before) in New York.
NOW = datetime(2026, 11, 21, 0, 30, tzinfo=timezone.utc)
ADDED = NOW - timedelta(hours=3)


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test"
    return app


def received(handler):
    """Every message the server accepted, parsed, each checked for defects."""
    messages = []
    for item in handler.received:
        msg = email.message_from_bytes(item.content, policy=email.policy.default)
        for part in msg.walk():
            assert not part.defects, (part.get_content_type(), part.defects)
        messages.append(msg)
    return messages


def text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def html_of(msg) -> str:
    return msg.get_body(("html",)).get_content()


def link(text: str, path: str) -> str:
    return re.search(rf"{re.escape(BASE)}/{path}/[\w.-]+", text).group(0)


@pytest.fixture
def news(app, add_article):
    """A Chinese and an English article, added three hours before NOW."""
    add_article(title="新图书馆周六开放", text="市图书馆新馆于本周六正式向公众开放，首批上架图书约四十万册。",
                source_name="滨海晚报", category="城市", original_url="https://news.example.cn/city/1.html",
                lang="zh", published=ADDED)
    add_article(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday after repairs.",
                source_name="Bay Courier", category="Transport", original_url="https://www.example.org/ferry",
                lang="en", published=ADDED - timedelta(hours=1))
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).values(added_at=ADDED))


def subscriber(app, email_addr) -> Subscriber:
    with db.new_session(app) as session:
        return session.scalar(select(Subscriber).where(Subscriber.email == email_addr))


def test_subscribe_confirm_digest_unsubscribe(app, client, handler, news):
    response = client.post("/api/subscribe", json={
        "email": "Reader@Example.com", "delivery_hour": 8, "timezone": "Asia/Shanghai", "language": "zh-CN",
    })
    assert response.status_code == 202
    assert handler.received == [], "the worker sends the confirmation, not the request"
    jobs.deliver_outbox(app)
    [confirmation] = received(handler)
    assert confirmation["To"] == "reader@example.com"
    assert confirmation["Subject"].startswith("请确认订阅")
    assert "List-Unsubscribe" not in confirmation
    confirm_url = link(text_of(confirmation), "confirm")

    # Nothing but the confirmation goes to an unconfirmed address.
    build_due(app, now=NOW)
    outbox.run_delivery(app, now=lambda: NOW)
    assert len(handler.received) == 1

    path = confirm_url.removeprefix(BASE)
    assert subscriber(app, "reader@example.com").state == "pending", "a GET (a mail scanner) confirms nothing"
    page = client.post(path, data={"csrf_token": csrf_from(client, path)})
    assert page.status_code == 200 and subscriber(app, "reader@example.com").state == "confirmed"

    build_due(app, now=NOW)
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert report.sent == 1
    digest = received(handler)[1]
    assert digest["Subject"].startswith(outbox.mail_settings(app).site_name)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Id"] == "<daily.feeds.example.org>"
    assert digest["Message-ID"].endswith("@feeds.example.org>")
    assert digest.get_content_type() == "multipart/alternative"
    text, html = text_of(digest), html_of(digest)
    for needle in ("新图书馆周六开放", "Harbour ferry returns", "https://news.example.cn/city/1.html",
                   "https://www.example.org/ferry", "阅读原文", "滨海晚报"):
        assert needle in text and needle in html
    assert f"{BASE}/articles/" in text
    assert text.index("新图书馆周六开放") < text.index("Harbour ferry returns"), "newest first"

    # RFC 8058 one-click: a POST from the mail provider, no CSRF token, no confirmation page.
    unsubscribe = re.search(r"<(https://[^>]+)>", digest["List-Unsubscribe"]).group(1)
    one_click = client.post(unsubscribe.removeprefix(BASE), data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert subscriber(app, "reader@example.com").state == "unsubscribed"

    later = NOW + timedelta(days=1)
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).values(added_at=later - timedelta(hours=1)))
    build_due(app, now=later)
    outbox.run_delivery(app, now=lambda: later)
    assert len(handler.received) == 2, "nothing more after unsubscribing"


def test_answer_never_tells_whether_an_address_is_known(app, client, handler):
    first = client.post("/api/subscribe", json={"email": "known@example.com"})
    client.post("/api/subscribe", json={"email": "confirmed@example.com"})
    with db.new_session(app) as session, session.begin():
        session.execute(update(Subscriber).where(Subscriber.email == "confirmed@example.com")
                        .values(state="confirmed"))
    again = client.post("/api/subscribe", json={"email": "known@example.com"})
    confirmed = client.post("/api/subscribe", json={"email": "confirmed@example.com"})
    new = client.post("/api/subscribe", json={"email": "new@example.com"})
    answers = {(r.status_code, r.data) for r in (first, again, confirmed, new)}
    assert answers == {(202, first.data)}
    form_answers = set()
    for addr in ("known@example.com", "confirmed@example.com", "other@example.com"):
        token = csrf_from(client, "/subscribe")
        form_answers.add(client.post("/subscribe", data={"email": addr, "csrf_token": token}).data)
    assert len(form_answers) == 1


def test_bad_input_and_csrf(app, client):
    assert client.post("/subscribe", data={"email": "a@example.com"}).status_code == 400  # no CSRF token
    token = csrf_from(client, "/subscribe")
    bad = client.post("/subscribe", data={"email": "not-an-address", "csrf_token": token})
    assert bad.status_code == 400 and "请输入有效的邮箱地址" in bad.get_data(as_text=True)
    api = client.post("/api/subscribe", json={"email": "a@example.com", "timezone": "Mars/Base",
                                              "delivery_hour": 25, "topics": ["category:nope"]})
    assert api.status_code == 400
    assert set(api.get_json()["errors"]) == {"timezone", "delivery_hour", "topics"}
    # A form-encoded POST cannot reach the CSRF-exempt JSON endpoint.
    assert client.post("/api/subscribe", data={"email": "a@example.com"}).status_code == 400


def test_subscribe_is_rate_limited(app, client):
    app.config["SUBSCRIBE_RATE_PER_HOUR"] = 3
    codes = [client.post("/api/subscribe", json={"email": f"r{n}@example.com"}).status_code for n in range(5)]
    assert codes == [202, 202, 202, 429, 429]


def test_tokens_cannot_be_forged_or_replayed_elsewhere(app, client):
    for addr in ("a@example.com", "b@example.com"):
        client.post("/api/subscribe", json={"email": addr})
    a, b = subscriber(app, "a@example.com"), subscriber(app, "b@example.com")
    secret = app.config["SECRET_KEY"]
    good = make_token(secret, "unsubscribe", a.id, a.email)
    assert client.get(f"/unsubscribe/{good}").status_code == 200
    # Another purpose, another address, another key, a tampered token: all refused.
    assert client.get(f"/unsubscribe/{make_token(secret, 'preferences', a.id, a.email)}").status_code == 404
    assert client.post(f"/unsubscribe/{make_token(secret, 'unsubscribe', b.id, a.email)}").status_code == 404
    assert client.post(f"/unsubscribe/{make_token('other', 'unsubscribe', a.id, a.email)}").status_code == 404
    assert client.post(f"/unsubscribe/{good[:-2]}xx").status_code == 404
    assert subscriber(app, "b@example.com").state == "pending"


def test_confirm_link_expires(app, client, monkeypatch):
    client.post("/api/subscribe", json={"email": "late@example.com"})
    row = subscriber(app, "late@example.com")
    token = make_token(app.config["SECRET_KEY"], "confirm", row.id, row.email)
    app.config["CONFIRM_MAX_AGE_HOURS"] = -1
    assert client.get(f"/confirm/{token}").status_code == 404


def test_preferences_page_changes_choices(app, client, news):
    client.post("/api/subscribe", json={"email": "p@example.com"})
    row = subscriber(app, "p@example.com")
    url = f"/preferences/{make_token(app.config['SECRET_KEY'], 'preferences', row.id, row.email)}"
    page = client.get(url)
    assert page.status_code == 200 and "p@example.com" in page.get_data(as_text=True)
    saved = client.post(url, data={"csrf_token": csrf_from(client, url), "topics": ["category:城市"],
                                   "delivery_hour": "18", "timezone": "Europe/Berlin", "language": "en"})
    assert saved.status_code == 200
    row = subscriber(app, "p@example.com")
    assert (row.delivery_hour, row.timezone, row.language, row.topics) == (18, "Europe/Berlin", "en", '["category:城市"]')
    refused = client.post(url, data={"csrf_token": csrf_from(client, url), "timezone": "Nowhere/Else"})
    assert refused.status_code == 400 and subscriber(app, "p@example.com").timezone == "Europe/Berlin"


def confirmed(app, addr, **prefs):
    with db.new_session(app) as session, session.begin():
        session.add(Subscriber(email=addr, state="confirmed", bounce_count=0, topics=prefs.pop("topics", "[]"),
                               timezone=prefs.pop("timezone", "Asia/Shanghai"),
                               delivery_hour=prefs.pop("delivery_hour", 7),
                               language=prefs.pop("language", "zh-CN"), **prefs))


def test_time_zones_decide_who_is_due(app, handler, news):
    confirmed(app, "shanghai@example.com", timezone="Asia/Shanghai", delivery_hour=8)   # 08:30 local: due
    confirmed(app, "newyork@example.com", timezone="America/New_York", delivery_hour=20)  # 19:30: not yet
    report = build_due(app, now=NOW)
    assert (report.created, report.not_due) == (1, 1)
    outbox.run_delivery(app, now=lambda: NOW)
    assert [m["To"] for m in received(handler)] == ["shanghai@example.com"]
    with db.new_session(app) as session:
        edition = session.scalar(select(Edition))
        assert str(edition.edition_date) == "2026-11-21"
    later = NOW + timedelta(minutes=40)  # 20:10 in New York, still 20 November there
    assert build_due(app, now=later).created == 1
    with db.new_session(app) as session:
        ny = session.scalar(select(Edition).join(Subscriber).where(Subscriber.email == "newyork@example.com"))
        assert str(ny.edition_date) == "2026-11-20"


def test_topics_filter_and_english_template(app, handler, news):
    confirmed(app, "transport@example.com", topics='["category:transport"]', language="en",
              timezone="Europe/London", delivery_hour=0)
    build_due(app, now=NOW)
    outbox.run_delivery(app, now=lambda: NOW)
    [digest] = received(handler)
    text = text_of(digest)
    assert "Harbour ferry returns" in text and "新图书馆周六开放" not in text
    assert "Read the original" in text and "Unsubscribe" in text


def test_build_twice_sends_once(app, handler, news):
    confirmed(app, "once@example.com", delivery_hour=0)
    assert build_due(app, now=NOW).created == 1
    assert build_due(app, now=NOW + timedelta(hours=1)).existing == 1
    outbox.run_delivery(app, now=lambda: NOW)
    outbox.run_delivery(app, now=lambda: NOW)
    assert len(handler.received) == 1


def test_empty_day_sends_nothing_unless_configured(app, handler):
    confirmed(app, "quiet@example.com", delivery_hour=0)
    report = build_due(app, now=NOW)
    assert (report.created, report.empty) == (1, 1)
    outbox.run_delivery(app, now=lambda: NOW)
    assert handler.received == []
    app.config["DIGEST_SEND_EMPTY"] = True
    build_due(app, now=NOW + timedelta(days=1))
    outbox.run_delivery(app, now=lambda: NOW + timedelta(days=1))
    [empty] = received(handler)
    assert "本期没有新文章" in text_of(empty)


def test_digest_window_starts_at_the_last_digest(app, handler, news, add_article):
    confirmed(app, "daily@example.com", delivery_hour=0)
    build_due(app, now=NOW)
    add_article(title="Night market opens", text="Sixty stalls opened at the night market on Friday.")
    tomorrow = NOW + timedelta(days=1)
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).where(Article.title == "Night market opens")
                        .values(added_at=tomorrow - timedelta(hours=2)))
    build_due(app, now=tomorrow)
    outbox.run_delivery(app, now=lambda: tomorrow)
    # The two editions go over two connections at once: in either order.
    first, second = sorted((text_of(msg) for msg in received(handler)), key=lambda text: "Night market" in text)
    assert "新图书馆周六开放" in first
    assert "Night market opens" in second and "新图书馆周六开放" not in second


def test_hostile_article_never_reaches_a_mail(app, handler, add_article):
    add_article(title='<script>alert(1)</script>Hi" onmouseover="x', text="Body text of a hostile story.",
                html='<p onclick="steal()">x<script>alert(2)</script><img src=x onerror=alert(3)></p>',
                summary='<iframe src="https://evil.example"></iframe> summary',
                original_url="javascript:alert(4)")
    with db.new_session(app) as session, session.begin():
        session.execute(update(Article).values(added_at=ADDED))
    confirmed(app, "safe@example.com", delivery_hour=0)
    build_due(app, now=NOW)
    outbox.run_delivery(app, now=lambda: NOW)
    [digest] = received(handler)
    doc = lxml_html.fromstring(html_of(digest))
    assert not doc.xpath("//script | //iframe | //img[@onerror]")
    assert not doc.xpath("//@*[starts-with(name(), 'on')]")
    assert not [h for h in doc.xpath("//@href") if "javascript:" in h.lower()]
    assert "javascript:" not in text_of(digest)


def test_confirmed_digest_is_not_sent_after_unsubscribe_before_delivery(app, client, handler, news):
    confirmed(app, "late@example.com", delivery_hour=0)
    build_due(app, now=NOW)
    row = subscriber(app, "late@example.com")
    client.post(f"/unsubscribe/{make_token(app.config['SECRET_KEY'], 'unsubscribe', row.id, row.email)}")
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert handler.received == [] and report.sent == 0
    with db.new_session(app) as session:
        assert session.scalar(select(Delivery.state)) == "cancelled"


def test_subscribe_queues_the_confirmation_for_the_worker(app, client, handler):
    """Issue 14, defect 3: a new address no longer waits for its mail inside the request."""
    handler.delay = 0.3  # a slow mail server: inside a request it would show in the timing
    confirmed(app, "known@example.com")

    def seconds(address: str) -> float:
        started = time.perf_counter()
        assert client.post("/api/subscribe", json={"email": address}).status_code == 202
        return time.perf_counter() - started

    known = [seconds("known@example.com") for _ in range(5)]
    new = [seconds(f"new{n}@example.com") for n in range(5)]
    assert statistics.median(new) < statistics.median(known) + 0.1, (known, new)
    assert handler.received == [], "nothing is sent inside the request"
    with db.new_session(app) as session:
        assert sorted(session.scalars(select(Delivery.to_addr).where(Delivery.state == "pending"))) == [
            f"new{n}@example.com" for n in range(5)]
        # The confirmed address is written the same row, cancelled at once (3: the hourly limit).
        assert list(session.scalars(select(Delivery.to_addr).where(Delivery.state == "cancelled"))) == [
            "known@example.com"] * 3
    assert jobs.deliver_outbox(app).startswith("5 sent")
    assert sorted(m.rcpt_tos[0] for m in handler.received) == [f"new{n}@example.com" for n in range(5)]


def test_a_confirmation_link_used_after_unsubscribing_subscribes_nobody(app, client, handler):
    """Issue 14: consent withdrawn is final until the address subscribes anew."""
    client.post("/api/subscribe", json={"email": "gone@example.com"})
    row = subscriber(app, "gone@example.com")
    secret = app.config["SECRET_KEY"]
    confirm = f"/confirm/{make_token(secret, 'confirm', row.id, row.email)}"
    client.post(f"/unsubscribe/{make_token(secret, 'unsubscribe', row.id, row.email)}")
    page = client.get(confirm)
    assert page.status_code == 200 and not lxml_html.fromstring(page.data).xpath("//form[@method='post']")
    answer = client.post(confirm, data={"csrf_token": csrf_from(client, "/subscribe")})
    assert answer.status_code == 200 and "订阅已确认" not in answer.get_data(as_text=True)
    assert subscriber(app, "gone@example.com").state == "unsubscribed"
    # Subscribing anew asks again, and that confirmation works.
    client.post("/api/subscribe", json={"email": "gone@example.com"})
    assert subscriber(app, "gone@example.com").state == "pending"
    client.post(confirm, data={"csrf_token": csrf_from(client, "/subscribe")})
    assert subscriber(app, "gone@example.com").state == "confirmed"
