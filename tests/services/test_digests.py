"""Digest previews and test sends, as the admin and the CLI both use them."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from feedsvc import db
from feedsvc.digest.operator_wording import save_wording
from feedsvc.digest.wording import DigestWording
from feedsvc.models import Delivery
from feedsvc.services import outbox
from feedsvc.services.digests import preview_digest, send_test, stand_in_reader

NOW = datetime(2026, 11, 21, 0, 30, tzinfo=timezone.utc)


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test"
    return app


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def test_preview_is_the_digest_as_built_in_the_operators_wording(app, add_article):
    add_article(title="Harbour ferry returns", published=NOW, lang="en")
    with db.new_session(app) as session, session.begin():
        save_wording(session, DigestWording(subject="{{ count }} stories", intro=None, item_template=None))
    with db.new_session(app) as session:
        data, count = preview_digest(app, session, stand_in_reader(app, "en"), now=NOW)
    msg = parsed(data)
    assert count == 0 and msg["Subject"] == "0 stories", "added now, so not in a digest of NOW"
    with db.new_session(app) as session:
        data, count = preview_digest(app, session, stand_in_reader(app, "en"), now=datetime.now(timezone.utc))
    assert count == 1 and parsed(data)["Subject"] == "1 stories"


def test_preview_is_dated_as_the_readers_edition(app):
    # NOW is 21 November in Shanghai and still 20 November in New York.
    reader = stand_in_reader(app, "en")
    with db.new_session(app) as session:
        shanghai = parsed(preview_digest(app, session, reader, now=NOW)[0])["Subject"]
        reader.timezone = "America/New_York"
        new_york = parsed(preview_digest(app, session, reader, now=NOW)[0])["Subject"]
        chosen = parsed(preview_digest(app, session, reader, now=NOW, day=date(2026, 1, 2))[0])["Subject"]
    assert "Nov 21, 2026" in shanghai and "Nov 20, 2026" in new_york and "Jan 2, 2026" in chosen


def test_a_date_only_article_shows_its_day_alone_in_the_digest(app, add_article):
    add_article(title="Harbour ferry returns", published=date(2026, 11, 21), lang="en")
    reader = stand_in_reader(app, "en")
    reader.timezone = "America/New_York"  # where midnight in Shanghai is 11:00 the day before
    with db.new_session(app) as session:
        data, count = preview_digest(app, session, reader, now=datetime.now(timezone.utc))
    # Without the links: their signed tokens are random letters, "AM" among them now and then.
    text = re.sub(r"https?://\S+", "", parsed(data).get_body(("plain",)).get_content())
    assert count == 1 and "Nov 21, 2026" in text
    assert "Nov 20" not in text and "AM" not in text and "00:00" not in text


def test_test_send_goes_through_the_outbox(app, handler, add_article):
    add_article(title="Harbour ferry returns", lang="en")
    with db.new_session(app) as session:
        row = send_test(app, session, stand_in_reader(app, "en"), "editor@example.com")
    assert (row.kind, row.state, row.attempts) == ("test", "sent", 1)
    [received] = handler.received
    assert received.content.replace(b"\r\n", b"\n") == row.raw_message.replace(b"\r\n", b"\n")


def test_a_test_send_the_server_defers_stays_in_the_outbox(app, handler, add_article):
    add_article(title="Harbour ferry returns", lang="en")
    server = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = "smtp://127.0.0.1:9?timeout=1"  # nothing listens on the discard port
    with db.new_session(app) as session:
        row = send_test(app, session, stand_in_reader(app, "en"), "editor@example.com")
    assert row.state == "pending" and row.last_error
    app.config["MAIL_URL"] = server
    with db.new_session(app) as session, session.begin():
        session.get(Delivery, row.id).next_attempt_at = row.created_at  # due again now
    assert outbox.run_delivery(app).sent == 1
    assert parsed(handler.received[0].content)["Message-ID"] == row.message_id


def test_a_weekly_readers_preview_and_test_send_are_their_weekly_edition(app, handler, add_article):
    """Issue 12: the week's articles (a new weekly reader's first window) under the weekly subject."""
    add_article(title="Harbour ferry returns", lang="en")
    reader = stand_in_reader(app, "en")
    reader.frequency, reader.weekday = "weekly", 3
    with db.new_session(app) as session:
        data, count = preview_digest(app, session, reader, now=datetime.now(timezone.utc) + timedelta(days=5))
        row = send_test(app, session, reader, "editor@example.com")
    assert count == 1 and "Weekly digest" in parsed(data)["Subject"], "five days later, still in the week"
    [received] = handler.received
    assert "Weekly digest" in parsed(received.content)["Subject"] and row.state == "sent"
