"""Filter widgets and period wording shared by the report pages (Service level, Channels).

The period picker is bounded by the data (earliest to latest arrival, so a log from 1999 can be
shown — Streamlit's own default stops ten years back) and opens on the data's latest period when
the page's default period (e.g. the last 7 days) holds no arrival.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import streamlit as st

from analytics.periods import day_bounds, local_today


def period_label(first: date, last: date) -> str:
    """'Thu 26 Nov 2026', '20–26 Nov 2026', '28 Nov – 4 Dec 2026' or '29 Dec 2025 – 4 Jan 2026'."""
    if first == last:
        return f"{first:%a} {first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def utc_bounds(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) in naive UTC from local midnight of `first` to local midnight after `last`."""
    return day_bounds(first, tz)[0], day_bounds(last, tz)[1]


@dataclass(frozen=True)
class PeriodChoice:
    """What a period picker offers: the period it opens on and the dates it can reach."""

    default: tuple[date, date]
    min_value: date
    max_value: date
    moved: bool  # True when the default had no data and the data's latest period was chosen


def period_choice(
    span: tuple[datetime | None, datetime | None],
    *,
    tz: str,
    today: date,
    default: tuple[date, date],
) -> PeriodChoice:
    """The picker's bounds and opening period for arrivals spanning `span` (naive UTC).

    Bounds: the local date of the earliest arrival to that of the latest (today at least, so a
    live centre can always pick today). Opening period: `default` when it overlaps the data,
    else a period of the same length ending on the latest arrival's day (not before the
    earliest). With no data at all: `default`, and nothing else to reach back to.
    """
    earliest, latest = span
    if earliest is None or latest is None:
        return PeriodChoice(default, min(default[0], today), max(default[1], today), False)
    first_day, last_day = local_today(earliest, tz), local_today(latest, tz)
    low, high = first_day, max(last_day, today)
    if default[1] >= first_day and default[0] <= last_day:
        opening = (max(default[0], low), min(default[1], high))
        return PeriodChoice(opening, low, high, False)
    length = default[1] - default[0]
    opening = (max(last_day - length, first_day), last_day)
    return PeriodChoice(opening, low, high, True)


def date_range(label: str, *, key: str, choice: PeriodChoice, help: str) -> tuple[date, date]:
    """A local date range picker bounded by `choice`; a half-picked range (one date so far)
    reads as that one day. A kept choice outside new bounds (data deleted) is dropped."""
    kept = st.session_state.get(key)
    if kept is not None and any(
        not choice.min_value <= d <= choice.max_value for d in _as_dates(kept)
    ):
        del st.session_state[key]
    picked = st.date_input(
        label,
        value=choice.default,
        min_value=choice.min_value,
        max_value=choice.max_value,
        key=key,
        help=help,
        format="DD/MM/YYYY",
    )
    dates = _as_dates(picked)
    if not dates:
        return choice.default
    return dates[0], dates[-1]


def _as_dates(value: date | Sequence[date] | None) -> tuple[date, ...]:
    if value is None:
        return ()
    if isinstance(value, date):
        return (value,)
    return tuple(value)[:2]


def opening_note(choice: PeriodChoice, *, usual: str) -> str | None:
    """A line saying why the page opened on another period than `usual` (None when it did not)."""
    if not choice.moved:
        return None
    return (
        f"No arrivals in {usual}: showing the latest period with data, "
        f"{period_label(*choice.default)}. Arrivals span {choice.min_value:%d %b %Y} – "
        f"{choice.default[1]:%d %b %Y}."
    )


def last_days(today: date, days: int) -> tuple[date, date]:
    """The `days` local days ending today."""
    return today - timedelta(days=days - 1), today


def week_to_date(today: date) -> tuple[date, date]:
    """This ISO week so far: Monday to today."""
    return today - timedelta(days=today.weekday()), today
