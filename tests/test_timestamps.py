"""Dates as readers see them: each language's format, and a date-only article's day alone (issue 14)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from feedsvc.timestamps import day_only, format_day, format_moment, format_published

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
MOMENT = datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai
# What the importer stores for "2026-11-21" alone: midnight of that day in the site's zone.
DATE_ONLY = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("language, day, moment", [
    ("zh-CN", "2026年11月20日", "2026年11月20日 09:30"),
    ("en", "Nov 20, 2026", "Nov 20, 2026, 9:30\u202fAM"),  # CLDR's narrow no-break space
    ("en-GB", "Nov 20, 2026", "Nov 20, 2026, 9:30\u202fAM"),  # our English, whatever the region
    ("fr", "2026年11月20日", "2026年11月20日 09:30"),  # not ours: the default language
])
def test_each_language_has_its_own_format(language, day, moment):
    assert format_day(MOMENT.date(), language) == day
    assert format_moment(MOMENT, language, SHANGHAI) == moment


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_moment(datetime(2026, 11, 20, 9, 30), "en", SHANGHAI)


def test_a_date_only_article_keeps_its_day_for_every_reader():
    day = day_only(DATE_ONLY, True, SHANGHAI)
    assert day == date(2026, 11, 21)
    # In New York it is still the 20th at 11:00; the article's day is the 21st all the same.
    assert format_published(DATE_ONLY, day, "en", NEW_YORK) == "Nov 21, 2026"
    assert format_published(DATE_ONLY, day, "zh-CN", NEW_YORK) == "2026年11月21日"


def test_a_time_shows_with_its_day():
    assert day_only(MOMENT, False, SHANGHAI) is None
    assert format_published(MOMENT, None, "zh-CN", SHANGHAI) == "2026年11月20日 09:30"
    # A time the file gave is shown even when it is midnight: the store says which it was.
    assert day_only(DATE_ONLY, False, SHANGHAI) is None
    assert format_published(DATE_ONLY, None, "zh-CN", SHANGHAI) == "2026年11月21日 00:00"
