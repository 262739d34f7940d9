"""Subscribing, confirming, unsubscribing and importing subscribers, for pages, admin and CLI alike.

Each use case here ends the caller's transaction: a confirmation mail is queued in the
outbox with the change that made it due and committed with it; the worker sends it, as it
sends digests. Nothing here talks to a mail server: a subscribe request for a new address
waited for its mail, and its time told new addresses from known ones (issue 14).
"""
from __future__ import annotations

from typing import Callable

from flask import Flask
from sqlalchemy.orm import Session

from .. import ratelimit, subscribers
from ..models import Frequency, Subscriber
from ..subscribers import CsvReport, Preferences
from .outbox import mail_domain


def default_preferences(app: Flask) -> Preferences:
    """What a subscriber gets when they choose nothing: daily, and weekly on Mondays (ISO 1) if they switch."""
    config = app.config
    return Preferences(delivery_hour=config["DIGEST_DEFAULT_HOUR"], timezone=config["TIMEZONE"],
                       language=config["DIGEST_DEFAULT_LANGUAGE"], frequency=Frequency.DAILY, weekday=1)


def subscribe(app: Flask, session: Session, email: str, prefs: Preferences, *, confirmed: bool = False,
              confirm_limit: int | None = None) -> Subscriber:
    """Add or re-activate an address, queue its confirmation mail, and commit.

    ``confirm_limit`` (the anonymous form's path): at most this many confirmation mails an
    hour to one address, so the form cannot flood an inbox from many client addresses. On
    that path a confirmed address does the writes a new one does (its count, and an outbox
    row written cancelled), so the time of the answer does not tell them apart (issue 14).
    Raises ValueError for an address that is not one.
    """
    row, needs_mail = subscribers.subscribe(session, email, prefs, confirmed=confirmed)
    anonymous = confirm_limit is not None
    if anonymous and not ratelimit.hit(session, f"confirm:{row.email}", limit=confirm_limit, window_seconds=3600):
        needs_mail = anonymous = False
    if needs_mail or anonymous:
        subscribers.queue_confirmation(session, row, domain=mail_domain(app), not_needed=not needs_mail)
    session.commit()
    return row


def resend_confirmation(app: Flask, session: Session, subscriber: Subscriber) -> None:
    """Queue the confirmation mail again, and commit."""
    subscribers.queue_confirmation(session, subscriber, domain=mail_domain(app))
    session.commit()


def confirm(session: Session, subscriber: Subscriber) -> bool:
    """Confirm a pending subscriber (the link in the confirmation mail was followed), and commit.

    False when the address is not pending: it unsubscribed or bounced since the link was sent.
    """
    confirmed = subscribers.confirm(session, subscriber)
    session.commit()
    return confirmed


def unsubscribe(session: Session, subscriber: Subscriber) -> None:
    """Stop all mail to the subscriber, drop digests not yet sent, and commit."""
    subscribers.unsubscribe(session, subscriber)
    session.commit()


def import_subscribers(app: Flask, session: Session, text: str, *, confirmed: bool = False,
                       record: Callable[[CsvReport], None] | None = None) -> CsvReport:
    """Add the valid rows of a CSV, queue their confirmation mails, and commit.

    ``record`` is called before the commit (the admin's audit entry), so the rows, their
    mails and the record are stored together or not at all.
    """
    report, to_confirm = subscribers.import_csv(session, text, default_preferences(app),
                                                confirmed=confirmed)
    for row in to_confirm:
        subscribers.queue_confirmation(session, row, domain=mail_domain(app))
    if record is not None:
        record(report)
    session.commit()
    return report
