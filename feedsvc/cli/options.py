"""The options ``feedsvc`` has always had from Flask's ``FlaskGroup``, without importing Flask.

Same names, help and behaviour as flask/cli.py's ``_env_file_option``, ``_app_option`` and
``_debug_option`` (Flask 3.1); Flask is imported only when there is a file for it to load.
"""
from __future__ import annotations

import os
from importlib.util import find_spec

import click
from click.core import ParameterSource

APP_IMPORT_PATH = "feedsvc.app_import_path"  # ctx.meta key: what -A gave, shown by `feedsvc run`


def _env_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    dotenv = find_spec("dotenv") is not None
    if value is not None and not dotenv:
        raise click.BadParameter("python-dotenv must be installed to load an env file.", ctx=ctx, param=param)
    if value is None and not dotenv and not (os.path.isfile(".env") or os.path.isfile(".flaskenv")):
        return None  # Flask would neither load nor say anything: leave it unimported
    from flask.cli import get_load_dotenv, load_dotenv

    defaults = get_load_dotenv()
    if value is not None or defaults:
        load_dotenv(value, load_defaults=defaults)
    return value


def _set_app(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        ctx.meta[APP_IMPORT_PATH] = value
    return value


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool | None:
    if ctx.get_parameter_source(param.name) in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        return None
    # An environment variable, so a factory reads it early, as Flask sets it.
    os.environ["FLASK_DEBUG"] = "1" if value else "0"
    return value


env_file_option = click.Option(
    ["-e", "--env-file"],
    type=click.Path(exists=True, dir_okay=False),
    help=("Load environment variables from this file, taking precedence over"
          " those set by '.env' and '.flaskenv'. Variables set directly in the"
          " environment take highest precedence. python-dotenv must be installed."),
    is_eager=True,
    expose_value=False,
    callback=_env_file,
)
app_option = click.Option(
    ["-A", "--app"],
    metavar="IMPORT",
    help=("The Flask application or factory function to load, in the form 'module:name'."
          " Module can be a dotted import or file path. Name is not required if it is"
          " 'app', 'application', 'create_app', or 'make_app', and can be 'name(args)' to"
          " pass arguments."),
    is_eager=True,
    expose_value=False,
    callback=_set_app,
)
debug_option = click.Option(["--debug/--no-debug"], help="Set debug mode.", expose_value=False, callback=_set_debug)
