"""Feed endpoints: what only the web knows (URLs, query options, caching, conditional GET)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request

from .. import languages
from ..articles import ALL, KINDS, LISTED_KINDS, Scope, facet_counts, resolve_scope
from ..db import get_session
from ..inputs import int_arg, page_arg
from ..models import current_store_version
from ..web import any_of, external_url
from .build import FeedLinks, FeedRequest, build_feed, scope_facts
from .cache import FeedCache, RenderedFeed, VersionClock
from .formats import BY_FILE_NAME, BY_NAME, FORMATS
from .opml import OpmlSource, render_opml

bp = Blueprint("feeds", __name__)

_FILE_NAME = any_of("name", BY_FILE_NAME)  # <any('rss.xml', 'atom.xml', 'feed.json'):name>
_KIND = any_of("kind", KINDS)


@bp.record_once
def _setup(state) -> None:
    state.app.extensions["feedsvc.feed_cache"] = FeedCache(state.app.config["FEED_CACHE_SIZE"])
    # Per (store version, scope): the count and newest change every page and format of a
    # scope's feed shares, so a miss does not count 100,000 articles again (issue 11).
    state.app.extensions["feedsvc.feed_facts"] = FeedCache(state.app.config["FEED_CACHE_SIZE"])
    state.app.extensions["feedsvc.feed_version"] = VersionClock(state.app.config["FEED_VERSION_CHECK_SECONDS"])
    state.app.jinja_env.globals["feed_formats"] = FORMATS


@bp.route(f"/feeds/{_FILE_NAME}")
def feed(name: str) -> Response:
    """The site's feeds."""
    return _serve(ALL, BY_FILE_NAME[name].name)


@bp.route(f"/feeds/{_KIND}/<slug>/{_FILE_NAME}")
def scoped(kind: str, slug: str, name: str) -> Response:
    """A category's, source's or tag's feeds."""
    scope = resolve_scope(get_session(), kind, slug)
    if scope is None:
        abort(404)
    return _serve(scope, BY_FILE_NAME[name].name)


@bp.route("/feeds.opml")
def opml() -> Response:
    """Every feed we serve, as an OPML 2.0 subscription list."""
    site = current_app.config["SITE_NAME"]
    groups = [(site, [ALL])] + [
        (kind, [Scope(kind, slug, name) for slug, name, _n in facet_counts(get_session(), kind)])
        for kind in LISTED_KINDS
    ]
    data = render_opml(site, [(title, [_opml_source(scope) for scope in scopes]) for title, scopes in groups])
    return Response(data, content_type="text/x-opml; charset=utf-8")


def _opml_source(scope: Scope) -> OpmlSource:
    return OpmlSource(name=scope.name or current_app.config["SITE_NAME"], html_url=home_url(scope),
                      feed_urls={f.name: feed_url(scope, f.name) for f in FORMATS})


def feed_url(scope: Scope, fmt: str, **query) -> str:
    """The absolute URL of a feed on BASE_URL (never the host of whichever request runs)."""
    app = current_app._get_current_object()
    name = BY_NAME[fmt].file_name
    if scope is ALL or scope.kind == "all":
        return external_url(app, "feeds.feed", name=name, **query)
    return external_url(app, "feeds.scoped", kind=scope.kind, slug=scope.slug, name=name, **query)


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
        page=page_arg(),
        limit=int_arg("limit", config["FEED_SIZE"], high=config["FEED_MAX_SIZE"]),
        full=request.args.get("full", "1").lower() not in ("0", "false", "no"),
        language=feed_language(request.args.get("lang")),
    )
    cache: FeedCache = current_app.extensions["feedsvc.feed_cache"]
    version = current_app.extensions["feedsvc.feed_version"].get(lambda: current_store_version(get_session()))
    key = (version, feed_request)
    rendered = cache.get(key)
    if rendered is None:
        facts = current_app.extensions["feedsvc.feed_facts"].get_or_put(
            (version, scope), lambda: scope_facts(get_session(), scope))
        rendered = RenderedFeed.of(*build_feed(
            get_session(), feed_request, _links(feed_request),
            site_name=config["SITE_NAME"], language=config["FEED_LANGUAGE"],
            hub_url=config["WEBSUB_HUB"], facts=facts,
        ))
        cache.put(key, rendered)
    return conditional_response(rendered, BY_NAME[fmt].content_type)


def conditional_response(rendered: RenderedFeed, content_type: str) -> Response:
    """``rendered`` as the request accepts it (gzip or not), with its validators: 304 when unchanged."""
    gzipped = request.accept_encodings["gzip"] > 0
    response = Response(rendered.gzipped if gzipped else rendered.body, content_type=content_type)
    if gzipped:
        response.content_encoding = "gzip"
    response.set_etag((rendered.gzip_etag if gzipped else rendered.etag).strip('"'))
    response.last_modified = rendered.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["FEED_MAX_AGE"]
    response.vary.add("Accept-Encoding")
    return response.make_conditional(request)


def feed_language(asked: str | None) -> str | None:
    """The language a feed's Chinese is converted for (``?lang=``); None: as stored, one cache entry."""
    language = languages.find(asked)
    return language.code if language is not None and language.opencc else None


def _links(feed_request: FeedRequest) -> FeedLinks:
    scope = feed_request.scope
    # Links name only what differs from the defaults, so requests that ask for the same feed
    # in other words (?limit=20&page=1) get the same bytes, and one cache entry serves them.
    query = {}
    if feed_request.limit != current_app.config["FEED_SIZE"]:
        query["limit"] = feed_request.limit
    if not feed_request.full:
        query["full"] = 0
    # The converted feed links its own pages, and reading pages in its reader's language.
    lang = {"lang": feed_request.language} if feed_request.language else {}
    query |= lang

    def page_url(page: int) -> str:
        return feed_url(scope, feed_request.fmt, **query, **({"page": page} if page > 1 else {}))

    return FeedLinks(
        article=lambda slug: external_url(current_app._get_current_object(), "public.article", slug=slug, **lang),
        feed=page_url,
        home=home_url(scope),
        tag_authority=current_app.config["TAG_AUTHORITY"] or urlsplit(current_app.config["BASE_URL"]).hostname,
    )


from . import editions  # noqa: E402,F401  (the digest archive's feed, and its cache, on bp)
