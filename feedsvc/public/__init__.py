"""Pages for readers: latest articles, listings by category/source/tag, search, article pages."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import routes, subscriptions  # noqa: E402,F401  (registers the views on bp)
