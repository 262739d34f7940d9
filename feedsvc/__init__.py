"""feedsvc: feeds and daily digest emails from locally stored news articles."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, instance config, ``FEEDSVC_*`` env, then ``config``."""
    # Imported here, not at the package's import: the pure core (feedsvc.ingest, feedsvc.text)
    # and commands that need no app must not load Flask, SQLAlchemy and Alembic to start.
    from flask import Flask

    from . import config as configuration
    from . import db

    app = Flask(
        __name__,
        instance_path=configuration.instance_path(),
        instance_relative_config=True,
        template_folder=str(configuration.templates_dir()),
    )
    configuration.load(app, config)
    db.init_app(app)

    from . import cli, i18n, inputs, logs, web
    from .admin import bp as admin_bp
    from .feeds.views import bp as feeds_bp
    from .health import bp as health_bp
    from .public import bp as public_bp

    inputs.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    logs.init_app(app)
    cli.init_app(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(health_bp)
    return app
