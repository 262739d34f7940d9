"""Delivery over several SMTP connections at once (FEEDSVC_MAIL_CONNECTIONS, issue 11)."""
from __future__ import annotations

import email
from collections import Counter

import pytest
from sqlalchemy import select

from feedsvc import create_app, db
from feedsvc.models import Delivery, Subscriber
from feedsvc.services import outbox
from feedsvc.services.digests import build_due

from .conftest import NOW


def states(app) -> Counter:
    with db.new_session(app) as session:
        return Counter(session.scalars(select(Delivery.state)))


def message_ids(handler) -> Counter:
    return Counter(email.message_from_bytes(r.content)["Message-ID"] for r in handler.received)


def test_each_message_goes_once_over_several_connections(app, handler, populate):
    app.config["MAIL_CONNECTIONS"] = 4
    n = populate(60)
    build_due(app, now=NOW)
    handler.delay = 0.005
    handler.wait_for_connections = 4  # no message is accepted until all four are sending
    sent = []
    report = outbox.run_delivery(app, now=lambda: NOW, on_message=lambda mid, outcome: sent.append(mid))
    assert (report.sent, report.failed, report.retrying, report.stopped) == (n, 0, 0, None)
    assert handler.connections() == 4
    ids = message_ids(handler)
    assert len(ids) == n and set(ids.values()) == {1}
    assert sorted(sent) == sorted(set(sent)) and len(sent) == n, "on_message heard each message once"
    assert states(app) == Counter(sent=n)
    with db.new_session(app) as session:
        # What the hot path writes (on SQLite, on the driver's connection) is record_sent's row.
        rows = set(session.execute(select(Delivery.attempts, Delivery.sent_at, Delivery.lease_until,
                                          Delivery.last_error)))
        assert rows == {(1, NOW, None, None)}


def test_the_rate_limit_holds_over_several_connections(app, handler, populate):
    app.config.update(MAIL_CONNECTIONS=4, MAIL_RATE_PER_SECOND=3)
    n = populate(12)
    build_due(app, now=NOW)
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert report.sent == n and handler.connections() > 1
    ids = message_ids(handler)
    assert len(ids) == n and set(ids.values()) == {1}
    # 3 a second in windows of whole seconds: 12 messages take at least 4 windows, so the
    # last is accepted at least 2 s after the first (less the time a send takes after its
    # window opened). Unthrottled, the four connections send them within a few milliseconds.
    times = sorted(r.at for r in handler.received)
    assert times[-1] - times[0] >= 1.5


def test_a_backend_failure_stops_every_connection(app, handler, populate):
    # Every connection meets the same refusal of our sender: the run stops, nobody bounces,
    # and at most the message each connection had on the wire used an attempt.
    app.config["MAIL_CONNECTIONS"] = 4
    n = populate(40)
    build_due(app, now=NOW)
    handler.mail_reply = "553 5.7.1 Sender address rejected: not owned by user"
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert report.stopped and "553" in report.stopped
    assert (report.sent, report.failed) == (0, 0) and report.retrying <= 4
    assert states(app) == Counter(pending=n)
    with db.new_session(app) as session:
        assert sum(session.scalars(select(Delivery.attempts))) == report.retrying
        assert set(session.scalars(select(Subscriber.bounce_count))) == {0}


def test_a_421_on_one_connection_leaves_the_rest_for_later(app, handler, populate):
    app.config["MAIL_CONNECTIONS"] = 4
    n = populate(30)
    build_due(app, now=NOW)
    handler.delay = 0.01  # the others' messages are on the wire while the 421 comes
    handler.rcpt_replies["reader0@example.com"] = "421 4.3.2 Service shutting down"
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert report.stopped and report.retrying == 1 and report.sent <= n // 2
    # The other connections finish what they had on the wire and claim nothing more; what
    # was claimed and not sent is given back as never tried.
    assert states(app) == Counter(sent=report.sent, pending=n - report.sent)
    with db.new_session(app) as session:
        tried = Counter(session.execute(select(Delivery.state, Delivery.attempts)).all())
    assert tried == Counter({("sent", 1): report.sent, ("pending", 1): 1, ("pending", 0): n - report.sent - 1})
    ids = message_ids(handler)
    assert len(ids) == report.sent and set(ids.values()) <= {1}


@pytest.mark.parametrize("value", [0, -1, 13, "four", True])
def test_mail_connections_are_checked_at_start(instance_path, monkeypatch, value):
    monkeypatch.setenv("FEEDSVC_MAIL_CONNECTIONS", str(value).lower() if value is True else str(value))
    with pytest.raises(RuntimeError, match="FEEDSVC_MAIL_CONNECTIONS"):
        create_app()


def test_mail_connections_default_to_four(instance_path):
    assert create_app().config["MAIL_CONNECTIONS"] == 4


def test_a_batch_claimed_ahead_is_given_back_when_the_run_stops(app, handler, populate):
    # Batches of one: each message's DATA is on the wire when the next batch is claimed, and
    # the 421 that answers it stops the run with that batch claimed and unsent.
    app.config["MAIL_CONNECTIONS"] = 1
    n = populate(3)
    build_due(app, now=NOW)
    handler.data_reply = "421 4.3.2 Service shutting down"
    report = outbox.run_delivery(app, now=lambda: NOW, batch=1)
    assert report.stopped and (report.sent, report.retrying) == (0, 1)
    with db.new_session(app) as session:
        rows = Counter(session.execute(select(Delivery.state, Delivery.attempts, Delivery.lease_until)).all())
    assert rows == Counter({("pending", 1, None): 1, ("pending", 0, None): n - 1})
    assert handler.data_attempts == 1
