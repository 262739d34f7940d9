"""``feedsvc admin …``: operator accounts from the command line, and the first one on first start."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .. import accounts, db
from ..services import outbox


def ensure_first_admin(app: Flask) -> tuple[str, str] | None:
    """Create ``admin@<mail domain>`` with a generated password when no account exists; returns both once."""
    with db.new_session(app) as session, session.begin():
        if accounts.any_admin(session):
            return None
        email, password = f"admin@{outbox.mail_domain(app)}", accounts.generate_password()
        accounts.create_admin(session, email, password, actor="bootstrap")
    return email, password


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
