"""Reading bounces and complaints with this app's configuration, for the command and the job alike."""
from __future__ import annotations

import ssl
from collections.abc import Sequence
from datetime import datetime
from typing import Callable

from flask import Flask

from ..mail.mailboxes import open_mailbox_url, open_paths
from ..mail.returned import ProcessedMessages, ReturnSettings, ScanReport, scan
from ..models import utcnow
from .outbox import verp_key


class NoBounceMailbox(ValueError):
    """No path was given and FEEDSVC_BOUNCE_MAILBOX is not set."""


def return_settings(app: Flask) -> ReturnSettings:
    """ReturnSettings from the app's configuration."""
    return ReturnSettings(bounce_address=app.config["BOUNCE_ADDRESS"], verp_key=verp_key(app),
                          bounce_limit=app.config["BOUNCE_LIMIT"])


def scan_bounces(app: Flask, paths: Sequence[str] = (), *, now: Callable[[], datetime] = utcnow,
                 ssl_context: ssl.SSLContext | None = None) -> ScanReport:
    """Read the returned mail at ``paths`` (.eml files, folders, maildirs), or else in BOUNCE_MAILBOX.

    Raises NoBounceMailbox when there is neither, ValueError for a mailbox URL that cannot be
    used, MailboxError when the mailbox fails (one line each, never the password).
    """
    make_session = app.extensions["feedsvc.sessionmaker"]
    processed = ProcessedMessages(make_session)
    if paths:
        mailbox = open_paths(paths, processed)
    elif app.config["BOUNCE_MAILBOX"]:
        mailbox = open_mailbox_url(app.config["BOUNCE_MAILBOX"], processed=processed, ssl_context=ssl_context)
    else:
        raise NoBounceMailbox("no PATH given and FEEDSVC_BOUNCE_MAILBOX is not set")
    return scan(make_session, mailbox, return_settings(app), now=now)
