"""Subscribing, confirming, unsubscribing and importing subscribers, for pages, admin and CLI alike.

Each use case here ends the caller's transaction: a confirmation mail is queued in the
outbox with the change that made it due, committed with it, and then tried at once; if
that fails it stays in the outbox for the worker.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask
from sqlalchemy.orm import Session

from .. import ratelimit, subscribers
from ..models import Delivery, Subscriber
from ..subscribers import CsvReport, Preferences
from .outbox import deliver_now, mail_domain


def default_preferences(app: Flask) -> Preferences:
    """What a subscriber gets when they choose nothing."""
    config = app.config
    return Preferences(delivery_hour=config["DIGEST_DEFAULT_HOUR"], timezone=config["TIMEZONE"],
                       language=config["DIGEST_DEFAULT_LANGUAGE"])


def subscribe(app: Flask, session: Session, email: str, prefs: Preferences, *, confirmed: bool = False,
              confirm_limit: int | None = None) -> Subscriber:
    """Add or re-activate an address, queue its confirmation mail, commit, and send that mail now.

    ``confirm_limit``: at most this many confirmation mails an hour to one address, so an
    anonymous form cannot flood an inbox from many client addresses. Raises ValueError for
    an address that is not one.
    """
    row, needs_mail = subscribers.subscribe(session, email, prefs, confirmed=confirmed)
    queued = []
    if needs_mail and (confirm_limit is None or ratelimit.hit(
            session, f"confirm:{row.email}", limit=confirm_limit, window_seconds=3600)):
        queued.append(subscribers.queue_confirmation(session, row, domain=mail_domain(app)))
    _commit_and_send(app, session, queued)
    return row


def resend_confirmation(app: Flask, session: Session, subscriber: Subscriber) -> None:
    """Queue the confirmation mail again, commit, and send it now."""
    queued = subscribers.queue_confirmation(session, subscriber, domain=mail_domain(app))
    _commit_and_send(app, session, [queued])


def confirm(session: Session, subscriber: Subscriber) -> None:
    """Confirm a pending subscriber (the link in the confirmation mail was followed), and commit."""
    subscribers.confirm(session, subscriber)
    session.commit()


def unsubscribe(session: Session, subscriber: Subscriber) -> None:
    """Stop all mail to the subscriber, drop digests not yet sent, and commit."""
    subscribers.unsubscribe(session, subscriber)
    session.commit()


def import_subscribers(app: Flask, session: Session, text: str, *, confirmed: bool = False,
                       record: Callable[[CsvReport], None] | None = None) -> CsvReport:
    """Add the valid rows of a CSV, queue their confirmation mails, commit, and send them now.

    ``record`` is called before the commit (the admin's audit entry), so the rows, their
    mails and the record are stored together or not at all.
    """
    report, to_confirm = subscribers.import_csv(session, text, default_preferences(app),
                                                confirmed=confirmed)
    queued = [subscribers.queue_confirmation(session, row, domain=mail_domain(app)) for row in to_confirm]
    if record is not None:
        record(report)
    _commit_and_send(app, session, queued)
    return report


def _commit_and_send(app: Flask, session: Session, queued: list[Delivery]) -> None:
    session.flush()
    ids = [delivery.id for delivery in queued]
    session.commit()
    if ids:
        deliver_now(app, ids)
