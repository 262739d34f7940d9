"""What the admin views share: the signed-in operator, auditing, paging, safe redirects."""
from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import abort, current_app, g, url_for

from .. import accounts
from ..inputs import page_arg
from ..db import get_session

# The digest previews render the message's own inline CSS inside a sandboxed srcdoc frame,
# which inherits this page's policy (CSP 3, "policy container"); scripts stay forbidden.
PREVIEW_CSP = (
    "default-src 'self'; img-src * data:; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def actor() -> str:
    """The signed-in operator's address, as audit entries name them."""
    return g.admin.email


def audit(action: str, target: object = "", detail: str = "") -> None:
    """Record what the signed-in operator changed, in the request's transaction."""
    accounts.audit(get_session(), actor(), action, str(target), detail)


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site under /admin, else the dashboard (no open redirect)."""
    default = url_for("admin.dashboard")
    if not target or any(ord(c) < 0x20 or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin/") or target.startswith("//"):
        return default
    return target


def window() -> tuple[int, int, int]:
    """(page, size, offset) of a listing, from the ``page`` query argument (clamped; 400 when no number)."""
    page = page_arg()
    size = current_app.config["PAGE_SIZE"]
    return page, size, (page - 1) * size


def page_count(total: int) -> int:
    """How many pages a listing of ``total`` rows has (at least one)."""
    return max(1, math.ceil(total / current_app.config["PAGE_SIZE"]))


def get_or_404(model, ident: int):
    """The row of ``model`` with this id, or a 404."""
    row = get_session().get(model, ident)
    if row is None:
        abort(404)
    return row
