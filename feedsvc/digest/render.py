"""Digest and confirmation emails from the Jinja templates in templates/email (pure).

A digest is rendered once per content (topic set, language and time zone) with placeholders
where each reader's own links go; ``personalise`` fills them in with plain string replacement,
so a large mailing costs one render and many cheap copies.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from ..chinese import convert
from ..languages import resolve, translations
from ..sanitize import is_safe_url
from ..timestamps import format_day
from .compose import DigestContent, DigestItem
from .wording import (
    PREFERENCES_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    DigestWording,
    WordingError,
    clean,
    item_values,
    one_line,
    render_wording,
    validate_wording,
)

__all__ = [
    "PREFERENCES_PLACEHOLDER", "UNSUBSCRIBE_PLACEHOLDER", "DigestWording", "EditionPage", "RenderedDigest",
    "WordingError", "digest_context", "personalise", "render_confirmation", "render_digest",
    "render_edition_page", "validate_wording",
]

PREHEADER_TITLES = 3
_PLACEHOLDER = re.compile(
    "|".join(re.escape(p) for p in (UNSUBSCRIBE_PLACEHOLDER, PREFERENCES_PLACEHOLDER))
)
# Media queries cannot be inlined, so they stay in a <style> block for the clients that read
# one; remote stylesheets are never fetched (the templates link none, and rendering is offline).
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class RenderedDigest:
    """A rendered email: a one-line subject, an HTML body with inlined CSS, a plain-text body."""

    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class _ItemView:
    title: str
    url: str
    meta: str  # source, date and category on one line
    paragraphs: tuple[str, ...]
    original_url: str | None


def render_digest(
    content: DigestContent, *, templates_dir: Path, wording: DigestWording | None = None
) -> RenderedDigest:
    """One edition's email, placeholders left for ``personalise``; WordingError on bad wording."""
    context = digest_context(content, wording)
    env = _environment(Path(templates_dir), context["lang"])
    return RenderedDigest(
        subject=context["subject"],
        html=_INLINER.inline(env.get_template("digest.html").render(context)),
        text=env.get_template("digest.txt").render(context),
    )


def digest_context(content: DigestContent, wording: DigestWording | None = None) -> dict:
    """What the digest templates see of ``content``: the mail's and the archive page's values."""
    lang = resolve(content.language).code
    content = in_readers_script(content)
    worded = render_wording(wording, content)
    zone = ZoneInfo(content.timezone)
    items = tuple(
        _item_view(item, summary, lang, zone)
        for item, summary in zip(content.items, worded.summaries, strict=True)
    )
    titles = " · ".join(item.title for item in items[:PREHEADER_TITLES])
    context = {
        "lang": lang,
        "subject": worded.subject,
        "site_name": clean(content.site_name),
        "site_url": content.site_url,
        "edition": format_day(content.edition_date, lang),
        "weekly": content.weekly,
        "intro": _paragraphs(worded.intro),
        "items": items,
        "preheader": one_line(titles or worded.intro),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
        "archive_url": _archive_url(content.archive_url),
    }
    return context


def in_readers_script(content: DigestContent) -> DigestContent:
    """The items' words in the reader's script (OpenCC); the store keeps what was written."""
    opencc = resolve(content.language).opencc
    if not opencc:
        return content
    items = tuple(
        replace(item, title=convert(item.title, opencc), summary=convert(item.summary, opencc),
                source_name=item.source_name and convert(item.source_name, opencc),
                category=item.category and convert(item.category, opencc))
        for item in content.items
    )
    return replace(content, items=items)


def personalise(
    rendered: RenderedDigest, *, unsubscribe_url: str, preferences_url: str
) -> RenderedDigest:
    """``rendered`` with one reader's links in place of the placeholders."""
    for url in (unsubscribe_url, preferences_url):
        if not is_safe_url(url):
            raise ValueError(f"personal links must be absolute http(s) URLs, got {url!r}")
    raw = {UNSUBSCRIBE_PLACEHOLDER: unsubscribe_url, PREFERENCES_PLACEHOLDER: preferences_url}
    # The placeholders sit in href attributes, where '&' and quotes must be escaped.
    escaped = {key: str(escape(value)) for key, value in raw.items()}
    return RenderedDigest(
        subject=rendered.subject,
        html=_PLACEHOLDER.sub(lambda m: escaped[m.group()], rendered.html),
        text=_PLACEHOLDER.sub(lambda m: raw[m.group()], rendered.text),
    )


def render_confirmation(
    *, site_name: str, confirm_url: str, language: str, expires_hours: int, templates_dir: Path
) -> RenderedDigest:
    """The double opt-in email: one link to confirm, sent before anything else."""
    if not is_safe_url(confirm_url):
        raise ValueError(f"confirm_url must be an absolute http(s) URL, got {confirm_url!r}")
    lang = resolve(language).code
    gettext = translations(lang).gettext
    site_name = clean(site_name)
    subject = one_line(gettext("Confirm your subscription to %(site)s") % {"site": site_name})
    context = {
        "lang": lang,
        "subject": subject,
        "site_name": site_name,
        "site_url": None,
        "confirm_url": confirm_url,
        "expires_hours": expires_hours,
        "preheader": gettext("We will send you nothing unless you confirm."),
    }
    env = _environment(Path(templates_dir), lang)
    return RenderedDigest(
        subject=subject,
        html=_INLINER.inline(env.get_template("confirm.html").render(context)),
        text=env.get_template("confirm.txt").render(context),
    )


@lru_cache(maxsize=16)
def _environment(templates_dir: Path, language: str) -> Environment:
    """The mail templates with ``_()`` in ``language`` (one environment per language)."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        # Only .html is escaped. No macro is shared between .html and .txt templates: Jinja
        # marks a macro's output safe when the *caller* autoescapes, so a text macro called
        # from HTML would pass article data through unescaped.
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)
    return env


def _archive_url(url: str | None) -> str | None:
    # Every reader of the edition gets this one link, so it is checked like the items' links.
    if url is not None and not is_safe_url(url):
        raise ValueError(f"a digest's archive page must be an absolute URL, got {url!r}")
    return url


@dataclass(frozen=True)
class EditionPage:
    """What the archive's web page of an edition adds to the mail; URLs absolute."""

    archive_url: str  # the list of editions
    feed_url: str  # the editions' Atom feed, for autodiscovery
    feed_title: str
    subscribe_url: str
    languages: tuple[tuple[str, str, str], ...]  # (code, label, this page in it), hreflang alternates
    default_url: str  # this page without ?lang= (hreflang x-default)


def render_edition_page(content: DigestContent, page: EditionPage, *, templates_dir: Path,
                        wording: DigestWording | None = None) -> str:
    """``content`` as a web page: the mail's templates and wording, a footer for the web instead
    of the personal links, and the CSS left in its ``<style>`` (a browser reads it; the mail's
    inlined ``style`` attributes would need a looser Content-Security-Policy)."""
    context = digest_context(replace(content, archive_url=None), wording) | {"page": page}
    return _environment(Path(templates_dir), context["lang"]).get_template("edition.html").render(context)


def _item_view(item: DigestItem, summary: str, lang: str, zone: ZoneInfo) -> _ItemView:
    if not is_safe_url(item.url):
        raise ValueError(f"a digest item's reading page must be an absolute URL, got {item.url!r}")
    values = item_values(item, lang, zone)
    source = values["source"]
    meta = (
        translations(lang).gettext("Source: %(source)s") % {"source": source} if source else "",
        values["date"],
        values["category"],
    )
    return _ItemView(
        title=values["title"],
        url=item.url,
        meta=" · ".join(part for part in meta if part),
        paragraphs=_paragraphs(summary),
        original_url=item.original_url.strip() if is_safe_url(item.original_url) else None,
    )


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())
