"""The ``feedsvc`` command: a Flask CLI group over the app factory, one module per command group.

Commands are thin: they read their arguments, call the domain code and print what it did.
Their names, options and output lines are a contract that scripts rely on.
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from .. import db


def _cli_app() -> Flask:
    from .. import create_app

    app = create_app()
    db.ensure_schema(app)
    return app


@click.group(cls=FlaskGroup, create_app=_cli_app, add_version_option=False)
def main() -> None:
    """feedsvc: feeds and daily digests from locally stored news articles."""


def init_app(app: Flask) -> None:
    """Register the commands that ``flask --app feedsvc`` should have as well."""
    from .admin import admin_group
    from .articles import bootstrap_command, import_command, parse_command, scan_command
    from .bounces import bounces_group
    from .database import db_group
    from .digest import digest_group
    from .subscribers import subscribers_group
    from .worker import worker_command

    for command in (db_group, parse_command, import_command, scan_command, bootstrap_command,
                    worker_command, subscribers_group, digest_group, bounces_group, admin_group):
        app.cli.add_command(command)
