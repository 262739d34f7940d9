"""``feedsvc subscribers …`` and ``feedsvc digest …``: thin commands over the domain code."""
from __future__ import annotations

import sys
from datetime import date, datetime, time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from . import db, mailer, subscribers
from .config import site_timezone
from .digest.delivery import digest_message
from .digest.editions import FIRST_WINDOW, digest_article_ids
from .models import Delivery, Subscriber, utcnow


def _defaults():
    c = current_app.config
    return subscribers.Preferences(delivery_hour=c["DIGEST_DEFAULT_HOUR"], timezone=c["TIMEZONE"],
                                   language=c["DIGEST_DEFAULT_LANGUAGE"])


@click.group("subscribers")
def subscribers_group() -> None:
    """Email subscribers."""


@subscribers_group.command("add")
@click.argument("email")
@click.option("--confirmed", is_flag=True, help="Skip double opt-in (you have their consent).")
@with_appcontext
def subscribers_add(email: str, confirmed: bool) -> None:
    """Add EMAIL; without --confirmed a confirmation email is sent."""
    app = current_app._get_current_object()
    with db.new_session() as session, session.begin():
        try:
            row, needs_mail = subscribers.subscribe(session, email, _defaults(), confirmed=confirmed)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        delivery = subscribers.queue_confirmation(session, row, domain=mailer.mail_domain(app)) if needs_mail else None
        state, address = row.state, row.email
    if delivery is not None:
        mailer.deliver_now(app, [delivery.id])
    click.echo(f"{address}: {state}")


@subscribers_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--confirmed", is_flag=True, help="Mark imported addresses confirmed.")
@with_appcontext
def subscribers_import(file, confirmed: bool) -> None:
    """Import a CSV with an 'email' column (optional: topics, delivery_hour, timezone, language)."""
    app = current_app._get_current_object()
    with db.new_session() as session, session.begin():
        report, to_confirm = subscribers.import_csv(session, file.read(), _defaults(), confirmed=confirmed)
        ids = [subscribers.queue_confirmation(session, row, domain=mailer.mail_domain(app)) for row in to_confirm]
        session.flush()
        ids = [d.id for d in ids]
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    if ids:
        mailer.deliver_now(app, ids)
    click.echo(f"{report.added} added, {report.unchanged} unchanged, {len(report.errors)} refused")
    if report.errors:
        sys.exit(1)


@subscribers_group.command("list")
@click.option("--state", type=click.Choice(subscribers.STATES))
@with_appcontext
def subscribers_list(state: str | None) -> None:
    """Each address with its state."""
    with db.new_session() as session:
        query = select(Subscriber).order_by(Subscriber.email)
        if state:
            query = query.where(Subscriber.state == state)
        for row in session.scalars(query):
            click.echo(f"{row.email}\t{row.state}")


@subscribers_group.command("remove")
@click.argument("email")
@with_appcontext
def subscribers_remove(email: str) -> None:
    """Delete EMAIL and its history."""
    with db.new_session() as session, session.begin():
        row = subscribers.find(session, email)
        if row is None:
            raise click.ClickException(f"{email}: no such subscriber")
        session.delete(row)
    click.echo(f"{email}: removed")


@subscribers_group.command("export")
@with_appcontext
def subscribers_export() -> None:
    """All subscribers as CSV on stdout (the columns import reads)."""
    with db.new_session() as session:
        for chunk in subscribers.export_csv(session.scalars(select(Subscriber).order_by(Subscriber.id))):
            click.echo(chunk, nl=False)


@click.group("digest")
def digest_group() -> None:
    """Daily digest emails."""


def _moment(day: date | None) -> datetime:
    """Now, or the end of the given day in the site's zone (so --date builds that day's edition)."""
    if day is None:
        return utcnow()
    end = datetime.combine(day, time(23, 59, 59), tzinfo=site_timezone(current_app))
    return min(end, utcnow())


@digest_group.command("send")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Edition date (default: today).")
@click.option("--all", "everyone", is_flag=True, help="Ignore delivery hours: every confirmed subscriber who has not had the edition.")
@with_appcontext
def digest_send(day, everyone: bool) -> None:
    """Build the digests that are due and deliver the outbox."""
    app = current_app._get_current_object()
    day = day.date() if day else None
    built = mailer.build_due(app, now=_moment(day), ignore_hours=everyone, edition_date=day)
    click.echo(f"editions: {built.created} new ({built.empty} empty), {built.existing} already built, {built.not_due} not due yet")
    with db.new_session() as session:
        due = session.scalar(select(func.count(Delivery.id)).where(Delivery.state.in_(("pending", "sending"))))
    show = sys.stderr.isatty()
    with click.progressbar(length=due or 0, label="sending", file=sys.stderr, hidden=not show) as bar:
        report = mailer.run_delivery(app, on_message=lambda _id, _outcome: bar.update(1))
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"messages: {report.sent} sent, {report.retrying} to retry, {report.failed} failed, {report.cancelled} cancelled")
    if report.stopped:
        click.echo(f"stopped early: {report.stopped} (the rest stay in the outbox)", err=True)
        sys.exit(1)



@digest_group.command("preview")
@click.option("--subscriber", "email", help="Render exactly what this subscriber would receive.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Edition date (default: today).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the message(s) here as .eml (default: stdout).")
@with_appcontext
def digest_preview(email: str | None, day, output: Path | None) -> None:
    """Render the digest without sending or recording anything.

    Without --subscriber: the all-topics digest in each language, as a new subscriber gets it.
    """
    app = current_app._get_current_object()
    day = day.date() if day else None
    now = _moment(day)
    settings, links = mailer.mail_settings(app), mailer.links(app)
    with db.new_session() as session:
        if email:
            row = subscribers.find(session, email)
            if row is None:
                raise click.ClickException(f"{email}: no such subscriber")
            readers = [row]
        else:
            defaults = _defaults()
            readers = [Subscriber(id=0, email=f"preview@{mailer.mail_domain(app)}", language=lang,
                                  timezone=defaults.timezone, topics="[]")
                       for lang in ("zh-CN", "en")]
        messages = []
        for reader in readers:
            ids = digest_article_ids(session, subscribers.topics_of(reader),
                                     reader.digest_cursor or now - FIRST_WINDOW, now,
                                     limit=app.config["DIGEST_MAX_ITEMS"])
            messages.append(digest_message(session, reader, tuple(ids), day or now.date(),
                                           message_id=None, settings=settings, links=links, now=now))
    data = b"\n".join(messages)
    if output:
        output.write_bytes(data)
        click.echo(f"{len(messages)} message(s) written to {output}")
    else:
        click.echo(data.decode("ascii", "replace"), nl=False)
