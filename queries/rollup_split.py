"""Which part of a period the day rollup answers and which the 15-minute rollup answers.

A period is read from `day_stats` / `day_frt_hist` (db/day_rollup.py) for every local day lying
wholly inside it that holds no stale interval (one whose rows changed since the rollup's
watermark: those are counted from raw rows), and from `interval_stats` / `interval_frt_hist`
for the rest: the partial days at its edges and the days with a stale interval. A day row is
the sum of its 15-minute rows, so either way the counts are the same; the day rows are just
~96 times fewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

import pandas as pd
from sqlalchemy import Connection, and_, false, or_
from sqlalchemy.sql.expression import ColumnElement

from analytics.periods import day_bounds, local_today
from db.day_rollup import rollup_timezone
from db.topic_rollup import KEPT, day_number, whole_days

_EPOCH = date(1970, 1, 1)
DayNumbers = TypeVar("DayNumbers", ColumnElement, pd.Series)


@dataclass(frozen=True)
class RollupSplit:
    """day_runs: inclusive runs of local day numbers (days since 1970-01-01 in the day
    rollup's time zone) read from the day rollup; interval_ranges: naive UTC [low, high)
    ranges read from the 15-minute rollup. Together they cover the period once."""

    day_runs: tuple[tuple[int, int], ...]
    interval_ranges: tuple[tuple[datetime, datetime], ...]


def split_period(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    stale: Sequence[datetime],
    keyed_in: str | None,
) -> RollupSplit:
    """The split of [start, end) (naive UTC).

    keyed_in: the time zone the caller keys periods in; the day rollup is used only if it was
    counted in that zone (None: the caller does not key by period, any zone will do).
    """
    whole = RollupSplit((), ((start, end),))
    tz = rollup_timezone(conn)
    if tz is None or (keyed_in is not None and keyed_in != tz):
        return whole
    # Only days the day rollup keeps (db.topic_rollup.KEPT) can be read from it.
    days = whole_days(max(start, KEPT[0]), min(end, KEPT[1]), tz) if start < KEPT[1] else None
    if days is None:
        return whole
    stale_days = {day_number(local_today(pd.Timestamp(v).to_pydatetime(), tz)) for v in stale}
    runs: list[tuple[int, int]] = []
    for number in range(day_number(days[0]), day_number(days[1]) + 1):
        if number in stale_days:
            continue
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    ranges: list[tuple[datetime, datetime]] = []
    cursor = start
    for first, last in runs:
        low = day_bounds(_EPOCH + timedelta(days=first), tz)[0]
        if cursor < low:
            ranges.append((cursor, low))
        cursor = day_bounds(_EPOCH + timedelta(days=last), tz)[1]
    if cursor < end:
        ranges.append((cursor, end))
    return RollupSplit(tuple(runs), tuple(ranges))


def in_day_runs(column: ColumnElement, runs: Sequence[tuple[int, int]]) -> ColumnElement:
    """`column` (a local day number) inside one of the inclusive `runs`."""
    return or_(false(), *[column.between(first, last) for first, last in runs])


def in_ranges(column: ColumnElement, ranges: Sequence[tuple[datetime, datetime]]) -> ColumnElement:
    """`column` (a naive UTC timestamp) inside one of the [low, high) `ranges`."""
    return or_(false(), *[and_(column >= low, column < high) for low, high in ranges])


def day_period_key(column: DayNumbers, granularity: str) -> DayNumbers:
    """The period key (queries.local_buckets) of local day numbers (a SQL column or a
    Series), per day or ISO week: the key `period_key_expr` gives every instant of that day."""
    if granularity == "day":
        return column
    if granularity == "week":
        return (column - 4) // 7  # 1970-01-05, day 4, was a Monday
    raise ValueError(f"the day rollup keys days and weeks, not {granularity!r}")
