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
from analytics.time_text import format_date


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
        f"{period_label(*choice.default)}. Arrivals span {format_date(choice.min_value)} – "
        f"{format_date(choice.default[1])}."
    )


def week_to_date(today: date) -> tuple[date, date]:
    """This ISO week so far: Monday to today."""
    return today - timedelta(days=today.weekday()), today


# --- Filters kept across pages ----------------------------------------------------------------
# Streamlit drops a widget's state on a run that does not draw it (another page), so each filter
# the user sets is also copied (by its on_change callback) to a plain session key, which is never
# dropped, and the widget opens on that copy when it is drawn again. The copy goes in as the
# widget's index / default / value — never written into the widget's own state before it is
# drawn: a widget given a value that way loses it when a rerun interrupts the run that set it.
# The period, its preset and the comparison are shared by the report pages ("report.<name>");
# the other filters are kept per page ("kept.<key>").
SHARED_PREFIX = "report."
KEPT_PREFIX = "kept."


def _copy_key(key: str, shared: str | None) -> str:
    return SHARED_PREFIX + shared if shared else KEPT_PREFIX + key


def remember(key: str, shared: str | None = None) -> None:
    """A widget's on_change callback: copy its new value where `kept_value` finds it."""
    st.session_state[_copy_key(key, shared)] = st.session_state[key]


def kept_value(key: str, options: Sequence, *, default: Any, shared: str | None = None) -> Any:
    """The value widget `key` opens on: the one the user last set (on this page, or on any
    report page for a `shared` filter) while it is still among `options` (every item, for a
    list), else `default`. Streamlit uses it only when the widget has no state of its own."""
    value = st.session_state.get(_copy_key(key, shared))
    values = value if isinstance(value, list | tuple) else [value]
    if value is not None and all(v in options for v in values):
        return value
    return default


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


def _preset_changed(preset_key: str, dates_key: str, today: date) -> None:
    picked = st.session_state[preset_key]
    st.session_state[SHARED_PREFIX + "preset"] = picked
    if picked == CUSTOM:  # start from the dates on screen
        st.session_state[SHARED_PREFIX + "period"] = _as_dates(st.session_state.get(dates_key))
    else:
        st.session_state[dates_key] = preset_range(picked, today)


def _dates_changed(preset_key: str, dates_key: str) -> None:
    st.session_state[preset_key] = CUSTOM
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
    if shared is None:  # the page's default, unless it holds no arrival at all
        preset = CUSTOM if choice.moved else default_preset
        dates = choice.default if choice.moved else preset_range(default_preset, today)
        note = opening_note(choice, usual="the " + PRESETS[default_preset].lower())
    elif shared == CUSTOM:
        preset = CUSTOM
        dates = _as_dates(st.session_state.get(SHARED_PREFIX + "period")) or choice.default
    else:
        preset, dates = shared, preset_range(shared, today)
    if st.session_state.get(preset_key, CUSTOM) != CUSTOM:
        # A preset's dates move with the calendar (a page left open past midnight).
        wanted = preset_range(st.session_state[preset_key], today)
        if _as_dates(st.session_state.get(dates_key)) != wanted:
            st.session_state[dates_key] = wanted
    shown = _as_dates(st.session_state.get(dates_key)) or dates
    # A preset or kept range may reach past the data (e.g. the previous month): allow it.
    low = min(choice.min_value, dates[0], shown[0])
    high = max(choice.max_value, dates[-1], shown[-1])
    options = [*PRESETS, CUSTOM]
    row = st.columns([2, 3, 3])
    preset = row[0].selectbox(
        "Period",
        options,
        index=options.index(preset),
        format_func={**PRESETS, CUSTOM: "Custom range"}.get,
        key=preset_key,
        on_change=_preset_changed,
        args=(preset_key, dates_key, today),
        help=PRESET_HELP,
    )
    picked = row[1].date_input(
        "Dates",
        value=dates,
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
        value=kept_value(compare_key, (True, False), default=True, shared="compare"),
        key=compare_key,
        on_change=remember,
        args=(compare_key, "compare"),
        help=PREVIOUS_HELP,
    )
    picked_dates = _as_dates(picked) or dates
    return ReportPeriod(picked_dates[0], picked_dates[-1], preset, bool(compare), note)
