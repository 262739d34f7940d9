"""Dates as news pages print them: ISO, slashes, 年月日, English month names, with or without a time."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone, tzinfo

_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        start=1,
    )
    for name in names
}
# Possessive before the hour: two adjacent whitespace runs made a failed time after a date
# quadratic in the spaces that followed it.
_TIME = (
    r"(?:[T\s]*+(?P<ampm_zh>上午|下午|晚上)?\s*+(?P<hour>\d{1,2})\s*[:时時点點]\s*(?P<minute>\d{2})"
    r"(?:\s*[:分]\s*(?P<second>\d{2}))?(?:\.\d+)?\s*分?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:(?P<offset>Z|[+-]\d{2}:?\d{2}|UTC|GMT|[ECMP][SD]?T|BST|CES?T|JST|KST|HKT|SGT|AE[SD]T)(?![A-Za-z]))?)?"
)
_DATE_PATTERNS = (
    # The time first, as wire services print it: "10:05 AM GMT, June 2, 2024" (tried
    # first: the date alone would match the patterns below and lose the time).
    re.compile(
        r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
        r"\s*(?:(?P<offset>Z|UTC|GMT|[ECMP][SD]?T|BST|CES?T|JST|KST|HKT|SGT|AE[SD]T)(?![A-Za-z]))?,?\s*(?:on\s+)?"
        r"(?:[A-Z][a-z]+day,?\s+)?(?P<mname>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
    ),
    re.compile(r"(?P<year>\d{4})\s*[-/.]\s*(?P<month>\d{1,2})\s*[-/.]\s*(?P<day>\d{1,2})(?!\d)" + _TIME),
    re.compile(r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号號]?" + _TIME),
    re.compile(
        r"(?P<mname>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
        r"(?:\s*(?:at|,)?\s*)" + _TIME
    ),
    re.compile(r"(?P<day>\d{1,2})\s+(?P<mname>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4})(?:\s*,?\s*)" + _TIME),
)
# Every pattern above needs a year: a string without four digits in a row holds no date, and
# most lines a page or dump is read for have none (one search instead of four; issue 11).
_YEAR = re.compile(r"\d{4}")


def parse_date(value: str | None, tz: tzinfo) -> datetime | date | None:
    """A date, or an aware datetime when a time is given (local times are taken in ``tz``)."""
    if not value:
        return None
    # NFKC folds full-width digits and colons (２０２３：) into ASCII.
    value = unicodedata.normalize("NFKC", value)
    if not _YEAR.search(value):
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.search(value)
        if match:
            try:
                return _build(match, tz)
            except ValueError:
                continue
    return None


def date_span(value: str) -> tuple[int, int] | None:
    """Where the first date (with its time, if any) stands in an NFKC-normalised string."""
    if not _YEAR.search(value):
        return None
    found = [m for m in (pattern.search(value) for pattern in _DATE_PATTERNS) if m]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    return first.start(), first.end()


def _build(match: re.Match, tz: tzinfo) -> datetime | date:
    parts = match.groupdict()
    month = int(parts["month"]) if parts.get("month") else _MONTHS.get(parts["mname"].lower())
    if month is None:
        raise ValueError("not a month name")
    day = date(int(parts["year"]), month, int(parts["day"]))
    if parts["hour"] is None:
        return day
    hour = int(parts["hour"])
    ampm = (parts["ampm"] or "").replace(".", "").lower() or parts.get("ampm_zh")
    if ampm in ("pm", "下午", "晚上") and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    moment = datetime(day.year, day.month, day.day, hour, int(parts["minute"]), int(parts["second"] or 0))
    return moment.replace(tzinfo=_offset(parts["offset"]) or tz)


# Zone abbreviations news pages print after a time ("7:15 a.m. ET"). Bare CST is left out: it is
# China's time on Chinese pages and US Central on American ones.
_ZONE_NAMES = {
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
}
_ZONE_HOURS = {
    "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "BST": 1, "CET": 1,
    "CEST": 2, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11,
}


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    text = text.upper()
    if text in ("Z", "UTC", "GMT"):
        return timezone.utc
    if text in _ZONE_NAMES:
        from zoneinfo import ZoneInfo

        return ZoneInfo(_ZONE_NAMES[text])
    if text in _ZONE_HOURS:
        return timezone(timedelta(hours=_ZONE_HOURS[text]))
    if text[0] not in "+-":
        return None  # CST: the caller's zone decides
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
