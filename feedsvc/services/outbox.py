"""The outbox with this app's configuration: mail and outbox settings, signed links, the backend,
the digest module's builder, delivery runs."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from .. import config, db, ratelimit
from ..digest.messages import Dkim, Links, MailSettings, MessageBuilder
from ..digest.operator_wording import load_wording
from ..mail.backends import MailBackend, backend_from_url
from ..mail.message import parse_mailbox
from ..mail.outbox import DeliveryReport, OutboxSettings, deliver_pending
from ..models import Subscriber
from ..signing import make_token
from ..web import external_url

log = logging.getLogger(__name__)


def mail_domain(app: Flask) -> str:
    """The domain Message-IDs, the List-Id and the default sender are made on: BASE_URL's host.

    A development address (localhost, an IP) is no mail domain; ``.example`` (RFC 2606)
    stands in, so the embedded set-up makes valid messages that go nowhere real.
    """
    host = urlsplit(app.config["BASE_URL"]).hostname or ""
    if "." not in host or host.replace(".", "").isdigit() or host.endswith(".localhost"):
        return "feedsvc.example"
    return host


def mail_settings(app: Flask) -> MailSettings:
    """MailSettings from the app's configuration."""
    c = app.config
    domain = mail_domain(app)
    from_addr = c["MAIL_FROM"] or f'"{c["SITE_NAME"]}" <digest@{domain}>'
    dkim = None
    if c["DKIM_KEY_FILE"]:
        dkim = Dkim(selector=c["DKIM_SELECTOR"], domain=c["DKIM_DOMAIN"] or domain,
                    private_key_pem=Path(c["DKIM_KEY_FILE"]).read_bytes())
    return MailSettings(
        from_addr=from_addr, reply_to=c["MAIL_REPLY_TO"], site_name=c["SITE_NAME"],
        site_url=external_url(app, "public.index"), list_id=f"daily.{domain}",
        templates_dir=config.templates_dir() / "email", site_timezone=c["TIMEZONE"],
        unsubscribe_mailto=c["MAIL_UNSUBSCRIBE_MAILTO"],
        confirm_max_age_hours=c["CONFIRM_MAX_AGE_HOURS"], dkim=dkim,
    )


def outbox_settings(app: Flask) -> OutboxSettings:
    """OutboxSettings from the app's configuration: MAIL FROM is the From address's."""
    c = app.config
    return OutboxSettings(
        envelope_from=parse_mailbox(mail_settings(app).from_addr).addr_spec,
        bounce_address=c["BOUNCE_ADDRESS"], verp_key=verp_key(app),
        lease_seconds=c["DELIVERY_LEASE_SECONDS"], max_attempts=c["DELIVERY_MAX_ATTEMPTS"],
        retry_base_seconds=c["DELIVERY_RETRY_BASE_SECONDS"], bounce_limit=c["BOUNCE_LIMIT"],
    )


def verp_key(app: Flask) -> bytes:
    """The key VERP tokens are signed with: the app's secret (verp.py keeps its MACs apart)."""
    return app.config["SECRET_KEY"].encode("utf-8")


def links(app: Flask) -> Links:
    """Absolute, signed links for mails, on BASE_URL."""
    secret = app.config["SECRET_KEY"]

    def signed(endpoint: str, purpose: str):
        def url(subscriber: Subscriber) -> str:
            return external_url(app, endpoint,
                                token=make_token(secret, purpose, subscriber.id, subscriber.email))
        return url

    return Links(
        article=lambda slug: external_url(app, "public.article", slug=slug),
        confirm=signed("public.confirm", "confirm"),
        preferences=signed("public.preferences", "preferences"),
        unsubscribe=signed("public.unsubscribe", "unsubscribe"),
        edition=lambda day, language: external_url(app, "public.edition", day=day, lang=language),
    )


def open_backend(app: Flask) -> MailBackend:
    """The backend FEEDSVC_MAIL_URL names; the default writes .eml files to instance/outbox."""
    return backend_from_url(app.config["MAIL_URL"], outbox_dir=Path(app.instance_path) / "outbox")


def run_delivery(app: Flask, **options) -> DeliveryReport:
    """Send what is due in the outbox; digests in the operators' current wording."""
    with db.new_session(app) as session:
        wording = load_wording(session)
    if app.config["MAIL_RATE_PER_SECOND"] or app.config["MAIL_RATE_PER_MINUTE"]:
        options.setdefault("throttle", make_throttle(app))
    return deliver_pending(
        app.extensions["feedsvc.sessionmaker"], open_backend(app), outbox_settings(app),
        MessageBuilder(mail_settings(app), links(app), wording), **options,
    )


def make_throttle(app: Flask, *, sleep=time.sleep, clock=time.time):
    """A function that returns once another message may go, by the limits of every worker.

    The counts live in the database (fixed windows of one second and one minute), so two
    workers on one database share one budget, as a provider's quota requires.
    """
    limits = [(app.config["MAIL_RATE_PER_SECOND"], 1), (app.config["MAIL_RATE_PER_MINUTE"], 60)]
    limits = [(limit, window) for limit, window in limits if limit]

    def throttle() -> None:
        while True:
            now = clock()
            with db.new_session(app) as session, session.begin():
                full = [window for limit, window in limits
                        if not ratelimit.hit(session, f"mail:{window}s", limit=limit,
                                             window_seconds=window, now=now)]
            if not full:
                return
            window = max(full)
            sleep(window - now % window + 0.001)  # until the fullest window turns over

    return throttle


def deliver_now(app: Flask, ids: list[int]) -> None:
    """Try to send these messages at once; on failure they stay in the outbox for the worker."""
    report = run_delivery(app, only=ids)
    if report.stopped or report.errors:
        log.warning("immediate delivery deferred: %s", report.stopped or report.errors[0])

