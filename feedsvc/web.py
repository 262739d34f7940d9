"""What every page shares: Jinja filters, error pages, security headers."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from .i18n import gettext
from .sanitize import sanitize_html

ERROR_TEXT = {
    404: ("Page not found", "The page you asked for is not here."),
    400: ("Bad request", None),
}


def init_app(app: Flask) -> None:
    """Register filters, error handlers and response headers."""
    app.jinja_env.filters["sanitize"] = lambda html: Markup(sanitize_html(html or ""))
    app.jinja_env.filters["pager_query"] = pager_query
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_security_headers)


def pager_query(args, page: int) -> str:
    """The current query string with ``page`` replaced."""
    pairs = [(k, v) for k, v in args.items(multi=True) if k != "page"]
    return urlencode(pairs + [("page", page)])


def _http_error(error: HTTPException):
    if error.code in (301, 302, 303, 304, 307, 308) or error.code is None:
        return error
    title, message = ERROR_TEXT.get(error.code, (error.name, None))
    if request.blueprint not in (None, "public"):
        # Feeds and APIs answer in plain text; an HTML page would be noise to a feed reader.
        return error
    body = render_template(
        "error.html", code=error.code, title=gettext(title),
        message=gettext(message) if message else error.description,
    )
    return body, error.code


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype == "text/html":
        # Article bodies are sanitized already; this is the second line if that ever fails.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src * data:; script-src 'self'; style-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
    return response
