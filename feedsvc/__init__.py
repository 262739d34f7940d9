"""feedsvc: feeds and daily digest emails from locally stored news articles."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from . import config, db


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, instance config, ``FEEDSVC_*`` env, then ``test_config``."""
    app = Flask(__name__, instance_path=config.instance_path(), instance_relative_config=True)
    config.load(app, test_config)
    db.init_app(app)

    from . import cli

    cli.init_app(app)
    return app
