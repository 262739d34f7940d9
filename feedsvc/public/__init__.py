"""Pages for readers: latest articles, listings by category/source/tag, search, article pages,
the digest archive."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import archive, routes, subscriptions  # noqa: E402,F401  (registers the views on bp)
