"""Signing in and out; every other admin page needs a signed-in operator."""
from __future__ import annotations

import time

from flask import abort, current_app, g, redirect, render_template, request, session, url_for

from .. import accounts, ratelimit
from ..db import get_session
from ..i18n import gettext as _
from ..sanitize import clean_line
from . import bp
from .helpers import safe_next

OPEN_ENDPOINTS = {"admin.login"}
LOGIN_WINDOW_SECONDS = 15 * 60


@bp.before_request
def _require_login():
    """Refuse every admin page to anyone not signed in; the sign-in form is the one exception."""
    g.admin = _signed_in()
    # End the check's transaction now: on a POST it holds SQLite's write lock from its first
    # statement, and several views call domain code (imports, delivery, the scheduler) that
    # writes in sessions of its own.
    get_session().commit()
    if g.admin is not None or request.endpoint in OPEN_ENDPOINTS:
        return None
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    abort(403)


@bp.after_request
def _private(response):
    # Admin pages show personal data: never stored by a browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


def _signed_in():
    admin = accounts.logged_in(get_session(), session.get("admin_id"), session.get("admin_key"))
    since = session.get("admin_since")
    max_age = current_app.config["ADMIN_SESSION_HOURS"] * 3600
    if admin is None or not isinstance(since, int) or time.time() - since > max_age:
        return None
    return admin


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form (fields ``email`` and ``password``), rate-limited per address and per client."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.admin is not None:
            return redirect(target)
        return render_template("admin/login.html", email="", next=target, errors={})
    email = clean_line(request.form.get("email", ""))[:320]
    password = request.form.get("password", "")
    errors = {}
    if not email:
        errors["email"] = _("Please enter your email address.")
    if not password:
        errors["password"] = _("Please enter your password.")
    if errors:
        return render_template("admin/login.html", email=email, next=target, errors=errors), 400
    db = get_session()
    limit = current_app.config["ADMIN_LOGIN_ATTEMPTS"]
    allowed = all([
        ratelimit.hit(db, f"admin-login-ip:{request.remote_addr}", limit=limit,
                      window_seconds=LOGIN_WINDOW_SECONDS),
        ratelimit.hit(db, f"admin-login-email:{email.lower()}", limit=limit,
                      window_seconds=LOGIN_WINDOW_SECONDS),
    ])
    admin = accounts.authenticate(db, email, password) if allowed else None
    if admin is None:
        accounts.audit(db, email, "login.failed" if allowed else "login.limited", request.remote_addr or "")
        db.commit()
        message = _("Wrong email or password.") if allowed else _("Too many sign-in attempts; please wait 15 minutes.")
        return render_template("admin/login.html", email=email, next=target,
                               errors={"form": message}), 400 if allowed else 429
    accounts.audit(db, admin.email, "login", request.remote_addr or "")
    db.commit()
    # A fresh cookie for each sign-in: nothing from before it (a planted session) carries over.
    session.clear()
    session.update(admin_id=admin.id, admin_key=accounts.session_key(admin), admin_since=int(time.time()))
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST with the CSRF token, so no other site can sign an operator out)."""
    accounts.audit(get_session(), g.admin.email, "logout", request.remote_addr or "")
    get_session().commit()
    session.clear()
    return redirect(url_for("admin.login"))
