"""Report period presets and the previous period, worked by hand on the calendar (local dates),
and their UTC bounds across a DST change."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analytics.date_presets import PRESETS, preset_range, previous_period
from components.report_filters import utc_bounds

LONDON = "Europe/London"


@pytest.mark.parametrize(
    ("name", "today", "expected"),
    [
        ("today", date(2026, 11, 30), (date(2026, 11, 30), date(2026, 11, 30))),
        ("yesterday", date(2026, 3, 1), (date(2026, 2, 28), date(2026, 2, 28))),
        ("yesterday", date(2026, 1, 1), (date(2025, 12, 31), date(2025, 12, 31))),
        ("last_7_days", date(2026, 11, 30), (date(2026, 11, 24), date(2026, 11, 30))),
        # Wednesday 2 Dec 2026: this week from Monday 30 Nov, and the 3 weeks before it.
        ("last_4_weeks", date(2026, 12, 2), (date(2026, 11, 9), date(2026, 12, 2))),
        # On a Monday the current week is one day long: 3 whole weeks + Monday.
        ("last_4_weeks", date(2026, 11, 30), (date(2026, 11, 9), date(2026, 11, 30))),
        ("this_month", date(2026, 11, 30), (date(2026, 11, 1), date(2026, 11, 30))),
        ("this_month", date(2026, 2, 1), (date(2026, 2, 1), date(2026, 2, 1))),
        # January: the previous month is December of the year before.
        ("previous_month", date(2026, 1, 15), (date(2025, 12, 1), date(2025, 12, 31))),
        # March (a leap-free February: 28 days).
        ("previous_month", date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
        ("previous_month", date(2024, 3, 5), (date(2024, 2, 1), date(2024, 2, 29))),
    ],
)
def test_preset_ranges(name, today, expected):
    assert preset_range(name, today) == expected


def test_an_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="preset must be one of"):
        preset_range("last_year", date(2026, 1, 1))
    assert set(PRESETS) == {
        "today",
        "yesterday",
        "last_7_days",
        "last_4_weeks",
        "this_month",
        "previous_month",
    }


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # One day: the day before (a Monday's previous day is the Sunday).
        ((date(2026, 11, 30), date(2026, 11, 30)), (date(2026, 11, 29), date(2026, 11, 29))),
        # 7 days from a Tuesday: the 7 days just before.
        ((date(2026, 11, 24), date(2026, 11, 30)), (date(2026, 11, 17), date(2026, 11, 23))),
        # Last 4 weeks on Wed 2 Dec (24 days from a Monday): the same weekdays 4 weeks earlier.
        ((date(2026, 11, 9), date(2026, 12, 2)), (date(2026, 10, 12), date(2026, 11, 4))),
        # A whole month: the month before; December's is November (30 days).
        ((date(2025, 12, 1), date(2025, 12, 31)), (date(2025, 11, 1), date(2025, 11, 30))),
        # January: December of the year before.
        ((date(2026, 1, 1), date(2026, 1, 31)), (date(2025, 12, 1), date(2025, 12, 31))),
        # Month to date, 1–30 March: 1–28 February (February has no 29th–30th in 2026).
        ((date(2026, 3, 1), date(2026, 3, 30)), (date(2026, 2, 1), date(2026, 2, 28))),
        # Month to date, 1–15 January: 1–15 December.
        ((date(2026, 1, 1), date(2026, 1, 15)), (date(2025, 12, 1), date(2025, 12, 15))),
        # Two whole months: the two before.
        ((date(2026, 3, 1), date(2026, 4, 30)), (date(2026, 1, 1), date(2026, 2, 28))),
        # A custom 10 days from a Friday: the 10 days just before.
        ((date(2026, 11, 13), date(2026, 11, 22)), (date(2026, 11, 3), date(2026, 11, 12))),
    ],
)
def test_previous_period(period, expected):
    assert previous_period(*period) == expected


def test_previous_month_in_a_dst_month_has_the_local_bounds():
    # On 10 April 2026 the previous month is March, whose last Sunday (29th) springs forward:
    # 1 March 00:00 GMT = 00:00 UTC; 1 April 00:00 BST = 31 March 23:00 UTC (743 hours).
    first, last = preset_range("previous_month", date(2026, 4, 10))
    assert (first, last) == (date(2026, 3, 1), date(2026, 3, 31))
    start, end = utc_bounds(first, last, LONDON)
    assert (start, end) == (datetime(2026, 3, 1, 0, 0), datetime(2026, 3, 31, 23, 0))
    assert (end - start).total_seconds() / 3600 == 743
    # October falls back on the 25th: 1 Oct 00:00 BST = 30 Sep 23:00 UTC, 1 Nov 00:00 GMT.
    start, end = utc_bounds(*preset_range("previous_month", date(2026, 11, 2)), LONDON)
    assert (start, end) == (datetime(2026, 9, 30, 23, 0), datetime(2026, 11, 1, 0, 0))
    assert (end - start).total_seconds() / 3600 == 745
