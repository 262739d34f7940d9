"""Dates and times as readers see them: each language's own format (Babel's CLDR data), in a zone (pure).

An article whose file gave only a day is stored at midnight of that day in the site's zone
(ingest/store.py, issue 2) and marked ``published_date_only``; it shows the day alone, the same
day for every reader whatever their zone (issue 14).
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format

from .languages import resolve

DATE_FORMAT = "medium"  # 2026年11月20日, Nov 20, 2026
TIME_FORMAT = "short"  # 09:30, 上午9:30, 9:30 AM


def format_day(day: date, language: str) -> str:
    """A day in ``language``'s format: ``2026年11月20日``, ``Nov 20, 2026``."""
    return format_date(day, DATE_FORMAT, locale=resolve(language).babel)


def format_moment(moment: datetime, language: str, zone: ZoneInfo) -> str:
    """An aware datetime in ``zone``, day and time: ``2026年11月20日 09:30``, ``Nov 20, 2026, 9:30 AM``."""
    if moment.utcoffset() is None:
        raise ValueError(f"dates shown must be timezone-aware, got naive {moment.isoformat()}")
    locale = resolve(language).babel
    local = moment.astimezone(zone)
    # CLDR's own pattern for joining a date and a time ("{1} {0}", "{1}, {0}").
    return (get_datetime_format(DATE_FORMAT, locale=locale)
            .replace("{1}", format_date(local.date(), DATE_FORMAT, locale=locale))
            .replace("{0}", format_time(local.time(), TIME_FORMAT, locale=locale)))


def day_only(published: datetime, date_only: bool, site_zone: ZoneInfo) -> date | None:
    """The day an article gave without a time (stored at midnight in the site's zone), else None."""
    return published.astimezone(site_zone).date() if date_only else None


def format_published(published: datetime, day: date | None, language: str, zone: ZoneInfo) -> str:
    """When an article was published: its ``day`` alone if it gave no time, else day and time in ``zone``."""
    return format_day(day, language) if day is not None else format_moment(published, language, zone)
