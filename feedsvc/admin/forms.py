"""Validating admin form input: values in, (clean values, field errors in the page's language) out."""
from __future__ import annotations

from ..digest.wording import DigestWording
from ..i18n import gettext as _
from ..ingest.enrich import NAME_LENGTH
from ..sanitize import clean_line, clean_text, split_list

TITLE_MAX = 500
SUMMARY_MAX = 2000
MAX_TAGS = 30
# The sandbox bounds what a template may touch, not how much it may write; short sources
# keep an operator's typo from producing megabytes.
WORDING_MAX = 2000
WORDING_PARTS = ("subject", "intro", "item_template")


def article_form(form: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """An article edit: title required, summary plain text, one category, tags in a typed list."""
    errors = {}
    title = clean_line(form.get("title", ""))
    if not title:
        errors["title"] = _("A title is required.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("At most %(n)d characters.", n=TITLE_MAX)
    summary = clean_text(form.get("summary", ""))
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = _("At most %(n)d characters.", n=SUMMARY_MAX)
    category = clean_line(form.get("category", "")) or None
    if category and len(category) > NAME_LENGTH:
        errors["category"] = _("At most %(n)d characters.", n=NAME_LENGTH)
    tags = split_list(form.get("tags", ""))
    if len(tags) > MAX_TAGS or any(len(t) > NAME_LENGTH for t in tags):
        errors["tags"] = _("At most %(n)d tags of up to 200 characters each.", n=MAX_TAGS)
    return {"title": title, "summary": summary, "category": category, "tags": sorted(tags)}, errors


def wording_form(form: dict[str, str]) -> tuple[DigestWording, dict[str, str]]:
    """Digest wording: each part is Jinja source, an empty part keeps our default for each language."""
    errors, values = {}, {}
    for part in WORDING_PARTS:
        source = form.get(part, "").replace("\r\n", "\n").strip()
        if len(source) > WORDING_MAX:
            errors[part] = _("At most %(n)d characters.", n=WORDING_MAX)
        values[part] = source or None
    return DigestWording(**values), errors


def schedule_form(form: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """A job's interval in whole seconds and whether it runs."""
    try:
        seconds = int(form.get("interval_seconds", "").strip())
    except ValueError:
        return {}, {"interval_seconds": _("Enter a whole number of seconds.")}
    return {"interval_seconds": seconds, "enabled": form.get("enabled") == "1"}, {}
