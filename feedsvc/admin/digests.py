"""Digests: preview as a subscriber gets it, test sends, build-and-send now (queued), the delivery log, wording."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from .. import languages
from .. import subscribers as subs
from ..db import get_session
from ..digest.operator_wording import load_wording, save_wording
from ..digest.render import WordingError
from ..digest.wording import default_wording
from ..i18n import gettext as _
from ..inputs import MAX_ID, int_arg
from ..mail.message import normalise_address
from ..models import DeliveryKind, DeliveryState, utcnow
from ..operator_models import TaskKind
from ..sanitize import clean_line
from ..services.digests import preview_digest, send_test, stand_in_reader
from ..taskqueue import queue_task
from . import bp
from .forms import WORDING_PARTS, wording_form
from .helpers import PREVIEW_CSP, actor, audit, page_count, window
from .previews import read_preview, wording_preview, wording_problems
from .queries import find_deliveries, retry_failed, returned_by_delivery

KINDS = tuple(DeliveryKind)
STATES = tuple(DeliveryState)


@bp.route("/digests")
def digests():
    """Today's digest as a chosen subscriber would get it, the send buttons and the delivery log."""
    return _digests_page({})


def _digests_page(errors: dict, status: int = 200, test_to: str = ""):
    app = current_app._get_current_object()
    session = get_session()
    chosen = clean_line(request.values.get("subscriber", ""))[:320]
    language = request.values.get("language", app.config["DIGEST_DEFAULT_LANGUAGE"])
    language = language if language in languages.CODES else languages.DEFAULT.code
    reader = subs.find(session, chosen) if chosen else stand_in_reader(app, language)
    preview = None
    if reader is None:
        errors = {"subscriber": _("No subscriber has this address."), **errors}
        status = 400
    else:
        try:
            preview = read_preview(*preview_digest(app, session, reader, now=utcnow()))
        except (WordingError, ValueError) as exc:
            errors = {"preview": str(exc), **errors}
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    kind = request.args.get("kind", "")
    kind = kind if kind in KINDS else ""
    page, size, offset = window()
    deliveries, total = find_deliveries(session, state=state, kind=kind, limit=size, offset=offset)
    response = current_app.make_response((render_template(
        "admin/digests.html", preview=preview, chosen=chosen, language=language, errors=errors,
        test_to=test_to or request.values.get("to", ""), deliveries=deliveries, total=total,
        returned=returned_by_delivery(session, deliveries),
        page=page, pages=page_count(total), state=state, kind=kind, states=STATES, kinds=KINDS,
    ), status))
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response


@bp.route("/digests/test", methods=["POST"])
def digests_test():
    """Send the previewed digest to one address now, through the outbox, logged as a ``test`` message."""
    app = current_app._get_current_object()
    session = get_session()
    to = request.form.get("to", "").strip()[:320]
    try:
        to = normalise_address(to)
    except ValueError:
        return _digests_page({"to": _("Please enter a valid email address.")}, 400, test_to=to)
    chosen = clean_line(request.form.get("subscriber", ""))[:320]
    language = request.form.get("language", app.config["DIGEST_DEFAULT_LANGUAGE"])
    reader = subs.find(session, chosen) if chosen else stand_in_reader(app, language)
    if reader is None or reader.language not in languages.CODES:
        return _digests_page({"subscriber": _("No subscriber has this address.")}, 400, test_to=to)
    row = send_test(app, session, reader, to)
    if row.state == DeliveryState.SENT:
        flash(_("The test message was sent to %(to)s.", to=to))
    else:
        flash(_("The test message could not be sent: %(error)s", error=row.last_error))
    audit("digest.test", to, f"as {reader.email}: {row.state}")
    session.commit()
    return redirect(url_for("admin.digests", subscriber=chosen, language=reader.language, to=to))


@bp.route("/digests/send", methods=["POST"])
def digests_send():
    """Queue building today's editions for every confirmed subscriber who has none, whatever their hour, and sending.

    The worker does it and the page shows how far it got: sending to every subscriber is no
    work for a request (issue 14).
    """
    task = queue_task(get_session(), TaskKind.SEND_DIGESTS, actor=actor())
    get_session().commit()
    return redirect(url_for("admin.task", task_id=task.id))


@bp.route("/digests/retry", methods=["POST"])
def digests_retry():
    """Put failed messages (one, or all) back in the outbox, due now, for the worker to send."""
    delivery_id = int_arg("delivery_id", None, high=MAX_ID, values=request.form)
    ids = retry_failed(get_session(), delivery_id=delivery_id)
    if ids:
        audit("delivery.retry", ",".join(map(str, ids))[:255], f"{len(ids)} messages")
    get_session().commit()
    # However many failed, the request only queues; the worker's next delivery run sends them.
    flash(_("%(n)d messages queued again.", n=len(ids)))
    return redirect(url_for("admin.digests", state=request.form.get("state", "")))


@bp.route("/digests/wording", methods=["GET", "POST"])
def wording():
    """Change a digest's subject, intro and item text; preview before saving, never save what fails."""
    app = current_app._get_current_object()
    session = get_session()
    language = request.values.get("language", app.config["DIGEST_DEFAULT_LANGUAGE"])
    language = language if language in languages.CODES else languages.DEFAULT.code
    action = request.form.get("action", "preview")
    if request.method == "POST" and action == "reset":
        save_wording(session, wording_form({})[0])
        audit("digest.wording", "reset to defaults")
        session.commit()
        flash(_("The default wording is used again."))
        return redirect(url_for("admin.wording", language=language))
    if request.method == "POST":
        form = {part: request.form.get(part, "") for part in WORDING_PARTS}
    else:
        saved = load_wording(session)
        form = {part: (getattr(saved, part) or "") if saved else "" for part in WORDING_PARTS}
    wording, errors = wording_form(form)
    problems = [] if errors else wording_problems(app, session, wording, now=utcnow())
    rendered = None
    if not errors and not problems:
        try:
            rendered = wording_preview(app, session, wording, language, now=utcnow())
        except WordingError as exc:
            problems.append(str(exc))
    if request.method == "POST" and action == "save" and not errors and not problems:
        save_wording(session, wording)
        audit("digest.wording", "", "\n".join(f"{p}: {getattr(wording, p) or '(default)'}" for p in WORDING_PARTS))
        session.commit()
        flash(_("Saved. The next digests use this wording."))
        return redirect(url_for("admin.wording", language=language))
    status = 400 if request.method == "POST" and (errors or problems) else 200
    response = current_app.make_response((render_template(
        "admin/wording.html", form=form, errors=errors, problems=problems, rendered=rendered,
        language=language, defaults={lang: default_wording(lang) for lang in languages.CODES},
    ), status))
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response
