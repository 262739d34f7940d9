"""feedsvc: feeds and daily digest emails from locally stored news articles."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as configuration
from . import db


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, instance config, ``FEEDSVC_*`` env, then ``config``."""
    app = Flask(
        __name__,
        instance_path=configuration.instance_path(),
        instance_relative_config=True,
        template_folder=str(configuration.templates_dir()),
    )
    configuration.load(app, config)
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx every client was 127.0.0.1, so the per-address limits were shared by
        # the whole world (issue 14). Only as many X-Forwarded-* hops as there are proxies.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
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
