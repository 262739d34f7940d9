"""The digest archive's pages: past editions by date, and each date's general edition laid out
as the mail is (what a general edition is: digest/archive.py)."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, render_template, request

from ..db import get_session
from ..feeds.editions import serve_archive
from ..i18n import current_language
from ..inputs import page_arg
from ..services.archive import edition_page, editions_feed_title, editions_feed_url, listed_days
from . import bp

HTML = "text/html; charset=utf-8"


@bp.route("/digests/")
def archive():
    """The dates that have a digest, newest first, paged."""
    app = current_app._get_current_object()
    language, page = current_language().code, page_arg()
    # The page's language links and pager repeat its query string, so the query is in the key.
    query = tuple(sorted(request.args.items(multi=True)))

    def make():
        days, pages, updated = listed_days(app, get_session(), language, page=page)
        html = render_template("public/digests.html", days=days, page=page, pages=pages,
                               feed_url=editions_feed_url(app, language),
                               feed_title=editions_feed_title(app, language))
        return html.encode("utf-8"), updated

    return serve_archive(("list", language, query), make, HTML)


@bp.route("/digests/<day:day>")
def edition(day: date):
    """``day``'s digest for every topic, in the page's language; 404 when none was made that day."""
    app = current_app._get_current_object()
    language = current_language().code

    def make():
        found = edition_page(app, get_session(), day, language)
        if found is None:
            abort(404)
        return found

    return serve_archive(("edition", day, language), make, HTML, html=True)
