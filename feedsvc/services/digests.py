"""Digests with this app's configuration: the editions that are due."""
from __future__ import annotations

from flask import Flask

from ..digest.editions import BuildReport, build_editions
from ..models import utcnow
from .outbox import mail_domain


def build_due(app: Flask, **options) -> BuildReport:
    """Create the editions (and outbox messages) that are due now."""
    options.setdefault("now", utcnow())
    return build_editions(
        app.extensions["feedsvc.sessionmaker"], domain=mail_domain(app),
        send_empty=app.config["DIGEST_SEND_EMPTY"], max_items=app.config["DIGEST_MAX_ITEMS"],
        **options,
    )
