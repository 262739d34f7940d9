"""What a request may carry into the app, decided in one place (issue 14): whose address it
comes from (FEEDSVC_TRUSTED_PROXIES), which numbers and which characters.

Numbers from the URL, the query string and forms are clamped here, and dates in a URL read
(an impossible one is no page); control characters in a URL, and NUL anywhere, are refused
here before any view runs, so none reaches a query (PostgreSQL refuses NUL in text, SQLite's
FTS5 reads it as the end of its query: both were 500s). Form text is cleaned by its form
(sanitize.clean_line, clean_text).
"""
from __future__ import annotations

from datetime import date

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

from .sanitize import has_control_characters

# The ids of our tables are 32-bit on PostgreSQL; SQLite takes no integer past 2**63 at all.
MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class IdConverter(IntegerConverter):
    """``<int:…>`` in our URLs: a row id, so past MAX_ID there is no such page (404, not a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class DayConverter(BaseConverter):
    """``<day:…>`` in our URLs: a calendar date as YYYY-MM-DD; 2026-02-30 or 2026-2-3 is no page (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value: date) -> str:
        return value.isoformat()


def init_app(app: Flask) -> None:
    """Believe the trusted proxies, make ``<int:…>`` bounded, refuse control characters in requests."""
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx every client was 127.0.0.1, so the per-address limits were shared by
        # the whole world (issue 14). Only as many X-Forwarded-* hops as there are proxies.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    # Before the blueprints are registered: their rules are compiled with the converter.
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["day"] = DayConverter
    app.before_request(_refuse_control_characters)


def _refuse_control_characters():
    if any(isinstance(v, str) and has_control_characters(v) for v in (request.view_args or {}).values()):
        abort(404)  # no page has such a name
    if any(has_control_characters(k) or has_control_characters(v) for k, v in request.args.items(multi=True)):
        abort(400)
    # Forms clean their own text (a pasted summary may carry a form feed, and the edit keeps
    # the rest of it); NUL no field can store, so it goes no further than here.
    if request.method == "POST" and request.mimetype in FORM_TYPES and any(
            "\x00" in k or "\x00" in v for k, v in request.form.items(multi=True)):
        abort(400)


def int_arg(name: str, default: int | None, *, low: int = 1, high: int = MAX_PAGE, values=None) -> int | None:
    """The whole number ``name`` of the query string (or ``values``), clamped to [low, high].

    Missing or empty: ``default``. Not a whole number: 400. Out of range: the nearest bound,
    so ``?page=99999999999999999999`` is the last page there can be, not an overflow.
    """
    raw = (request.args if values is None else values).get(name, "")
    if not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"?{name}= must be a whole number")
    return max(low, min(high, value))


def page_arg() -> int:
    """The ``page`` of a listing, from 1 to MAX_PAGE."""
    return int_arg("page", 1)


def text_arg(name: str, max_chars: int) -> str:
    """A text value of the query string, trimmed and cut to ``max_chars``."""
    return request.args.get(name, "").strip()[:max_chars]
