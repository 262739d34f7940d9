"""The WSGI entry point for production servers: ``gunicorn 'feedsvc.wsgi:app'``."""
from . import create_app
from .logs import configure

app = create_app()
configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
