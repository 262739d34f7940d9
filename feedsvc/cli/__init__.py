"""The ``feedsvc`` command: one module per command group, each imported only when it runs.

Commands are thin: they read their arguments, call the domain code and print what it did.
Their names, options and output lines are a contract that scripts rely on.

**Adding a command or a group** (``feedsvc bounces``, say): write it in a module of its own
here, then add one row to ``COMMANDS`` below: its name, ``module:attribute``, the first
sentence of its help, and how it gets the app. That row is the whole registration:
``feedsvc --help`` lists the rows without importing a single command module (tests check the
help matches the command's own), ``feedsvc NAME`` imports only NAME's module, and
``flask --app feedsvc NAME`` finds the same rows through ``init_app``. Commands that use the
app keep ``@with_appcontext`` (as in Flask's docs); the app is built only for them.

Why not Flask's ``FlaskGroup``: it builds the whole app (and checks the schema with Alembic)
to list its commands, so ``feedsvc --help`` took 1-2 s (issue 11). ``main`` keeps its
options (``-e``, ``-A``, ``--debug``), Flask's ``run``, ``shell`` and ``routes``, and the
``FLASK_*`` variables for options.
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from .options import APP_IMPORT_PATH, app_option, debug_option, env_file_option

if TYPE_CHECKING:
    from flask import Flask

# How a command gets the app:
BUILD = "build"  # built (create_app, then the SQLite schema brought up to date) before it runs
FLASK = "flask"  # one of Flask's own commands, which load the app themselves when they need it
NONE = "none"  # no app: it reads the configuration alone (config.read)


@dataclass(frozen=True)
class Entry:
    """One command of ``feedsvc``: what ``--help`` lists and where the command lives."""

    name: str
    target: str  # "module:attribute"
    help: str  # the first sentence of the command's help, as --help lists it
    app: str = BUILD


COMMANDS = (
    Entry("admin", "feedsvc.cli.admin:admin_group", "Operator accounts for the /admin pages."),
    Entry("bootstrap", "feedsvc.cli.articles:bootstrap_command",
          "First start: the drop folder, the demo articles while the store is empty, an operator."),
    Entry("bounces", "feedsvc.cli.bounces:bounces_group", "Returned mail: late bounces and complaints."),
    Entry("db", "feedsvc.cli.database:db_group", "Database migrations."),
    Entry("digest", "feedsvc.cli.digest:digest_group", "Daily digest emails."),
    Entry("import", "feedsvc.cli.articles:import_command",
          "Import article files and folders (recursively) into the store."),
    Entry("parse", "feedsvc.cli.parse:parse_command",
          "Print what the importer extracts from FILE as JSON, without touching the database.", NONE),
    Entry("routes", "flask.cli:routes_command", "Show the routes for the app.", FLASK),
    Entry("run", "flask.cli:run_command", "Run a development server.", FLASK),
    Entry("scan", "feedsvc.cli.articles:scan_command",
          "Import what is new or changed in the drop folder (FEEDSVC_DROP_FOLDER)."),
    Entry("shell", "flask.cli:shell_command", "Run a shell in the app context.", FLASK),
    Entry("subscribers", "feedsvc.cli.subscribers:subscribers_group", "Email subscribers."),
    Entry("worker", "feedsvc.cli.worker:worker_command",
          "Run the scheduler (drop folder, digests, delivery, pruning) until stopped."),
)


class LazyCommand(click.Command):
    """A row of COMMANDS as a click command: listed from the row, imported when it runs."""

    def __init__(self, entry: Entry) -> None:
        super().__init__(entry.name, help=entry.help)
        self.entry = entry

    def load(self) -> click.Command:
        """The command itself (importing its module)."""
        module, _, attribute = self.entry.target.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # The real command parses, helps and runs: its context is what click invokes.
        return self.load().make_context(info_name, args, parent=parent, **extra)


class LazyGroup(click.Group):
    """The top-level group: the commands of COMMANDS, the app built only for those that use it."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # As FlaskGroup does: an app.run() outside a __main__ guard must not start a server.
        os.environ["FLASK_RUN_FROM_CLI"] = "true"
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if (not args and self.no_args_is_help) or (len(args) == 1 and args[0] in self.get_help_option_names(ctx)):
            # As FlaskGroup does: the eager options also read their FLASK_* variables here.
            env_file_option.handle_parse_result(ctx, {}, [])
            app_option.handle_parse_result(ctx, {}, [])
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        if isinstance(command, LazyCommand) and not ctx.resilient_parsing:
            _provide_app(ctx, command.entry.app, asks_help=any(a in ctx.help_option_names for a in rest))
        return name, command, rest


def _provide_app(ctx: click.Context, how: str, *, asks_help: bool) -> None:
    """Flask's ScriptInfo for commands that use the app; for BUILD ones, the app and its context.

    As FlaskGroup does, the context is pushed before the command's options are parsed, so a
    command also works without ``@with_appcontext``; ``--help`` alone builds nothing.
    """
    if how == NONE:
        return
    from flask import current_app
    from flask.cli import ScriptInfo

    info = ctx.find_object(ScriptInfo)
    if info is None:
        info = ctx.obj = ScriptInfo(app_import_path=ctx.meta.get(APP_IMPORT_PATH), create_app=_cli_app)
    if how == BUILD and not asks_help:
        app = info.load_app()
        if not current_app or current_app._get_current_object() is not app:
            ctx.with_resource(app.app_context())


def _cli_app() -> Flask:
    from .. import create_app, db

    app = create_app()
    db.ensure_schema(app)
    return app


@click.group(cls=LazyGroup, commands=[LazyCommand(entry) for entry in COMMANDS],
             params=[env_file_option, app_option, debug_option], context_settings={"auto_envvar_prefix": "FLASK"})
def main() -> None:
    """feedsvc: feeds and daily digests from locally stored news articles."""


def init_app(app: Flask) -> None:
    """Give ``flask --app feedsvc`` the same commands (Flask adds its own run, shell and routes)."""
    for entry in COMMANDS:
        if entry.app != FLASK:
            app.cli.add_command(LazyCommand(entry))
