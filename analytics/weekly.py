"""ISO weeks and the weekly figures that are pure arithmetic: week labels, week-over-week change,
rising topics, the repeat-contact rate and restated figures. No database, no UI.

ISO weeks run Monday 00:00 to the next Monday 00:00 in the centre's time zone; week 1 is the week
holding the year's first Thursday, so 2026-W01 starts on Monday 29 December 2025.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# Figures shown as percentages: their week-over-week change is in points, not a ratio.
POINT_UNITS = frozenset({"%", "score"})


def week_label(day: date) -> str:
    """The ISO week holding `day`, as '2026-W47'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(label: str) -> date:
    """The Monday of an ISO week label ('2026-W47'); ValueError for anything else."""
    match = _WEEK.match(label.strip())
    if not match:
        raise ValueError(f"an ISO week looks like 2026-W47; got {label!r}")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None


def monday_of(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def last_mondays(today: date, count: int) -> list[date]:
    """The Mondays of the last `count` ISO weeks up to and including the one holding `today`,
    oldest first (the last one is the current, partial week)."""
    current = monday_of(today)
    return [current - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def previous_week(today: date) -> str:
    """The label of the last complete ISO week before the one holding `today`."""
    return week_label(monday_of(today) - timedelta(days=7))


def change(current: float | None, previous: float | None, unit: str) -> float | None:
    """Week-over-week change: points for percentages and scores, per cent for other figures.

    None when either week has no value, or for a relative change from 0.
    """
    if _missing(current) or _missing(previous):
        return None
    if unit in POINT_UNITS:
        return float(current) - float(previous)
    if float(previous) == 0:
        return None
    return (float(current) - float(previous)) / float(previous) * 100.0


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def rising_topics(
    counts: pd.DataFrame, *, week: str, weeks: Sequence[str], min_count: int, top: int = 3
) -> pd.DataFrame:
    """Topics of `week` that grew most against the mean of the weeks before it.

    counts: week, topic, count (weeks without a row count 0). weeks: the baseline weeks, oldest
    first (the week itself not among them). A topic rises when its count reaches `min_count` and
    is above its baseline mean. Returns topic, count, baseline (mean), increase, sorted by the
    increase (then name); at most `top` rows.
    """
    columns = ["topic", "count", "baseline", "increase"]
    this_week = counts[counts["week"] == week].set_index("topic")["count"]
    if this_week.empty:
        return pd.DataFrame(columns=columns)
    before = counts[counts["week"].isin(list(weeks))]
    sums = before.groupby("topic")["count"].sum()
    baseline = (sums / len(weeks)) if weeks else sums * 0.0
    frame = pd.DataFrame({"count": this_week.astype(int)})
    frame["baseline"] = baseline.reindex(frame.index).fillna(0.0).astype(float)
    frame["increase"] = frame["count"] - frame["baseline"]
    frame = frame[(frame["count"] >= min_count) & (frame["increase"] > 0)]
    frame = frame.reset_index().rename(columns={"index": "topic"})
    frame = frame.sort_values(["increase", "topic"], ascending=[False, True], kind="stable")
    return frame[columns].head(top).reset_index(drop=True)


def window_open(week_end_utc: datetime, now: datetime, window_days: float) -> bool:
    """True while a contact resolved at the end of the week could still be repeated."""
    return week_end_utc + timedelta(days=window_days) > now


def restated(reported: pd.DataFrame, live: pd.DataFrame) -> pd.DataFrame:
    """The reported figures beside today's live ones, with the figures that differ marked.

    reported: key, section, label, value, unit, n (in report order); live: key, value, n.
    Returns the reported columns plus live_value, live_n and restated (True where the value
    or the count differs; values compared to 6 significant digits, so float noise is no
    restatement). A figure no longer found live has live_value None.
    """
    live_by_key = live.drop_duplicates("key").set_index("key")
    out = reported.copy()
    out["live_value"] = out["key"].map(live_by_key["value"]) if not live.empty else np.nan
    out["live_n"] = out["key"].map(live_by_key["n"]) if not live.empty else np.nan
    out["restated"] = [
        not _same(a, b) or not _same(c, d)
        for a, b, c, d in zip(out["value"], out["live_value"], out["n"], out["live_n"], strict=True)
    ]
    return out


def _same(a: float | None, b: float | None) -> bool:
    a_missing, b_missing = _missing_any(a), _missing_any(b)
    if a_missing or b_missing:
        return a_missing and b_missing
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def _missing_any(value: object) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))
