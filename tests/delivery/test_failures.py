"""What the outbox does when the SMTP server refuses, is down, or hangs."""
from __future__ import annotations

import email
import random
import socket
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from feedsvc import db
from feedsvc.mail.outbox import OutboxSettings, backoff_seconds
from feedsvc.models import Delivery, Subscriber
from feedsvc.services import outbox
from feedsvc.services.digests import build_due

from .conftest import NOW


def states(app) -> Counter:
    with db.new_session(app) as session:
        return Counter(session.scalars(select(Delivery.state)))


def message_ids(handler) -> Counter:
    return Counter(email.message_from_bytes(r.content)["Message-ID"] for r in handler.received)


def test_smtp_down_then_up_loses_and_doubles_nothing(app, handler, populate, smtp_server):
    n = populate(20)
    build_due(app, now=NOW)
    up = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = "smtp://127.0.0.1:9?timeout=1"  # nothing listens: refused
    for minute in range(3):
        report = outbox.run_delivery(app, now=lambda: NOW + timedelta(minutes=minute))
        assert report.sent == 0 and report.stopped
    assert states(app) == Counter(pending=n)
    app.config["MAIL_URL"] = up
    # An hour later every retry is due; nothing is lost and nothing goes twice.
    report = outbox.run_delivery(app, now=lambda: NOW + timedelta(hours=1))
    assert report.sent == n and states(app) == Counter(sent=n)
    ids = message_ids(handler)
    assert len(ids) == n and set(ids.values()) == {1}


def test_4xx_is_retried_with_backoff_then_delivered(app, handler, populate):
    populate(1)
    build_due(app, now=NOW)
    handler.rcpt_replies["reader0@example.com"] = "450 4.2.1 Mailbox busy"
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert (report.sent, report.retrying) == (0, 1) and not report.stopped
    with db.new_session(app) as session:
        row = session.scalar(select(Delivery))
        assert row.state == "pending" and row.attempts == 1 and "450" in row.last_error
        assert NOW + timedelta(seconds=30) <= row.next_attempt_at <= NOW + timedelta(seconds=60)
    assert outbox.run_delivery(app, now=lambda: NOW + timedelta(seconds=10)).sent == 0, "not due yet"
    handler.rcpt_replies.clear()
    assert outbox.run_delivery(app, now=lambda: NOW + timedelta(minutes=2)).sent == 1
    assert len(handler.received) == 1


def test_421_stops_the_run_and_keeps_the_rest(app, handler, populate):
    app.config["MAIL_CONNECTIONS"] = 1  # the one message on the wire is the one that met it
    populate(5)
    build_due(app, now=NOW)
    handler.rcpt_replies["reader0@example.com"] = "421 4.3.2 Service shutting down"
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert report.stopped and report.sent == 0
    assert states(app) == Counter(pending=5)
    with db.new_session(app) as session:
        attempts = sorted(session.scalars(select(Delivery.attempts)))
    assert attempts == [0, 0, 0, 0, 1], "only the message that met the 421 used an attempt"


def test_a_relay_refusing_our_sender_stops_the_run_and_bounces_nobody(app, handler, populate):
    # Every message would meet the same refusal: none counts against its reader (issue 12).
    populate(3)
    build_due(app, now=NOW)
    handler.mail_reply = "553 5.7.1 Sender address rejected: not owned by user"
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert report.stopped and "553" in report.stopped and report.failed == 0
    assert states(app) == Counter(pending=3)
    with db.new_session(app) as session:
        assert set(session.scalars(select(Subscriber.state))) == {"confirmed"}
        assert set(session.scalars(select(Subscriber.bounce_count))) == {0}


def test_5xx_fails_and_bounces_the_address(app, handler, populate):
    populate(2)
    build_due(app, now=NOW)
    handler.rcpt_replies["reader1@example.com"] = "550 5.1.1 No such user"
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert (report.sent, report.failed) == (1, 1)
    with db.new_session(app) as session:
        bounced = session.scalar(select(Subscriber).where(Subscriber.email == "reader1@example.com"))
        assert bounced.state == "bounced" and bounced.bounce_count == 1
    # The next day's build skips the bounced address.
    tomorrow = NOW + timedelta(days=1)
    report = build_due(app, now=tomorrow)
    assert report.created == 1


def test_gives_up_after_max_attempts(app, handler, populate):
    populate(1)
    app.config["DELIVERY_MAX_ATTEMPTS"] = 3
    build_due(app, now=NOW)
    handler.rcpt_replies["reader0@example.com"] = "452 4.2.2 Mailbox full"
    for hour in range(4):
        outbox.run_delivery(app, now=lambda: NOW + timedelta(hours=6 * hour + 6))
    with db.new_session(app) as session:
        row = session.scalar(select(Delivery))
        assert (row.state, row.attempts) == ("failed", 3)


@pytest.fixture
def hanging_server():
    """Accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted, stop = [], threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_server_hanging_past_the_timeout_is_a_retry(app, populate, hanging_server):
    populate(3)
    build_due(app, now=NOW)
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{hanging_server}?timeout=0.5"
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert report.stopped and report.sent == 0
    assert states(app) == Counter(pending=3)


def test_lease_expiry_resends_a_message_left_sending(app, handler, populate):
    populate(2)
    build_due(app, now=NOW)
    with db.new_session(app) as session, session.begin():
        # As a worker killed mid-send leaves it: claimed, no proof of acceptance.
        row = session.scalar(select(Delivery).order_by(Delivery.id))
        row.state, row.lease_until = "sending", NOW + timedelta(seconds=300)
    assert outbox.run_delivery(app, now=lambda: NOW).sent == 1, "the claimed one waits for its lease"
    assert outbox.run_delivery(app, now=lambda: NOW + timedelta(seconds=301)).sent == 1
    assert states(app) == Counter(sent=2)


def test_backoff_grows_with_jitter_and_a_cap():
    s = OutboxSettings(envelope_from="a@b.example", retry_base_seconds=60, retry_cap_seconds=3600)
    rng = random.Random(1)
    delays = [backoff_seconds(n, s, rng) for n in range(1, 10)]
    assert 30 <= delays[0] <= 60 and 60 <= delays[1] <= 120 and 120 <= delays[2] <= 240
    assert all(1800 <= d <= 3600 for d in delays[6:])
    assert len({round(backoff_seconds(3, s, random.Random(seed))) for seed in range(20)}) > 10


def test_rate_limit_is_shared_through_the_database(app):
    app.config["MAIL_RATE_PER_SECOND"] = 2
    slept, clock = [], [1000.0]

    def fake_sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    throttle = outbox.make_throttle(app, sleep=fake_sleep, clock=lambda: clock[0])
    other_worker = outbox.make_throttle(app, sleep=fake_sleep, clock=lambda: clock[0])
    throttle(), other_worker()
    assert slept == []
    throttle()  # the third message in the same second waits for the next one
    assert len(slept) == 1 and 0 < slept[0] <= 1.001


def test_claim_takes_at_most_the_batch_and_never_twice(app, populate):
    from feedsvc.mail.outbox import claim

    populate(30)
    build_due(app, now=NOW)
    with db.new_session(app) as session, session.begin():
        first = claim(session, NOW, 300, 10)
    with db.new_session(app) as session, session.begin():
        second = claim(session, NOW, 300, 100)
    assert len(first) == 10 and len(second) == 20 and not set(first) & set(second)


def test_claims_take_expired_leases_first_then_pending_in_order(app, populate):
    from feedsvc.mail.outbox import claim

    populate(8)
    build_due(app, now=NOW)
    with db.new_session(app) as session, session.begin():
        ids = list(session.scalars(select(Delivery.id).order_by(Delivery.id)))
        # A dead worker's claim whose lease ran out, high in the outbox.
        row = session.get(Delivery, ids[6])
        row.state, row.lease_until = "sending", NOW - timedelta(seconds=1)
    with db.new_session(app) as session, session.begin():
        first = claim(session, NOW, 300, 3)
    assert [c.id for c in first] == [ids[6], ids[0], ids[1]]
    after = {c.state: c.id for c in first}
    with db.new_session(app) as session, session.begin():
        rest = claim(session, NOW, 300, 10, after=after)
    assert [c.id for c in rest] == [ids[2], ids[3], ids[4], ids[5], ids[7]]


def test_concurrent_claims_skip_each_others_rows_and_lose_none(app, populate):
    from feedsvc.mail.outbox import claim

    if db.get_engine(app).dialect.name != "postgresql":
        pytest.skip("SQLite runs one claim at a time (BEGIN IMMEDIATE)")
    populate(12)
    build_due(app, now=NOW)
    with db.new_session(app) as session, session.begin():
        row = session.scalars(select(Delivery).order_by(Delivery.id)).all()[1]
        row.state, row.lease_until = "sending", NOW - timedelta(seconds=1)  # a dead worker's
    with db.new_session(app) as first, first.begin():
        held = claim(first, NOW, 300, 4)  # its rows stay locked until this block ends
        with db.new_session(app) as second, second.begin():
            other = claim(second, NOW, 300, 4)
    assert not {c.id for c in held} & {c.id for c in other}
    # The next claim starts above what these reached: a row one of them had locked without
    # claiming it would be lost to the run.
    after = {}
    for c in held + other:
        after[c.state] = max(after.get(c.state, 0), c.id)
    with db.new_session(app) as session, session.begin():
        rest = claim(session, NOW, 300, 100, after=after)
    assert sorted(c.id for c in held + other + rest) == sorted(set(c.id for c in held + other + rest))
    assert len(held) + len(other) + len(rest) == 12


@pytest.mark.parametrize("bad", [0, 1], ids=["first-of-its-group", "built-ahead"])
def test_a_message_that_cannot_be_built_fails_alone(app, handler, populate, bad):
    # The second reader's message is built while the server decides on the first one's.
    app.config["MAIL_CONNECTIONS"] = 1
    n = populate(3)
    with db.new_session(app) as session, session.begin():
        session.execute(update(Subscriber).where(Subscriber.email == f"reader{bad}@example.com")
                        .values(email=f"reader{bad}\x07@example.com"))
    build_due(app, now=NOW)
    report = outbox.run_delivery(app, now=lambda: NOW)
    assert (report.sent, report.failed, report.retrying) == (n - 1, 1, 0)
    assert [r.rcpt_tos for r in handler.received] == [[f"reader{k}@example.com"] for k in range(n) if k != bad]
    with db.new_session(app) as session:
        failed = session.execute(select(Delivery.to_addr, Delivery.last_error)
                                 .where(Delivery.state == "failed")).one()
    assert failed.to_addr == f"reader{bad}\x07@example.com"
    assert failed.last_error.startswith("cannot build message")
