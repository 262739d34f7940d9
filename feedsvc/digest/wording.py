"""The words of our emails in zh-CN and en: fixed strings, dates, and operator wording.

Operators may reword a digest's subject, intro and per-item text without a deploy. What they
write is Jinja source run in a ``SandboxedEnvironment`` with ``StrictUndefined``: no access to
config, files or Python internals, and a typo is an error rather than an empty string.
"""
from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from ..sanitize import strip_control_chars
from .compose import DigestContent, DigestItem

SUBJECT_MAX = 150
# Stand-ins for each reader's own links: one body is rendered per edition, then copied per reader.
UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"
PREFERENCES_PLACEHOLDER = "%%PREFERENCES_URL%%"
PLACEHOLDERS = (UNSUBSCRIBE_PLACEHOLDER, PREFERENCES_PLACEHOLDER)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Fixed wording of the emails; ``%(name)s`` values are filled in by the templates.
STRINGS = {
    "zh-CN": {
        "meta_source": "来源：%(source)s",
        "read_here": "在%(site)s阅读",
        "read_original": "阅读原文",
        "no_items": "本期没有新文章。",
        "reason": "您收到这封邮件，是因为您在%(site)s订阅了每日摘要。",
        "unsubscribe": "退订",
        "preferences": "管理订阅",
        "line": "%(label)s：%(url)s",
        "confirm_subject": "请确认订阅%(site)s每日摘要",
        "confirm_heading": "请确认订阅",
        "confirm_body": "请点击下面的链接，确认订阅%(site)s的每日摘要。",
        "confirm_button": "确认订阅",
        "confirm_link": "如果按钮无法点击，请将以下链接复制到浏览器中打开：",
        "confirm_nothing_sent": "在您确认之前，我们不会向您发送任何邮件。",
        "confirm_expiry": "此链接将在 %(hours)d 小时后失效。",
        "confirm_ignore": "如果您没有订阅，请忽略这封邮件，我们不会再联系您。",
    },
    "en": {
        "meta_source": "Source: %(source)s",
        "read_here": "Read on %(site)s",
        "read_original": "Read the original",
        "no_items": "No new articles in this edition.",
        "reason": "You receive this email because you subscribed to the daily digest of %(site)s.",
        "unsubscribe": "Unsubscribe",
        "preferences": "Manage your subscription",
        "line": "%(label)s: %(url)s",
        "confirm_subject": "Confirm your subscription to %(site)s",
        "confirm_heading": "Confirm your subscription",
        "confirm_body": "Please follow the link below to confirm your subscription to the "
                        "daily digest of %(site)s.",
        "confirm_button": "Confirm subscription",
        "confirm_link": "If the button does not work, copy this link into your browser:",
        "confirm_nothing_sent": "We will send you nothing unless you confirm.",
        "confirm_expiry": "This link expires in %(hours)d hours.",
        "confirm_ignore": "If you did not ask to subscribe, ignore this email; "
                          "we will not write to you again.",
    },
}


@dataclass(frozen=True)
class DigestWording:
    """Operator overrides of a digest's wording; ``None`` keeps our default for that part.

    Each part is Jinja source producing plain text (the HTML body escapes it; blank lines
    separate paragraphs). ``subject`` and ``intro`` see ``site_name, date, count, first_title``.
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


DEFAULTS = {
    "zh-CN": DigestWording(
        subject="{{ site_name }}每日摘要 · {{ date }} · {{ count }} 篇"
                "{% if first_title %}：{{ first_title }}{% endif %}",
        intro="{% if count %}{{ date }}，为您送上 {{ count }} 篇新文章。"
              "{% else %}{{ date }}没有新文章。{% endif %}",
        item_template="{{ summary }}",
    ),
    "en": DigestWording(
        subject="{{ site_name }} daily digest, {{ date }}: {{ count }} "
                "{{ 'article' if count == 1 else 'articles' }}"
                "{% if first_title %} · {{ first_title }}{% endif %}",
        intro="{% if count %}Here {{ 'is' if count == 1 else 'are' }} {{ count }} new "
              "{{ 'article' if count == 1 else 'articles' }} for {{ date }}."
              "{% else %}No new articles for {{ date }}.{% endif %}",
        item_template="{{ summary }}",
    ),
}
_PARTS = {"subject": "Subject", "intro": "Intro", "item_template": "Item template"}

_SANDBOX = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def language_key(language: str) -> str:
    """``'en'`` for any English tag, else ``'zh-CN'`` (our default language)."""
    return "en" if language.lower().startswith("en") else "zh-CN"


def default_wording(language: str) -> DigestWording:
    """Our own wording for ``language``, e.g. to prefill the admin form."""
    return DEFAULTS[language_key(language)]


def format_day(day: date, language: str) -> str:
    """``2026年11月20日`` or ``20 Nov 2026``; month names are ours, not the C locale's."""
    if language_key(language) == "en":
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def format_moment(moment: datetime, language: str, zone: ZoneInfo) -> str:
    """An aware datetime in ``zone``: ``2026年11月20日 09:30`` or ``20 Nov 2026, 09:30``."""
    if moment.utcoffset() is None:
        raise ValueError(f"digest dates must be timezone-aware, got naive {moment.isoformat()}")
    local = moment.astimezone(zone)
    joiner = ", " if language_key(language) == "en" else " "
    return f"{format_day(local.date(), language)}{joiner}{local:%H:%M}"


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """``text`` as one header-safe line of at most ``limit`` characters."""
    line = " ".join(_CONTROL.sub(" ", text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def render_wording(wording: DigestWording | None, content: DigestContent) -> Worded:
    """Subject, intro and item texts of ``content``; raises WordingError on a failing override."""
    parts = _effective(wording, content.language)
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


def _effective(wording: DigestWording | None, language: str) -> DigestWording:
    default = default_wording(language)
    if wording is None:
        return default
    return DigestWording(
        subject=default.subject if wording.subject is None else wording.subject,
        intro=default.intro if wording.intro is None else wording.intro,
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
        "date": format_moment(item.published, language, zone),
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

