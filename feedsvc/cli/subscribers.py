"""``feedsvc subscribers …``: add, import, list, remove and export email subscribers."""
from __future__ import annotations

import sys
from dataclasses import replace

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import db, subscribers
from ..models import Frequency, Subscriber, SubscriberState
from ..services import subscriptions


@click.group("subscribers")
def subscribers_group() -> None:
    """Email subscribers."""


@subscribers_group.command("add")
@click.argument("email")
@click.option("--confirmed", is_flag=True, help="Skip double opt-in (you have their consent).")
@click.option("--frequency", type=click.Choice([f.value for f in Frequency]), default=Frequency.DAILY.value,
              show_default=True, help="A digest every day, or once a week.")
@click.option("--weekday", type=click.IntRange(1, 7), default=1, show_default=True,
              help="A weekly digest's day: ISO 1 = Monday … 7 = Sunday.")
@with_appcontext
def subscribers_add(email: str, confirmed: bool, frequency: str, weekday: int) -> None:
    """Add EMAIL; without --confirmed a confirmation email is sent."""
    app = current_app._get_current_object()
    prefs = replace(subscriptions.default_preferences(app), frequency=Frequency(frequency), weekday=weekday)
    with db.new_session() as session:
        try:
            row = subscriptions.subscribe(app, session, email, prefs, confirmed=confirmed)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{row.email}: {row.state}")


@subscribers_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--confirmed", is_flag=True, help="Mark imported addresses confirmed.")
@with_appcontext
def subscribers_import(file, confirmed: bool) -> None:
    """Import a CSV with an 'email' column (optional: topics, delivery_hour, timezone, language, frequency, weekday)."""
    app = current_app._get_current_object()
    with db.new_session() as session:
        report = subscriptions.import_subscribers(app, session, file.read(), confirmed=confirmed)
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    click.echo(f"{report.added} added, {report.unchanged} unchanged, {len(report.errors)} refused")
    if report.errors:
        sys.exit(1)


@subscribers_group.command("list")
@click.option("--state", type=click.Choice([state.value for state in SubscriberState]))
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
