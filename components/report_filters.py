"""Filter widgets and period wording shared by the report pages (Service level, Channels).

The period is a preset (today … previous month, `analytics.date_presets`) or a custom date
range, with an option to compare with the previous period. The user's choice is kept when
moving between pages and back (see "Filters kept across pages" below). The date picker reaches
from the earliest arrival to the latest (so a log from 1999 can be shown — Streamlit's own
default stops ten years back) and opens on the data's latest period when the page's default
preset holds no arrival.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import streamlit as st

from analytics.date_presets import (
    CUSTOM,
    PRESET_HELP,
    PRESETS,
    PREVIOUS_HELP,
    preset_range,
    previous_period,
)
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


def week_to_date(today: date) -> tuple[date, date]:
    """This ISO week so far: Monday to today."""
    return today - timedelta(days=today.weekday()), today


# --- Filters kept across pages ----------------------------------------------------------------
# Streamlit drops a widget's state on a run that does not draw it (another page), so each filter
# the user sets is also copied to a plain session key, which is never dropped, and given back to
# the widget before it is drawn. The period, its preset and the comparison are shared by the
# report pages (one copy, "report.<name>"); the other filters are kept per page.
SHARED_PREFIX = "report."
KEPT_PREFIX = "kept."


def _copy_key(key: str, shared: str | None) -> str:
    return SHARED_PREFIX + shared if shared else KEPT_PREFIX + key


def keep(key: str, *, shared: str | None = None) -> None:
    """Before drawing widget `key`: give it the value the user last set (on this page, or on
    any report page when `shared` names a shared filter). Nothing when the user set none."""
    copy = _copy_key(key, shared)
    if copy in st.session_state:
        st.session_state[key] = st.session_state[copy]


def remember(key: str, shared: str | None = None) -> None:
    """A widget's on_change callback: copy its new value where `keep` finds it."""
    st.session_state[_copy_key(key, shared)] = st.session_state[key]


def kept_options(key: str, options: Sequence, *, default: Any, shared: str | None = None) -> None:
    """Before drawing select widget `key` (drawn without its own index or default): give it the
    value the user last set when that is still a valid choice, else keep its current value, else
    `default`. (A select box given index=None could be cleared to nothing.)"""
    copy = _copy_key(key, shared)
    value = st.session_state.get(copy)
    values = value if isinstance(value, list | tuple) else [value]
    if value is not None and all(v in options for v in values):
        st.session_state[key] = value
        return
    st.session_state.pop(copy, None)
    current = st.session_state.get(key)
    current_values = current if isinstance(current, list | tuple) else [current]
    if current is None or not all(v in options for v in current_values):
        st.session_state[key] = default


# --- The period filter --------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportPeriod:
    """The period picked on a report page and what it is compared with."""

    first: date
    last: date
    preset: str  # a key of PRESETS, or CUSTOM
    compare: bool
    note: str | None  # why the page opened on another period than its default, if it did

    @property
    def label(self) -> str:
        return period_label(self.first, self.last)

    @property
    def previous(self) -> tuple[date, date]:
        return previous_period(self.first, self.last)

    @property
    def previous_label(self) -> str:
        return period_label(*self.previous)


def _preset_changed(preset_key: str, dates_key: str) -> None:
    picked = st.session_state[preset_key]
    st.session_state[SHARED_PREFIX + "preset"] = picked
    if picked == CUSTOM:  # start from the dates on screen
        st.session_state[SHARED_PREFIX + "period"] = _as_dates(st.session_state.get(dates_key))


def _dates_changed(preset_key: str, dates_key: str) -> None:
    st.session_state[SHARED_PREFIX + "preset"] = CUSTOM
    st.session_state[SHARED_PREFIX + "period"] = _as_dates(st.session_state[dates_key])


def report_period(
    prefix: str,
    *,
    span: tuple[datetime | None, datetime | None],
    tz: str,
    today: date,
    default_preset: str,
) -> ReportPeriod:
    """Draw the period row (preset, dates, compare) and return what was picked.

    Keys: `<prefix>_preset`, `<prefix>_period`, `<prefix>_compare`. The choice is shared by
    every report page and kept across pages; a page the user has not set a period on opens on
    `default_preset` (or the data's latest period of that length when it holds no arrival).

    Args:
        span: earliest and latest arrival (naive UTC), from `arrival_span`.
        tz: the centre's time zone; today: its local date.
    """
    preset_key, dates_key, compare_key = (f"{prefix}_{n}" for n in ("preset", "period", "compare"))
    choice = period_choice(span, tz=tz, today=today, default=preset_range(default_preset, today))
    shared = st.session_state.get(SHARED_PREFIX + "preset")
    note = None
    if shared is None:
        preset = CUSTOM if choice.moved else default_preset
        dates = choice.default
        note = opening_note(choice, usual="the " + PRESETS[default_preset].lower())
    elif shared == CUSTOM:
        preset = CUSTOM
        dates = _as_dates(st.session_state.get(SHARED_PREFIX + "period")) or choice.default
    else:
        preset, dates = shared, preset_range(shared, today)
    # A preset or kept range may reach past the data (e.g. the previous month): allow it.
    low, high = min(choice.min_value, dates[0]), max(choice.max_value, dates[-1])
    st.session_state[preset_key] = preset
    st.session_state[dates_key] = dates
    st.session_state[compare_key] = st.session_state.get(SHARED_PREFIX + "compare", True)
    row = st.columns([2, 3, 3])
    row[0].selectbox(
        "Period",
        [*PRESETS, CUSTOM],
        format_func={**PRESETS, CUSTOM: "Custom range"}.get,
        key=preset_key,
        on_change=_preset_changed,
        args=(preset_key, dates_key),
        help=PRESET_HELP,
    )
    picked = row[1].date_input(
        "Dates",
        min_value=low,
        max_value=high,
        key=dates_key,
        on_change=_dates_changed,
        args=(preset_key, dates_key),
        help=f"Local dates in {tz}; contacts count by arrival time. Picking dates makes the "
        "period a custom range. The picker reaches from the earliest to the latest arrival.",
        format="DD/MM/YYYY",
    )
    compare = row[2].toggle(
        "Compare with previous period",
        key=compare_key,
        on_change=remember,
        args=(compare_key, "compare"),
        help=PREVIOUS_HELP,
    )
    picked_dates = _as_dates(picked) or dates
    return ReportPeriod(picked_dates[0], picked_dates[-1], preset, bool(compare), note)
