"""Late bounces and complaints in the admin (issue 12): the subscriber's history, the delivery
log per message, and the dashboard's count of the last 7 days.

The rows are written as ``feedsvc bounces scan`` writes them (tests/mail/test_returned.py reads
real DSNs and ARF reports into them); here only what the pages make of them is checked.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import html as lxml_html

from feedsvc import db
from feedsvc.mail_models import ReturnedMail, ReturnKind
from feedsvc.models import Delivery, Subscriber, utcnow

ADDRESS = "reader@example.com"


@pytest.fixture
def returned(app):
    """A subscriber with two digests: one bounced (transient, then permanent), one complained of;
    an old complaint (10 days) whose message was pruned. Returns the subscriber's and messages' ids."""
    now = utcnow()
    with db.new_session(app) as session, session.begin():
        reader = Subscriber(email=ADDRESS, state="confirmed", timezone="Asia/Shanghai", language="zh-CN",
                            delivery_hour=7, topics="[]", bounce_count=1)
        bounced, complained = (Delivery(kind="digest", subscriber=reader, to_addr=ADDRESS, state="sent",
                                        message_id=f"<{n}@feeds.example.org>", sent_at=now) for n in (1, 2))
        session.add_all([reader, bounced, complained])
        session.flush()
        common = {"subscriber_id": reader.id, "recipient": ADDRESS, "matched_by": "verp"}
        session.add_all([
            ReturnedMail(kind=ReturnKind.TRANSIENT, delivery_id=bounced.id, status="4.2.2",
                         diagnostic="452 4.2.2 Mailbox full", received_at=now - timedelta(hours=5), **common),
            ReturnedMail(kind=ReturnKind.BOUNCE, delivery_id=bounced.id, status="5.1.1",
                         diagnostic="550 5.1.1 User unknown", received_at=now - timedelta(hours=1), **common),
            ReturnedMail(kind=ReturnKind.COMPLAINT, delivery_id=complained.id,
                         diagnostic="Feedback-Type: abuse (MailboxFBL/2.1)", received_at=now, **common),
            ReturnedMail(kind=ReturnKind.COMPLAINT, delivery_id=None, diagnostic="Feedback-Type: other",
                         received_at=now - timedelta(days=10), **common),
        ])
        return reader.id, bounced.id, complained.id


def returned_cells(doc) -> dict[str, str]:
    """Delivery id -> the text of its row's returned-mail cell in a delivery log."""
    return {row.cssselect("td")[0].text_content(): row.cssselect("td.returned")[0].text_content()
            for row in doc.cssselect("table.deliveries tbody tr")}


def test_the_subscriber_history_shows_each_bounce_and_complaint(app, signed_in, returned):
    sid, bounced, complained = returned
    doc = lxml_html.fromstring(signed_in.get(f"/admin/subscribers/{sid}").data)
    rows = [[td.text_content().strip() for td in tr.cssselect("td")]
            for tr in doc.cssselect("table.returned-mail tbody tr")]
    # Newest first: kind, status code, the server's words or the complaint's reason, the message.
    assert [row[1:] for row in rows] == [
        ["投诉", "", "Feedback-Type: abuse (MailboxFBL/2.1)", f"#{complained}"],
        ["永久退信", "5.1.1", "550 5.1.1 User unknown", f"#{bounced}"],
        ["暂时退信", "4.2.2", "452 4.2.2 Mailbox full", f"#{bounced}"],
        ["投诉", "", "Feedback-Type: other", "—"],  # its message was pruned; the history stays
    ]
    assert all(row[0] for row in rows), "each says when it came"
    cells = returned_cells(doc)
    assert "5.1.1" in cells[str(bounced)] and "4.2.2" in cells[str(bounced)]
    assert "Feedback-Type: abuse" in cells[str(complained)] and "5.1.1" not in cells[str(complained)]


def test_the_delivery_log_shows_what_came_back_per_message(app, signed_in, returned):
    _sid, bounced, complained = returned
    page = signed_in.get("/admin/digests?lang=en")
    cells = returned_cells(lxml_html.fromstring(page.data))
    assert "transient" in cells[str(bounced)] and "bounce 5.1.1" in cells[str(bounced)]
    assert "User unknown" in cells[str(bounced)]
    assert cells[str(complained)].startswith("complaint") and "MailboxFBL" in cells[str(complained)]


def test_the_dashboard_counts_the_last_7_days(app, signed_in, returned):
    doc = lxml_html.fromstring(signed_in.get("/admin/").data)
    [card] = doc.cssselect(".stat.returned")
    assert card.cssselect(".big")[0].text_content() == "3", "the complaint of 10 days ago is not counted"
    assert " ".join(card.cssselect(".meta")[0].text_content().split()) == "永久退信 1 · 暂时退信 1 · 投诉 1"


def test_nothing_returned_says_so(app, signed_in):
    with db.new_session(app) as session, session.begin():
        reader = Subscriber(email=ADDRESS, state="confirmed", timezone="UTC", language="en",
                            delivery_hour=7, topics="[]", bounce_count=0)
        session.add(reader)
        session.flush()
        sid = reader.id
    doc = lxml_html.fromstring(signed_in.get(f"/admin/subscribers/{sid}?lang=en").data)
    assert doc.cssselect("table.returned-mail tbody")[0].text_content().strip() == "Nothing came back."
    assert lxml_html.fromstring(signed_in.get("/admin/").data).cssselect(".stat.returned .big")[0].text == "0"
