"""``feedsvc admin …``: operator accounts from the command line."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import accounts, db
from ..services.accounts import ensure_first_admin


@click.group("admin")
def admin_group() -> None:
    """Operator accounts for the /admin pages."""


@admin_group.command("create")
@click.argument("email")
@click.option("--password", help="Without it: asked for on a terminal, else generated and printed once.")
@with_appcontext
def admin_create(email: str, password: str | None) -> None:
    """Create an operator account for EMAIL."""
    generated = False
    if password is None and sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    elif password is None:
        password, generated = accounts.generate_password(), True
    with db.new_session() as session, session.begin():
        try:
            row = accounts.create_admin(session, email, password)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from None
        address = row.email
    click.echo(f"created {address}")
    if generated:
        click.echo(f"password: {password}  (shown once; sign in at /admin/login)")


@admin_group.command("ensure")
@with_appcontext
def admin_ensure() -> None:
    """Create the first operator account if there is none, and print its credentials once."""
    created = ensure_first_admin(current_app._get_current_object())
    if created is None:
        click.echo("an operator account exists already")
    else:
        click.echo(f"admin account: {created[0]}  password: {created[1]}  (shown once; sign in at /admin/login)")
