"""Thin views over feedsvc.articles."""
from __future__ import annotations

import math

from flask import abort, current_app, render_template

from ..articles import (
    ALL, KINDS, count_articles, facet_counts, get_article, list_articles, reprints_of, resolve_scope,
    search_articles,
)
from ..db import get_session
from ..feeds.formats import FORMATS
from ..feeds.views import feed_url
from ..i18n import current_language
from ..inputs import page_arg, text_arg
from ..web import any_of
from . import bp


@bp.after_request
def _vary_on_language(response):
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.route("/")
def index():
    """The latest articles, with category and source navigation."""
    return _listing_page(ALL)


@bp.route(f"/{any_of('kind', KINDS)}/<slug>")
def listing(kind: str, slug: str):
    """The articles of one category, source or tag."""
    scope = resolve_scope(get_session(), kind, slug)
    if scope is None:
        abort(404)
    return _listing_page(scope)


@bp.route("/articles/<slug>")
def article(slug: str):
    """One article with its original source."""
    session = get_session()
    found = get_article(session, slug)
    if found is None:
        abort(404)
    return render_template("public/article.html", article=found, reprints=reprints_of(session, found),
                           **_navigation(ALL))


@bp.route("/search")
def search():
    """Articles whose title or text contains the query."""
    terms = text_arg("q", 200)
    page = page_arg()
    size = current_app.config["PAGE_SIZE"]
    articles, total = search_articles(get_session(), terms, limit=size, offset=(page - 1) * size)
    return render_template(
        "public/search.html", terms=terms.strip(), articles=articles, total=total,
        page=page, pages=max(1, math.ceil(total / size)), **_navigation(ALL),
    )


def _listing_page(scope):
    session = get_session()
    page = page_arg()
    size = current_app.config["PAGE_SIZE"]
    pages = max(1, math.ceil(count_articles(session, scope) / size))
    articles = list_articles(session, scope, limit=size, offset=(min(page, pages) - 1) * size)
    return render_template(
        "public/index.html", scope=scope, articles=articles, page=page, pages=pages,
        **_navigation(scope),
    )


def _navigation(scope) -> dict:
    """What every reader's page shows beside its content: facets, and its feeds to discover."""
    session = get_session()
    site = current_app.config["SITE_NAME"]
    # A reader who sees Chinese in their script discovers the feeds in it too.
    language = current_language()
    lang = {"lang": language.code} if language.opencc else {}
    return {
        "categories": facet_counts(session, "category"),
        "sources": facet_counts(session, "source"),
        "feed_links": {f.name: feed_url(scope, f.name, **lang) for f in FORMATS},
        "feed_title": f"{site} · {scope.name}" if scope.name else site,
    }
