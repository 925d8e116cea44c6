"""Named report periods (today, yesterday, last 7 days, last 4 weeks, this month, previous month)
as local date ranges, and the period a range is compared with.

Pure date arithmetic on the centre's local calendar dates; UTC bounds come later
(`analytics.periods.day_bounds`), so a DST month keeps its 23- and 25-hour days.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

PRESETS: dict[str, str] = {
    "today": "Today",
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days",
    "last_4_weeks": "Last 4 weeks",
    "this_month": "This month",
    "previous_month": "Previous month",
}
CUSTOM = "custom"
PRESET_HELP = (
    "Local dates. Last 7 days: the 7 days ending today. Last 4 weeks: this ISO week so far and "
    "the 3 whole weeks before it (Monday to today). This month: the 1st to today. Previous "
    "month: the whole calendar month before this one."
)
PREVIOUS_HELP = (
    "Compared with: a whole month (or month to date) with the month before (same days); a "
    "period starting on a Monday of 7 days or more with the same weekdays whole weeks earlier; "
    "any other period with as many days just before it."
)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _month_before(day: date) -> date:
    """The 1st of the month before `day`'s month."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def preset_range(name: str, today: date) -> tuple[date, date]:
    """The local dates (first, last) of preset `name` on `today` (ValueError if unknown)."""
    if name == "today":
        return today, today
    if name == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if name == "last_7_days":
        return today - timedelta(days=6), today
    if name == "last_4_weeks":
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(weeks=3), today
    if name == "this_month":
        return today.replace(day=1), today
    if name == "previous_month":
        first = _month_before(today)
        return first, _month_end(first)
    raise ValueError(f"preset must be one of {', '.join(PRESETS)}; got {name!r}")


def matching_preset(first: date, last: date, today: date) -> str:
    """The preset whose range is exactly (first, last) on `today`, else CUSTOM."""
    for name in PRESETS:
        if preset_range(name, today) == (first, last):
            return name
    return CUSTOM


def previous_period(first: date, last: date) -> tuple[date, date]:
    """The period (first, last) is compared with (see PREVIOUS_HELP for the rule).

    - whole months (the 1st to a month's last day): as many months just before;
    - month to date (the 1st to a day of the same month): the month before, the 1st to the
      same day (its last day when it has fewer days);
    - from a Monday, 7 days or more: the same weekdays, whole weeks earlier;
    - otherwise: as many days just before.
    """
    days = (last - first).days + 1
    if first.day == 1 and last == _month_end(last):
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        start = first
        for _ in range(months):
            start = _month_before(start)
        return start, first - timedelta(days=1)
    if first.day == 1 and (first.year, first.month) == (last.year, last.month):
        start = _month_before(first)
        return start, min(_month_end(start), start + timedelta(days=last.day - 1))
    if first.weekday() == 0 and days >= 7:
        shift = timedelta(weeks=-(-days // 7))
        return first - shift, last - shift
    return first - timedelta(days=days), first - timedelta(days=1)
