"""Settings at a glance (secrets masked), the job schedule (editable while the worker runs), the audit log."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for

from .. import accounts
from ..db import get_session
from ..i18n import gettext as _
from ..schedule import list_jobs, set_schedule
from ..services import outbox
from . import bp
from .forms import schedule_form
from .helpers import audit

SHOWN = ("SITE_NAME", "BASE_URL", "TIMEZONE", "DATABASE_URL", "MAIL_URL", "DROP_FOLDER", "SUMMARY_CHARS",
         "DIGEST_DEFAULT_HOUR", "DIGEST_DEFAULT_LANGUAGE", "DIGEST_SEND_EMPTY", "DIGEST_MAX_ITEMS",
         "DELIVERY_MAX_ATTEMPTS", "BOUNCE_ADDRESS", "BOUNCE_MAILBOX", "BOUNCE_LIMIT", "WEBSUB_HUB")
MASKED = {"DATABASE_URL", "MAIL_URL", "BOUNCE_MAILBOX", "WEBSUB_HUB"}


def mask_password(url: str | None) -> str:
    """``url`` with the password of its user part replaced by ``***``."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{parts.username or ''}:***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


@bp.route("/settings")
def settings():
    """What the site runs with, the scheduled jobs, and who changed what lately."""
    return _settings_page({})


def _settings_page(errors: dict, status: int = 200):
    app = current_app._get_current_object()
    values = [(key, mask_password(str(app.config[key])) if key in MASKED and app.config[key]
               else app.config[key]) for key in SHOWN]
    values.insert(5, ("MAIL_FROM", outbox.mail_settings(app).from_addr))
    jobs = list_jobs(app)  # first: it may write in a session of its own (SQLite has one writer)
    sessions = accounts.active_sessions(get_session(), g.admin,
                                        max_age=timedelta(hours=app.config["ADMIN_SESSION_HOURS"]))
    return render_template("admin/settings.html", values=values, jobs=jobs, sessions=sessions,
                           errors=errors, audit_log=accounts.recent_audit(get_session(), 50)), status


@bp.route("/settings/schedule/<job>", methods=["POST"])
def schedule(job: str):
    """Change how often a job runs; the worker picks it up without a restart."""
    values, errors = schedule_form(request.form)
    if not errors:
        try:
            set_schedule(current_app._get_current_object(), job, **values)
        except ValueError as exc:
            errors = {"interval_seconds": _(str(exc))}
    if errors:
        return _settings_page({job: errors["interval_seconds"]}, 400)
    # set_schedule commits on its own; the entry follows in the next transaction.
    audit("schedule.change", job, f"every {values['interval_seconds']} s, "
                                  + ("enabled" if values["enabled"] else "disabled"))
    get_session().commit()
    flash(_("Saved. The worker uses the new schedule within a few seconds."))
    return redirect(url_for("admin.settings"))
