"""Page languages with Flask-Babel: the reader's choice, the catalogues, dates in its format,
and articles in its script.

The language is ``?lang=`` (remembered in a cookie), else the cookie, else the best match of
Accept-Language, else the first of languages.toml. Our strings are gettext msgids in English;
``make setup`` compiles each language's messages.po (README.md, "Translating").
"""
from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g, has_request_context, request, url_for
from babel.dates import get_day_names
from flask_babel import Babel, get_locale, gettext, lazy_gettext
from markupsafe import Markup

from . import languages
from .chinese import convert, convert_html
from .config import site_timezone
from .languages import BY_CODE, CODES, DEFAULT, LANGUAGES, Language, N_
from .timestamps import day_only, format_moment, format_published
from .web import external_url

__all__ = ["N_", "current_language", "gettext", "init_app", "lazy_gettext", "locale", "localtime"]

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# A page that answered a POST has no address to show in another language; these stand in.
_LANG_FALLBACK = {"admin": "admin.dashboard"}

babel = Babel()


def init_app(app: Flask) -> None:
    """Choose each request's language and give templates ``_``, ``locale`` and ``lang_url``."""
    for code in CODES:
        languages.translations(code)  # a missing catalogue stops the start, not a page later
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(languages.translations_dir()))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT.locale)
    babel.init_app(app, locale_selector=_babel_locale)
    app.after_request(_remember_language)
    app.jinja_env.globals.update(locale=locale, LANGUAGES=LANGUAGES, lang_url=lang_url, published=published,
                                 weekday_names=weekday_names)
    app.jinja_env.filters.update(localtime=localtime, in_script=in_script)
    app.jinja_env.globals["content_lang"] = content_lang


def current_language() -> Language:
    """The language of the current page (chosen once per request)."""
    if "language" not in g:
        asked = languages.find(request.args.get("lang"))
        g.language_asked = asked is not None
        g.language = asked or _remembered() or _accepted() or DEFAULT
    return g.language


def _babel_locale() -> str | None:
    # Outside a request (commands, jobs) Flask-Babel falls back to BABEL_DEFAULT_LOCALE.
    return current_language().locale if has_request_context() else None


def _remembered() -> Language | None:
    return BY_CODE.get(request.cookies.get(COOKIE, ""))


def _accepted() -> Language | None:
    # In the reader's order of preference; Werkzeug's best_match would take zh-TW for zh-CN.
    return next(filter(None, (languages.match(tag) for tag, _q in request.accept_languages)), None)


def _remember_language(response):
    current_language()  # a redirect or a feed may have been answered without asking
    if g.language_asked:
        response.set_cookie(COOKIE, g.language.code, max_age=COOKIE_MAX_AGE, samesite="Lax")
    return response


def locale() -> str:
    """The code of the current page's language: ``zh-CN``, ``en``."""
    return current_language().code


def lang_url(code: str | None, external: bool = False) -> str:
    """This page in the language ``code`` (None: as negotiated), absolute on BASE_URL if ``external``.

    A page answering a POST has no address of its own; its section's first page stands in.
    """
    endpoint, values = request.endpoint, request.args.to_dict(flat=False) | (request.view_args or {})
    if request.method != "GET" or endpoint is None:
        endpoint, values = _LANG_FALLBACK.get(request.blueprint or "", "public.index"), {}
    values.pop("lang", None)
    if code is not None:
        values["lang"] = code
    if external:
        return external_url(current_app._get_current_object(), endpoint, **values)
    return url_for(endpoint, **values)


def weekday_names() -> list[tuple[int, str]]:
    """(ISO weekday, its name in the page's language): 1 Monday … 7 Sunday, from CLDR (Babel)."""
    names = get_day_names("wide", locale=get_locale())  # keyed as date.weekday(): 0 is Monday
    return [(number + 1, names[number]) for number in range(7)]


def localtime(value: datetime | None) -> str:
    """An aware datetime in the site's time zone, in the page language's format."""
    if value is None:
        return ""
    return format_moment(value, locale(), site_timezone(current_app))


def in_script(value) -> str:
    """Article text (a title, a name; sanitized HTML as Markup) in the page reader's script."""
    if value is None:
        return ""
    config = current_language().opencc
    return convert_html(value, config) if isinstance(value, Markup) else convert(str(value), config)


def content_lang(lang: str | None) -> str:
    """An article's ``lang`` as the page shows it: Chinese converted to the reader's script is theirs."""
    language = current_language()
    return language.code if language.opencc and (lang or "").startswith("zh") else lang or ""


def published(article) -> Markup:
    """An article's ``<time>``: the day alone when its file gave no time, else day and time."""
    zone = site_timezone(current_app)
    day = day_only(article.published_at, article.published_date_only, zone)
    text = format_published(article.published_at, day, locale(), zone)
    return Markup('<time datetime="{}">{}</time>').format((day or article.published_at).isoformat(), text)
