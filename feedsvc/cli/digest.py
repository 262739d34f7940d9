"""``feedsvc digest …``: build and send the digests that are due, or preview them."""
from __future__ import annotations

import sys
from datetime import date, datetime, time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import db, languages, subscribers
from ..config import site_timezone
from ..mail.outbox import count_unsent
from ..models import utcnow
from ..services import outbox
from ..services.digests import build_due, preview_digest, stand_in_reader


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
    built = build_due(app, now=_moment(day), ignore_hours=everyone, edition_date=day)
    click.echo(f"editions: {built.created} new ({built.empty} empty), {built.existing} already built, {built.not_due} not due yet")
    with db.new_session() as session:
        due = count_unsent(session)
    show = sys.stderr.isatty()
    with click.progressbar(length=due, label="sending", file=sys.stderr, hidden=not show) as bar:
        report = outbox.run_delivery(app, on_message=lambda _id, _outcome: bar.update(1))
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
    with db.new_session() as session:
        if email:
            row = subscribers.find(session, email)
            if row is None:
                raise click.ClickException(f"{email}: no such subscriber")
            readers = [row]
        else:
            readers = [stand_in_reader(app, language) for language in languages.CODES]
        messages = [preview_digest(app, session, reader, now=now, day=day)[0] for reader in readers]
    data = b"\n".join(messages)
    if output:
        output.write_bytes(data)
        click.echo(f"{len(messages)} message(s) written to {output}")
    else:
        click.echo(data.decode("ascii", "replace"), nl=False)
