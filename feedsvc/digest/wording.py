"""The words of a digest: its subject, intro and item texts, our defaults or the operators'.

Operators may reword a digest's subject, intro and per-item text without a deploy. What they
write is Jinja source run in a ``SandboxedEnvironment`` with ``StrictUndefined``: no access to
config, files or Python internals, and a typo is an error rather than an empty string.
"""
from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from ..languages import N_, resolve, translations
from ..sanitize import strip_control_chars
from ..timestamps import format_day, format_published
from .compose import DigestContent, DigestItem

SUBJECT_MAX = 150
# Stand-ins for each reader's own links: one body is rendered per edition, then copied per reader.
UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"
PREFERENCES_PLACEHOLDER = "%%PREFERENCES_URL%%"
PLACEHOLDERS = (UNSUBSCRIBE_PLACEHOLDER, PREFERENCES_PLACEHOLDER)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class DigestWording:
    """Operator overrides of a digest's wording; ``None`` keeps our default for that part.

    Each part is Jinja source producing plain text (the HTML body escapes it; blank lines
    separate paragraphs). ``subject`` and ``intro`` see ``site_name, date, count, first_title``
    and word the daily edition; a weekly one keeps ours (WEEKLY_SOURCES, issue 12).
    ``item_template`` produces one item's summary text and sees ``title, summary, source, date,
    category``; the item's title, source and date line and its links stay ours.
    """

    subject: str | None = None
    intro: str | None = None
    item_template: str | None = None


class WordingError(ValueError):
    """Operator wording that does not render; the message names the part and the line."""


@dataclass(frozen=True)
class Worded:
    """A digest's wording rendered for one content: subject, intro and one text per item."""

    subject: str
    intro: str
    summaries: tuple[str, ...]


# Our wording, in English; each language's catalogue holds its own (README.md, "Translating").
DEFAULT_SOURCES = DigestWording(
    # Translators: Jinja source of a digest's subject line; keep the names in {{ }}.
    subject=N_("{{ site_name }} daily digest, {{ date }}: {{ count }} "
               "{{ 'article' if count == 1 else 'articles' }}"
               "{% if first_title %} · {{ first_title }}{% endif %}"),
    # Translators: Jinja source of a digest's first paragraph; keep the names in {{ }}.
    intro=N_("{% if count %}Here {{ 'is' if count == 1 else 'are' }} {{ count }} new "
             "{{ 'article' if count == 1 else 'articles' }} for {{ date }}."
             "{% else %}No new articles for {{ date }}.{% endif %}"),
    item_template="{{ summary }}",
)
# A weekly edition's (issue 12): its subject names it the weekly one, its intro speaks of the week.
WEEKLY_SOURCES = DigestWording(
    # Translators: Jinja source of a weekly digest's subject line; keep the names in {{ }}.
    subject=N_("{{ site_name }} Weekly digest, {{ date }}: {{ count }} "
               "{{ 'article' if count == 1 else 'articles' }}"
               "{% if first_title %} · {{ first_title }}{% endif %}"),
    # Translators: Jinja source of a weekly digest's first paragraph; keep the names in {{ }}.
    intro=N_("{% if count %}Here {{ 'is' if count == 1 else 'are' }} {{ count }} new "
             "{{ 'article' if count == 1 else 'articles' }} from the week to {{ date }}."
             "{% else %}No new articles in the week to {{ date }}.{% endif %}"),
    item_template=DEFAULT_SOURCES.item_template,
)
_PARTS = {"subject": "Subject", "intro": "Intro", "item_template": "Item template"}

_SANDBOX = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def default_wording(language: str, *, weekly: bool = False) -> DigestWording:
    """Our own wording for ``language`` (a daily edition's unless ``weekly``), e.g. to prefill the admin form."""
    gettext = translations(resolve(language).code).gettext
    sources = WEEKLY_SOURCES if weekly else DEFAULT_SOURCES
    return DigestWording(subject=gettext(sources.subject), intro=gettext(sources.intro),
                         item_template=sources.item_template)


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """``text`` as one header-safe line of at most ``limit`` characters."""
    line = " ".join(_CONTROL.sub(" ", text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def render_wording(wording: DigestWording | None, content: DigestContent) -> Worded:
    """Subject, intro and item texts of ``content``; raises WordingError on a failing override."""
    parts = _effective(wording, content.language, content.weekly)
    header = _header_values(content)
    subject = _render_subject(parts.subject, header)
    intro = clean(_render("intro", parts.intro, header)).strip()
    zone = ZoneInfo(content.timezone)
    summaries = tuple(
        clean(_render("item_template", parts.item_template,
                      item_values(item, content.language, zone))).strip()
        for item in content.items
    )
    return Worded(subject=subject, intro=intro, summaries=summaries)


def validate_wording(wording: DigestWording, sample: DigestContent) -> list[str]:
    """One-line messages for each override that fails against ``sample``; empty when all render."""
    errors = []
    header = _header_values(sample)
    zone = ZoneInfo(sample.timezone)
    items = sample.items or (_stand_in_item(sample),)
    for part in _PARTS:
        source = getattr(wording, part)
        if source is None:
            continue
        runs = (
            [item_values(item, sample.language, zone) for item in items]
            if part == "item_template" else [header]
        )
        try:
            for values in runs:
                if part == "subject":
                    _render_subject(source, values)
                else:
                    _render(part, source, values)
        except WordingError as error:
            errors.append(str(error))
    return errors


def _effective(wording: DigestWording | None, language: str, weekly: bool) -> DigestWording:
    default = default_wording(language, weekly=weekly)
    if wording is None:
        return default
    # The operators' subject and intro are the daily edition's words: a weekly edition keeps
    # ours, so its subject always says it is the weekly one (issue 12). Item text serves both.
    return DigestWording(
        subject=default.subject if wording.subject is None or weekly else wording.subject,
        intro=default.intro if wording.intro is None or weekly else wording.intro,
        item_template=default.item_template if wording.item_template is None
        else wording.item_template,
    )


def _render_subject(source: str, values: dict) -> str:
    subject = one_line(clean(_render("subject", source, values)))
    if not subject:
        raise WordingError("Subject: renders as an empty line")
    return subject


def _render(part: str, source: str, values: dict) -> str:
    label = _PARTS[part]
    try:
        return _SANDBOX.from_string(source).render(values)
    except TemplateSyntaxError as error:
        raise WordingError(f"{label}, line {error.lineno}: {error.message}") from error
    # The operator's template may fail in any way Python code can (a TypeError from adding a
    # number to a string, a ZeroDivisionError, the sandbox's SecurityError); each is refused.
    except Exception as error:
        where = [f.lineno for f in traceback.extract_tb(error.__traceback__)
                 if f.filename == "<template>"]
        line = f", line {where[-1]}" if where else ""
        message = " ".join(str(error).split()) or type(error).__name__
        raise WordingError(f"{label}{line}: {message}") from error


def _header_values(content: DigestContent) -> dict:
    first = content.items[0].title if content.items else ""
    return {
        "site_name": clean(content.site_name),
        "date": format_day(content.edition_date, content.language),
        "count": len(content.items),
        "first_title": one_line(clean(first)),
    }


def item_values(item: DigestItem, language: str, zone: ZoneInfo) -> dict:
    """What an item template sees of ``item``: cleaned one-line fields, the date in ``zone``."""
    return {
        "title": one_line(clean(item.title), limit=1000),
        "summary": clean(item.summary),
        "source": one_line(clean(item.source_name or "")),
        "date": format_published(item.published, item.day, language, zone),
        "category": one_line(clean(item.category or "")),
    }


def _stand_in_item(sample: DigestContent) -> DigestItem:
    # An empty sample would leave the item template untried; this one exercises every variable.
    return DigestItem(
        title="Sample title 示例标题",
        url=sample.site_url,
        published=datetime.combine(sample.edition_date, datetime.min.time(), timezone.utc),
        summary="A sample summary. 示例摘要。",
        source_name="Sample source",
        category="Sample category",
    )


def clean(text: str) -> str:
    """``text`` without XML-forbidden characters or personal-link placeholders."""
    text = strip_control_chars(text)
    # A title that spells a placeholder would otherwise receive each reader's personal link.
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, "")
    return text

