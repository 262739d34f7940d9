"""``feedsvc bounces scan``: read late bounces and complaints, and act on them."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..mail.mailboxes import MailboxError
from ..services.bounces import scan_bounces


@click.group("bounces")
def bounces_group() -> None:
    """Returned mail: late bounces and complaints."""


@bounces_group.command("scan")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, file_okay=True))
@with_appcontext
def bounces_scan(paths: tuple[str, ...]) -> None:
    """Read bounces and complaints from PATHs (.eml files, folders, maildirs), or FEEDSVC_BOUNCE_MAILBOX.

    Processed messages are moved (maildir) or flagged (IMAP), .eml files remembered, so no
    message counts twice; one that cannot be read is named on stderr and left in place.
    """
    try:
        report = scan_bounces(current_app._get_current_object(), paths)
    except (ValueError, MailboxError) as exc:  # no mailbox, a bad URL, a server that failed
        raise click.ClickException(str(exc)) from None
    for problem in report.problems:
        click.echo(f"unreadable: {problem}", err=True)
    click.echo(report.summary_line())
    if report.unreadable:
        sys.exit(1)
