"""``feedsvc parse``: what the importer makes of a file, with no app, no database and no Flask.

It starts in a fraction of a second (issue 11): the configuration is read as the app would
read it (config.read), and only the reader for the file's format is imported.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Mapping

import click


@click.command("parse")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def parse_command(ctx: click.Context, file: Path) -> None:
    """Print what the importer extracts from FILE as JSON, without touching the database."""
    from ..config import import_settings
    from ..ingest.article import ParseError
    from ..ingest.enrich import prepare_articles

    try:
        articles = prepare_articles(file.read_bytes(), file.name, settings=import_settings(_configuration(ctx)))
    except (OSError, ParseError) as exc:
        # One line, as the importer's error_line makes it (importing the importer loads SQLAlchemy).
        raise click.ClickException(f"{file}: {' '.join(str(exc).split()) or type(exc).__name__}") from None
    documents = [a.to_json() for a in articles]
    out = documents[0] if len(documents) == 1 else documents
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


def _configuration(ctx: click.Context) -> Mapping[str, Any]:
    """The app's settings when there is an app at hand (``flask --app feedsvc``, a test's
    runner), else the same settings read without one."""
    flask_cli = sys.modules.get("flask.cli")
    info = ctx.find_object(flask_cli.ScriptInfo) if flask_cli else None
    if info is not None:
        return info.load_app().config
    from ..config import read

    return read()
