"""What every page shares: Jinja filters, error pages, security headers."""
from __future__ import annotations

import base64
import hashlib
import re
from typing import Iterable
from urllib.parse import urlencode, urlsplit

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from .languages import N_
from .sanitize import sanitize_html

csrf = CSRFProtect()
_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.S)

ERROR_TEXT = {
    404: (N_("Page not found"), N_("The page you asked for is not here.")),
    400: (N_("Bad request"), None),
    429: (N_("Too many requests"), N_("Please try again in an hour.")),
    500: (N_("Server error"), N_("Something went wrong on our side.")),
}


def init_app(app: Flask) -> None:
    """Register filters, error handlers, CSRF protection and response headers."""
    csrf.init_app(app)
    # Flask's defaults hold these keys already (None, False), so setdefault would never apply.
    if app.config["SESSION_COOKIE_SAMESITE"] is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # Secure cookies whenever the public address is HTTPS (behind a TLS-terminating proxy too).
    if not app.config["SESSION_COOKIE_SECURE"]:
        app.config["SESSION_COOKIE_SECURE"] = app.config["BASE_URL"].startswith("https://")
    app.jinja_env.filters["sanitize"] = lambda html: Markup(sanitize_html(html or ""))
    app.jinja_env.filters["pager_query"] = pager_query
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_security_headers)


def external_url(app: Flask, endpoint: str, **values) -> str:
    """An absolute URL on BASE_URL, with or without a request (mails are built by jobs)."""
    base = urlsplit(app.config["BASE_URL"])
    adapter = app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def any_of(name: str, values: Iterable[str]) -> str:
    """A URL rule part that matches one of ``values``: ``<any('rss.xml', 'atom.xml'):name>``."""
    spelled = (value if value.isidentifier() else repr(value) for value in values)
    return "<any({}):{}>".format(", ".join(spelled), name)


def pager_query(args, page: int) -> str:
    """The current query string with ``page`` replaced."""
    pairs = [(k, v) for k, v in args.items(multi=True) if k != "page"]
    return urlencode(pairs + [("page", page)])


def _http_error(error: HTTPException):
    if error.code in (301, 302, 303, 304, 307, 308) or error.code is None:
        return error
    if request.path.startswith("/api/"):
        # An API answers in JSON whatever went wrong, a 500 included (issue 14).
        return jsonify(errors={"request": error.description or error.name}), error.code
    title, message = ERROR_TEXT.get(error.code, (error.name, None))
    if request.blueprint not in (None, "public"):
        # Feeds and APIs answer in plain text; an HTML page would be noise to a feed reader.
        return error
    body = render_template(
        "error.html", code=error.code, title=gettext(title),
        message=gettext(message) if message else error.description,
    )
    return body, error.code


def content_security_policy(html: str = "") -> str:
    """Our pages' policy, which lets in the ``<style>`` elements of ``html`` by their hashes (CSP 3)
    and no other inline style: the digest archive's pages keep the mail's own ``<style>``."""
    hashes = "".join(
        " 'sha256-{}'".format(base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii"))
        for css in _STYLE_ELEMENT.findall(html)
    )
    return (f"default-src 'self'; img-src * data:; script-src 'self'; style-src 'self'{hashes}; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype == "text/html":
        # Article bodies are sanitized already; this is the second line if that ever fails.
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
    return response
