"""``feedsvc import``, ``scan`` and ``bootstrap``: articles into the store (``parse``: cli/parse.py)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from ..ingest.importer import ImportReport
from ..models import ImportOrigin
from ..services.accounts import ensure_first_admin
from ..services.imports import drop_folder, import_demo, run_import, scan_drop_folder


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that parse files (default: the machine's cores).")
@with_appcontext
def import_command(paths: tuple[Path, ...], jobs: int | None) -> None:
    """Import article files and folders (recursively) into the store."""
    app = current_app._get_current_object()
    if _reported(lambda **hooks: run_import(app, paths, origin=ImportOrigin.CLI, jobs=jobs, **hooks)).failed:
        sys.exit(1)


@click.command("scan")
@with_appcontext
def scan_command() -> None:
    """Import what is new or changed in the drop folder (FEEDSVC_DROP_FOLDER)."""
    app = current_app._get_current_object()
    if _reported(lambda **hooks: scan_drop_folder(app, **hooks)).failed:
        sys.exit(1)


@click.command("bootstrap")
@with_appcontext
def bootstrap_command() -> None:
    """First start: the drop folder, the demo articles while the store is empty, an operator."""
    app = current_app._get_current_object()
    drop_folder(app)
    if _reported(lambda **hooks: import_demo(app, **hooks)) is None:
        click.echo("the store has articles already; demo articles not imported")
    created = ensure_first_admin(app)
    if created:
        email, password = created
        click.echo(f"operator account created: {email} / {password}  (sign in at "
                   f"{app.config['BASE_URL'].rstrip('/')}/admin/login; shown only this once)")


def _reported(run: Callable[..., ImportReport | None]) -> ImportReport | None:
    """Run an import with a progress bar on a terminal, then print the errors and the summary."""
    bar = click.progressbar(length=0, label="importing", file=sys.stderr, hidden=not sys.stderr.isatty())

    def start(total: int) -> None:
        bar.length = total

    with bar:
        report = run(on_start=start, on_file=lambda _path, _outcome: bar.update(1))
    if report is None:
        return None
    for path, message in report.errors:
        click.echo(f"error: {path}: {message}", err=True)
    click.echo(report.summary_line())
    for problem in report.hub_errors:
        click.echo(f"warning: WebSub ping failed: {problem}", err=True)
    return report
