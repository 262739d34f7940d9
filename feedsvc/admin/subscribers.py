"""Subscribers: find, view with delivery history, deactivate, resend confirmation, CSV in and out."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import subscribers as subs
from ..db import get_session
from ..i18n import gettext as _
from ..models import Subscriber, SubscriberState
from ..services import subscriptions
from . import bp
from .helpers import audit, get_or_404, page_count, window
from .queries import find_deliveries, find_subscribers, returned_by_delivery, returned_mail
from .uploads import read_limited

CSV_MAX_BYTES = 5 * 1024 * 1024
STATES = tuple(SubscriberState)


@bp.route("/subscribers")
def subscribers():
    """Subscribers by address and state."""
    q = request.args.get("q", "")[:320]
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    page, size, offset = window()
    rows, total = find_subscribers(get_session(), q=q, state=state, limit=size, offset=offset)
    return render_template("admin/subscribers.html", subscribers=rows, total=total, page=page,
                           pages=page_count(total), q=q, state=state, states=STATES)


@bp.route("/subscribers/<int:subscriber_id>")
def subscriber(subscriber_id: int):
    """One subscriber, their choices, the messages sent to them and the mail that came back."""
    row = get_or_404(Subscriber, subscriber_id)
    session = get_session()
    deliveries, total = find_deliveries(session, subscriber_id=row.id, limit=100)
    return render_template("admin/subscriber.html", subscriber=row, topics=subs.topics_of(row),
                           deliveries=deliveries, total=total, returned=returned_by_delivery(session, deliveries),
                           history=returned_mail(session, subscriber_id=row.id))


@bp.route("/subscribers/<int:subscriber_id>/deactivate", methods=["POST"])
def subscriber_deactivate(subscriber_id: int):
    """Unsubscribe on the subscriber's behalf; digests not yet sent are dropped."""
    row = get_or_404(Subscriber, subscriber_id)
    if row.state != SubscriberState.UNSUBSCRIBED:
        audit("subscriber.deactivate", row.email)
        subscriptions.unsubscribe(get_session(), row)
    flash(_("The subscriber receives no more mail."))
    return redirect(url_for("admin.subscriber", subscriber_id=row.id))


@bp.route("/subscribers/<int:subscriber_id>/resend", methods=["POST"])
def subscriber_resend(subscriber_id: int):
    """Send the confirmation mail again to a subscriber who has not confirmed."""
    row = get_or_404(Subscriber, subscriber_id)
    if row.state != SubscriberState.PENDING:
        flash(_("Only a pending subscriber can be sent a confirmation."))
        return redirect(url_for("admin.subscriber", subscriber_id=row.id))
    audit("subscriber.resend_confirmation", row.email)
    subscriptions.resend_confirmation(current_app._get_current_object(), get_session(), row)
    flash(_("A confirmation mail is on its way."))
    return redirect(url_for("admin.subscriber", subscriber_id=row.id))


@bp.route("/subscribers/export", methods=["POST"])
def subscribers_export():
    """Every subscriber as CSV, in the columns the import reads (audited: it is personal data)."""
    session = get_session()
    body = "".join(subs.export_csv(session.scalars(select(Subscriber).order_by(Subscriber.id))))
    audit("subscribers.export")
    session.commit()
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="subscribers.csv"'})


@bp.route("/subscribers/import", methods=["POST"])
def subscribers_import():
    """Add the valid rows of a CSV and report the others; nothing is written when the file is unreadable."""
    upload = request.files.get("file")
    data = read_limited(upload, CSV_MAX_BYTES) if upload else b""
    problem = None
    if data is None:
        problem = _("The file is too large.")
    elif not data:
        problem = _("Choose a CSV file.")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            problem = _("The file must be UTF-8 text.")
    if problem:
        return render_template("admin/subscribers_import.html", problem=problem, report=None), 400
    confirmed = request.form.get("confirmed") == "1"

    def record(report) -> None:
        audit("subscribers.import", upload.filename or "",
              f"{report.added} added, {report.unchanged} unchanged, {len(report.errors)} refused"
              + (", marked confirmed" if confirmed else ""))

    # All valid rows, their confirmation mails and the audit entry, or none.
    report = subscriptions.import_subscribers(current_app._get_current_object(), get_session(), text,
                                              confirmed=confirmed, record=record)
    status = 400 if report.errors and not (report.added or report.unchanged) else 200
    return render_template("admin/subscribers_import.html", problem=None, report=report), status
