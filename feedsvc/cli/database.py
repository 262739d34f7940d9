"""``feedsvc db …``: database migrations."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import db


@click.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    db.upgrade(current_app._get_current_object(), revision)
    click.echo(f"database at {revision}")
