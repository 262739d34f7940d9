"""Signing in and out; every other admin page needs a signed-in operator."""
from __future__ import annotations

from datetime import timedelta

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
    max_age = timedelta(hours=current_app.config["ADMIN_SESSION_HOURS"])
    return accounts.session_admin(get_session(), session.get("admin_session"), max_age=max_age)


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
    allowed = _count_attempt(db, email)
    admin = accounts.authenticate(db, email, password) if allowed else None
    if admin is None:
        accounts.audit(db, email, "login.failed" if allowed else "login.limited", request.remote_addr or "")
        db.commit()
        message = _("Wrong email or password.") if allowed else _("Too many sign-in attempts; please wait 15 minutes.")
        return render_template("admin/login.html", email=email, next=target,
                               errors={"form": message}), 400 if allowed else 429
    accounts.audit(db, admin.email, "login", request.remote_addr or "")
    ratelimit.reset(db, _pair_key(email))  # the owner's typos count no more once they are in
    token = accounts.start_session(db, admin, address=request.remote_addr or "")
    db.commit()
    # A fresh cookie for each sign-in: nothing from before it (a planted session) carries over.
    session.clear()
    session["admin_session"] = token
    return redirect(target)


def _pair_key(email: str) -> str:
    return f"admin-login:{request.remote_addr}:{email.lower()}"


def _count_attempt(db, email: str) -> bool:
    """Count a sign-in attempt; True while this client may try this account.

    Per (client address, account) and per client address, never per account alone: ten
    wrong passwords from anywhere locked the owner out everywhere (issue 14). An attacker
    is slowed down at each address; the owner, from theirs, still signs in.
    """
    config = current_app.config
    per_pair = ratelimit.hit(db, _pair_key(email), limit=config["ADMIN_LOGIN_ATTEMPTS"],
                             window_seconds=LOGIN_WINDOW_SECONDS)
    per_address = ratelimit.hit(db, f"admin-login-ip:{request.remote_addr}",
                                limit=config["ADMIN_LOGIN_ATTEMPTS_PER_ADDRESS"],
                                window_seconds=LOGIN_WINDOW_SECONDS)
    return per_pair and per_address


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST with the CSRF token, so no other site can sign an operator out).

    The session ends on the server: a copy of the cookie opens nothing afterwards (issue 14).
    """
    db = get_session()
    accounts.end_session(db, session.get("admin_session"))
    accounts.audit(db, g.admin.email, "logout", request.remote_addr or "")
    db.commit()
    session.clear()
    return redirect(url_for("admin.login"))


@bp.route("/logout/everywhere", methods=["POST"])
def logout_everywhere():
    """End every session of the signed-in operator: other browsers, and any copied cookie."""
    db = get_session()
    ended = accounts.end_all_sessions(db, g.admin)
    accounts.audit(db, g.admin.email, "logout.everywhere", request.remote_addr or "", f"{ended} sessions")
    db.commit()
    session.clear()
    return redirect(url_for("admin.login"))
