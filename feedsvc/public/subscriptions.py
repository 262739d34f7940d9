"""Subscribe, confirm, preferences and unsubscribe: the email subscriber's pages."""
from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, request

from .. import ratelimit, subscribers
from ..articles import LISTED_KINDS, facet_counts
from ..db import get_session
from ..i18n import N_
from ..mail.message import normalise_address
from ..models import Subscriber, SubscriberState
from ..sanitize import has_control_characters
from ..services import subscriptions
from ..services.subscriptions import default_preferences
from ..signing import InvalidToken, matches_address, read_token
from ..subscribers import PreferenceErrors
from ..web import csrf
from . import bp

# Confirmation mails an hour to one address, whichever clients ask for them.
CONFIRMATIONS_PER_HOUR = 3


@bp.route("/subscribe", methods=["GET", "POST"])
def subscribe():
    """The subscribe form; the answer is the same whether or not the address was known."""
    if request.method == "GET":
        return render_template("public/subscribe.html", form={}, errors={}, **_choices())
    outcome = _subscribe(request.form.to_dict() | {"topics": request.form.getlist("topics")})
    if outcome == "limited":
        return render_template("public/message.html", title_key=N_("Too many requests"),
                               message_key=N_("Please try again in an hour.")), 429
    if isinstance(outcome, dict):
        return render_template("public/subscribe.html", form=request.form, errors=outcome,
                               **_choices()), 400
    return render_template("public/message.html", title_key=N_("Check your inbox"),
                           message_key=N_("If the address can receive mail, a confirmation link is on its way."))


@bp.route("/api/subscribe", methods=["POST"])
@csrf.exempt  # JSON only: a cross-site form cannot send application/json without CORS consent
def subscribe_api():
    """JSON subscribe endpoint: ``{"email": …, "topics": […], "delivery_hour": 7, "frequency": "weekly", "weekday": 5, …}``."""
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        return jsonify(errors={"body": "send a JSON object"}), 400
    outcome = _subscribe(data)
    if outcome == "limited":
        return jsonify(errors={"rate": "too many requests"}), 429
    if isinstance(outcome, dict):
        return jsonify(errors=outcome), 400
    return jsonify(status="accepted"), 202


def _subscribe(raw: dict):
    """'ok', 'limited', or a dict of field errors.

    Checked before the rate limit is counted: a request refused as malformed stores nothing
    and uses up no hit (issue 14).
    """
    session = get_session()
    app = current_app._get_current_object()
    errors = {}
    try:
        prefs = subscribers.parse_preferences(session, raw, default_preferences(app))
    except PreferenceErrors as exc:
        errors.update(exc.errors)
    email = raw.get("email")
    try:
        if not isinstance(email, str) or has_control_characters(email):
            raise ValueError(email)
        normalise_address(email.strip())
    except ValueError:
        errors["email"] = "invalid_email"
    if errors:
        return errors
    allowed = ratelimit.hit(session, f"subscribe:{request.remote_addr}",
                            limit=app.config["SUBSCRIBE_RATE_PER_HOUR"], window_seconds=3600)
    session.commit()
    if not allowed:
        return "limited"
    subscriptions.subscribe(app, session, email.strip(), prefs, confirm_limit=CONFIRMATIONS_PER_HOUR)
    return "ok"


def _subscriber_from(token: str, purpose: str, max_age: int | None = None) -> Subscriber:
    try:
        subscriber_id, digest = read_token(current_app.config["SECRET_KEY"], purpose, token,
                                           max_age=max_age)
    except InvalidToken:
        abort(404)
    row = get_session().get(Subscriber, subscriber_id)
    if row is None or not matches_address(digest, row.email):
        abort(404)
    return row


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """A page with one button: mail scanners fetch links, so only a POST confirms."""
    row = _subscriber_from(token, "confirm", max_age=current_app.config["CONFIRM_MAX_AGE_HOURS"] * 3600)
    if row.state in (SubscriberState.UNSUBSCRIBED, SubscriberState.BOUNCED):
        # Consent withdrawn is final until the address subscribes anew (issue 14).
        return render_template("public/message.html", title_key=N_("This link no longer works"),
                               message_key=N_("This address has left the digest. To receive it again, please subscribe anew."))
    if request.method == "POST":
        subscriptions.confirm(get_session(), row)
        return render_template("public/message.html", title_key=N_("Subscription confirmed"),
                               message_key=N_("Your first digest arrives at the hour you chose."))
    return render_template("public/confirm.html", subscriber=row)


@bp.route("/preferences/<token>", methods=["GET", "POST"])
def preferences(token: str):
    """Change topics, hour, time zone, language, and daily or weekly on which day."""
    session = get_session()
    row = _subscriber_from(token, "preferences")
    errors, saved = {}, False
    if request.method == "POST":
        raw = request.form.to_dict() | {"topics": request.form.getlist("topics")}
        try:
            defaults = default_preferences(current_app)
            subscribers.apply_preferences(row, subscribers.parse_preferences(session, raw, defaults))
            session.commit()
            saved = True
        except PreferenceErrors as exc:
            errors = exc.errors
    form = {
        "topics": subscribers.topics_of(row), "delivery_hour": row.delivery_hour,
        "timezone": row.timezone, "language": row.language, "frequency": row.frequency, "weekday": row.weekday,
    }
    return render_template("public/preferences.html", subscriber=row, form=form, errors=errors,
                           saved=saved, **_choices()), 400 if errors else 200


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the one-click POST comes from a mail provider, not from our form
def unsubscribe(token: str):
    """GET: a page with one button. POST: unsubscribe at once (RFC 8058 one-click, no CSRF)."""
    row = _subscriber_from(token, "unsubscribe")
    if request.method == "POST":
        subscriptions.unsubscribe(get_session(), row)
        return render_template("public/message.html", title_key=N_("Unsubscribed"),
                               message_key=N_("You will receive no more digests."))
    return render_template("public/unsubscribe.html", subscriber=row)


def _choices() -> dict:
    session = get_session()
    return {
        "topic_choices": [
            (kind, slug, name) for kind in LISTED_KINDS
            for slug, name, _n in facet_counts(session, kind)
        ],
        "hours": range(24),
        "common_timezones": current_app.config["DIGEST_TIMEZONES"],
    }
