"""The operators' pages at /admin: sign-in, dashboard, articles, subscribers, digests, settings."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import auth, articles, dashboard, digests, settings, subscribers, tasks  # noqa: E402,F401  (registers the views on bp)
