"""The subscription use cases, called as views, commands and the admin call them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from feedsvc import db, jobs
from feedsvc.models import AuditEntry, Delivery, Subscriber
from feedsvc.services import subscriptions


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test"
    return app


def count(app, model, *where):
    with db.new_session(app) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_defaults_come_from_the_configuration(app):
    app.config.update(DIGEST_DEFAULT_HOUR=9, TIMEZONE="Europe/Berlin", DIGEST_DEFAULT_LANGUAGE="en")
    prefs = subscriptions.default_preferences(app)
    assert (prefs.delivery_hour, prefs.timezone, prefs.language, prefs.topics) == (9, "Europe/Berlin", "en", ())


def test_subscribe_commits_and_queues_the_confirmation(app, handler):
    with db.new_session(app) as session:
        row = subscriptions.subscribe(app, session, "Reader@Example.com", subscriptions.default_preferences(app))
        assert not session.in_transaction(), "the use case ends the caller's transaction"
    assert (row.email, row.state) == ("reader@example.com", "pending")
    assert handler.received == [] and count(app, Delivery, Delivery.state == "pending") == 1
    jobs.deliver_outbox(app)
    assert [m.rcpt_tos for m in handler.received] == [["reader@example.com"]]
    assert count(app, Delivery, Delivery.state == "sent") == 1


def test_confirmation_mails_per_address_are_limited(app, handler):
    for _ in range(3):
        with db.new_session(app) as session:
            subscriptions.subscribe(app, session, "a@example.com", subscriptions.default_preferences(app),
                                    confirm_limit=2)
    jobs.deliver_outbox(app)
    assert len(handler.received) == 2 and count(app, Subscriber) == 1


def test_import_records_inside_the_transaction(app, handler):
    recorded = []

    def record(report):
        recorded.append((report.added, len(report.errors)))
        session.add(AuditEntry(actor="test", action="subscribers.import"))

    with db.new_session(app) as session:
        report = subscriptions.import_subscribers(app, session, "email\none@example.com\nbroken\n",
                                                  record=record)
    assert recorded == [(1, 1)] and report.errors[0][0] == 3
    jobs.deliver_outbox(app)
    assert count(app, AuditEntry) == 1 and len(handler.received) == 1
