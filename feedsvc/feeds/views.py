"""Feed endpoints: what only the web knows (URLs, query options, caching, conditional GET)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request

from ..articles import ALL, Scope, facet_counts, resolve_scope
from ..db import get_session
from ..models import current_store_version
from ..web import external_url
from .build import FeedLinks, FeedRequest, build_feed
from .cache import FeedCache, RenderedFeed, VersionClock
from .render import CONTENT_TYPES

bp = Blueprint("feeds", __name__)

FILES = {"rss.xml": "rss", "atom.xml": "atom", "feed.json": "json"}
_FILE_OF = {fmt: name for name, fmt in FILES.items()}


@bp.record_once
def _setup(state) -> None:
    state.app.extensions["feedsvc.feed_cache"] = FeedCache(state.app.config["FEED_CACHE_SIZE"])
    state.app.extensions["feedsvc.feed_version"] = VersionClock(state.app.config["FEED_VERSION_CHECK_SECONDS"])


@bp.route("/feeds/<any('rss.xml', 'atom.xml', 'feed.json'):name>")
def feed(name: str) -> Response:
    """The site's feeds."""
    return _serve(ALL, FILES[name])


@bp.route("/feeds/<any(category, source, tag):kind>/<slug>/<any('rss.xml', 'atom.xml', 'feed.json'):name>")
def scoped(kind: str, slug: str, name: str) -> Response:
    """A category's, source's or tag's feeds."""
    scope = resolve_scope(get_session(), kind, slug)
    if scope is None:
        abort(404)
    return _serve(scope, FILES[name])


@bp.route("/feeds.opml")
def opml() -> Response:
    """Every feed we serve, as an OPML 2.0 subscription list."""
    session = get_session()
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = current_app.config["SITE_NAME"]
    body = ET.SubElement(root, "body")
    groups = [(current_app.config["SITE_NAME"], [ALL])]
    for kind in ("category", "source"):
        groups.append((kind, [Scope(kind, slug, name) for slug, name, _n in facet_counts(session, kind)]))
    for title, scopes in groups:
        outline = ET.SubElement(body, "outline", text=title)
        for scope in scopes:
            for fmt in ("rss", "atom", "json"):
                ET.SubElement(
                    outline, "outline", type="rss" if fmt != "json" else "json",
                    text=f"{scope.name or current_app.config['SITE_NAME']} ({fmt})",
                    xmlUrl=feed_url(scope, fmt), htmlUrl=home_url(scope),
                )
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(data, content_type="text/x-opml; charset=utf-8")


def feed_url(scope: Scope, fmt: str, **query) -> str:
    """The absolute URL of a feed on BASE_URL (never the host of whichever request runs)."""
    app = current_app._get_current_object()
    if scope is ALL or scope.kind == "all":
        return external_url(app, "feeds.feed", name=_FILE_OF[fmt], **query)
    return external_url(app, "feeds.scoped", kind=scope.kind, slug=scope.slug, name=_FILE_OF[fmt], **query)


def home_url(scope: Scope) -> str:
    """The HTML page a feed mirrors."""
    app = current_app._get_current_object()
    if scope is ALL or scope.kind == "all":
        return external_url(app, "public.index")
    return external_url(app, "public.listing", kind=scope.kind, slug=scope.slug)


def _serve(scope: Scope, fmt: str) -> Response:
    config = current_app.config
    feed_request = FeedRequest(
        fmt=fmt,
        scope=scope,
        page=_int_arg("page", 1, 1, 1_000_000),
        limit=_int_arg("limit", config["FEED_SIZE"], 1, config["FEED_MAX_SIZE"]),
        full=request.args.get("full", "1").lower() not in ("0", "false", "no"),
    )
    cache: FeedCache = current_app.extensions["feedsvc.feed_cache"]
    version = current_app.extensions["feedsvc.feed_version"].get(lambda: current_store_version(get_session()))
    key = (version, feed_request)
    rendered = cache.get(key)
    if rendered is None:
        rendered = RenderedFeed.of(*build_feed(
            get_session(), feed_request, _links(feed_request),
            site_name=config["SITE_NAME"], language=config["FEED_LANGUAGE"],
            hub_url=config["WEBSUB_HUB"],
        ))
        cache.put(key, rendered)
    gzipped = request.accept_encodings["gzip"] > 0
    response = Response(
        rendered.gzipped if gzipped else rendered.body, content_type=CONTENT_TYPES[fmt]
    )
    if gzipped:
        response.content_encoding = "gzip"
    response.set_etag((rendered.gzip_etag if gzipped else rendered.etag).strip('"'))
    response.last_modified = rendered.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = config["FEED_MAX_AGE"]
    response.vary.add("Accept-Encoding")
    return response.make_conditional(request)


def _links(feed_request: FeedRequest) -> FeedLinks:
    scope = feed_request.scope
    # Links name only what differs from the defaults, so requests that ask for the same feed
    # in other words (?limit=20&page=1) get the same bytes, and one cache entry serves them.
    query = {}
    if feed_request.limit != current_app.config["FEED_SIZE"]:
        query["limit"] = feed_request.limit
    if not feed_request.full:
        query["full"] = 0

    def page_url(page: int) -> str:
        return feed_url(scope, feed_request.fmt, **query, **({"page": page} if page > 1 else {}))

    return FeedLinks(
        article=lambda slug: external_url(current_app._get_current_object(), "public.article", slug=slug),
        feed=page_url,
        home=home_url(scope),
        tag_authority=current_app.config["TAG_AUTHORITY"] or urlsplit(current_app.config["BASE_URL"]).hostname,
    )


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"?{name}= must be a whole number")
    return max(low, min(high, value))
