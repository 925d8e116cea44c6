"""Business-hours elapsed time: seconds between two instants that fall inside open hours.

A calendar is a weekly timetable in the calendar's own time zone, e.g.
``{"mon": [["09:00", "17:00"]], "tue": [...], ...}`` (days not listed are closed; "24:00" may
close a day). Open windows are turned into real UTC instants with `zoneinfo`, so a window that
contains a clock change counts the real elapsed seconds (a 00:00–24:00 window is 23 h on the
spring-forward day and 25 h on the fall-back day). Local times that do not exist (inside a
spring-forward gap) are read with the offset in force before the change, as Python does for
``fold=0``. Overnight windows (close earlier than open) are not supported: split them at
midnight into two days' windows.

Method: build the sorted list of open intervals covering the needed dates, with the cumulative
open seconds before each; then open seconds in [start, end) = F(end) − F(start), where F(t) is
the open time before t. One pass of numpy over all rows, exact to the nanosecond.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WeeklyHours = Mapping[str, Sequence[Sequence[str]]]


def _minutes(text: str) -> int:
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
    except ValueError as error:
        raise ValueError(f"business hours time must be HH:MM, got {text!r}") from error
    if not (0 <= minutes < 60 and 0 <= hours <= 24) or (hours == 24 and minutes):
        raise ValueError(f"business hours time out of range: {text!r}")
    return hours * 60 + minutes


def parse_weekly_hours(weekly_hours: WeeklyHours | str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Per weekday (Monday first) the sorted, merged open windows as (open, close) minutes.

    Accepts the calendar dict or its JSON text. Day keys are mon … sun (case-insensitive);
    windows are ["HH:MM", "HH:MM"] with open < close ≤ "24:00"; overlapping or touching windows
    are merged. Raises ValueError on unknown days, bad times or overnight windows.
    """
    if isinstance(weekly_hours, str):
        weekly_hours = json.loads(weekly_hours)
    days: list[list[tuple[int, int]]] = [[] for _ in DAY_KEYS]
    for key, windows in weekly_hours.items():
        day = key.strip().lower()[:3]
        if day not in DAY_KEYS:
            raise ValueError(f"unknown day {key!r} in business hours; use {', '.join(DAY_KEYS)}")
        for window in windows or ():
            if len(window) != 2:
                raise ValueError(f"a business-hours window is [open, close]; got {window!r}")
            start, end = _minutes(window[0]), _minutes(window[1])
            if end <= start:
                raise ValueError(
                    f"window {window!r} on {key}: close must be after open "
                    "(overnight windows are not supported; split them at midnight)"
                )
            days[DAY_KEYS.index(day)].append((start, end))
    merged_days = []
    for windows in days:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(windows):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        merged_days.append(tuple(merged))
    return tuple(merged_days)


def _to_ns(local_day: date, minute: int, zone: ZoneInfo) -> int:
    """UTC nanoseconds since the epoch of a local wall-clock minute on a day (24:00 = next day)."""
    wall = datetime.combine(local_day, time(0)) + timedelta(minutes=minute)
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    return int((instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)) * 1000


def _open_intervals(
    first_utc_ns: int, last_utc_ns: int, days: tuple[tuple[tuple[int, int], ...], ...], tz: str
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, disjoint open intervals (UTC ns) covering every local day the range touches."""
    zone = ZoneInfo(tz)
    # A day of margin either side covers any UTC offset.
    first_day = pd.Timestamp(first_utc_ns, unit="ns").date() - timedelta(days=1)
    last_day = pd.Timestamp(last_utc_ns, unit="ns").date() + timedelta(days=1)
    intervals: list[tuple[int, int]] = []
    day = first_day
    while day <= last_day:
        for start, end in days[day.weekday()]:
            intervals.append((_to_ns(day, start, zone), _to_ns(day, end, zone)))
        day += timedelta(days=1)
    # Local times in a DST gap can map out of order; sort and merge in UTC to stay disjoint.
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    if not merged:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    bounds = np.array(merged, dtype=np.int64)
    return bounds[:, 0], bounds[:, 1]


def _open_ns_before(
    t: np.ndarray, starts: np.ndarray, ends: np.ndarray, cum_before: np.ndarray
) -> np.ndarray:
    """F(t): open nanoseconds from the first interval's start up to each instant t."""
    index = np.searchsorted(starts, t, side="right") - 1
    safe = np.clip(index, 0, None)
    inside = np.clip(t - starts[safe], 0, ends[safe] - starts[safe])
    return np.where(index < 0, 0, cum_before[safe] + inside)


def _as_utc_ns(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    stamps = pd.to_datetime(values)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    missing = stamps.isna().to_numpy()
    ns = stamps.astype("datetime64[ns]").to_numpy().astype(np.int64)
    return ns, missing


def business_seconds_series(
    starts: Sequence[datetime] | pd.Series,
    ends: Sequence[datetime] | pd.Series,
    weekly_hours: WeeklyHours | str,
    tz: str,
) -> pd.Series:
    """Business seconds between each start and end (element-wise; see `business_seconds`).

    starts / ends: naive UTC datetimes (tz-aware ones are converted). A row with either end
    missing gives NaN; a row whose end is not after its start gives 0. The result keeps the
    index of `starts` when it is a Series.
    """
    start_series = starts if isinstance(starts, pd.Series) else pd.Series(list(starts))
    end_series = ends if isinstance(ends, pd.Series) else pd.Series(list(ends))
    if len(start_series) != len(end_series):
        raise ValueError("starts and ends must have the same length")
    days = parse_weekly_hours(weekly_hours)
    out = np.full(len(start_series), np.nan)
    if len(start_series):
        start_ns, start_missing = _as_utc_ns(start_series)
        end_ns, end_missing = _as_utc_ns(end_series)
        valid = ~(start_missing | end_missing)
        if valid.any():
            s = start_ns[valid]
            e = np.maximum(end_ns[valid], s)
            open_starts, open_ends = _open_intervals(int(s.min()), int(e.max()), days, tz)
            if open_starts.size == 0:
                out[valid] = 0.0
            else:
                cum_before = np.concatenate(([0], np.cumsum(open_ends - open_starts)[:-1]))
                open_ns = _open_ns_before(e, open_starts, open_ends, cum_before)
                open_ns -= _open_ns_before(s, open_starts, open_ends, cum_before)
                out[valid] = open_ns / 1e9
    return pd.Series(out, index=start_series.index, dtype=float)


def business_seconds(
    start: datetime | pd.Timestamp,
    end: datetime | pd.Timestamp,
    weekly_hours: WeeklyHours | str,
    tz: str,
) -> float:
    """Seconds of [start, end) that fall inside the calendar's open hours.

    start / end: naive UTC datetimes (tz-aware ones are converted). weekly_hours: e.g.
    {"mon": [["09:00", "17:00"]], …}, read in the calendar's time zone `tz` (IANA name,
    DST-correct). End not after start (e.g. a reply stamped before arrival by clock skew) → 0.
    Example: Mon–Fri 09:00–17:00; arrival Sunday 00:00, answer the next Saturday 23:59
    → 5 days × 8 h = 144,000 s.
    """
    if pd.isna(start) or pd.isna(end):
        raise ValueError("business_seconds needs both start and end")
    value = business_seconds_series(pd.Series([start]), pd.Series([end]), weekly_hours, tz)
    return float(value.iloc[0])
