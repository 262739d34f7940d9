"""The digest archive over HTTP: its pages and feed cached like the article feeds (strong ETag
per encoding, Last-Modified, 304), and the editions' Atom feed (issue 12)."""
from __future__ import annotations

from typing import Callable

from flask import Response, current_app, request

from .. import languages
from ..db import get_session
from ..inputs import page_arg
from ..services.archive import archive_version, editions_feed
from ..web import content_security_policy
from .cache import FeedCache, RenderedFeed, VersionClock
from .formats import BY_NAME
from .views import bp, conditional_response


@bp.record_once
def _setup(state) -> None:
    state.app.extensions["feedsvc.archive_cache"] = FeedCache(state.app.config["FEED_CACHE_SIZE"])
    # The archive changes when the worker makes editions, not only when the store changes, so it
    # has a clock of its own (archive_version), read as seldom as the feeds' store version.
    state.app.extensions["feedsvc.archive_version"] = VersionClock(state.app.config["FEED_VERSION_CHECK_SECONDS"])


def serve_archive(key: tuple, make: Callable[[], tuple[bytes, object]], content_type: str, *,
                  html: bool = False) -> Response:
    """An archive page or feed: from the cache under ``key`` and the archive's version, else
    ``make()`` (its bytes and when it last changed; it may abort); ``html``: a page whose own
    ``<style>`` the Content-Security-Policy lets in."""
    version = current_app.extensions["feedsvc.archive_version"].get(lambda: archive_version(get_session()))
    rendered = current_app.extensions["feedsvc.archive_cache"].get_or_put(
        (version, *key), lambda: RenderedFeed.of(*make()))
    response = conditional_response(rendered, content_type)
    if html:
        response.headers["Content-Security-Policy"] = content_security_policy(rendered.body.decode("utf-8"))
    return response


@bp.route("/digests/atom.xml")
def editions() -> Response:
    """The digest editions as an Atom feed, one entry per date: the site's language, or ``?lang=``."""
    language = (languages.find(request.args.get("lang")) or languages.DEFAULT).code
    page = page_arg()
    return serve_archive(
        ("feed", language, page),
        lambda: editions_feed(current_app._get_current_object(), get_session(), language, page=page),
        BY_NAME["atom"].content_type,
    )
