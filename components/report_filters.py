"""Filter widgets and period wording shared by the report pages (Service level, Channels)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import streamlit as st

from analytics.periods import day_bounds


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


def date_range(
    label: str, *, key: str, default: tuple[date, date], max_value: date, help: str
) -> tuple[date, date]:
    """A local date range picker; a half-picked range (one date so far) reads as that one day."""
    picked = st.date_input(
        label, value=default, max_value=max_value, key=key, help=help, format="DD/MM/YYYY"
    )
    if isinstance(picked, date):
        return picked, picked
    dates: Sequence[date] = tuple(picked)
    if not dates:
        return default
    if len(dates) == 1:
        return dates[0], dates[0]
    return dates[0], dates[1]
