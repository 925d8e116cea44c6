"""Periods in the centre's local time (15 min, hour, day, ISO week) as SQL and as pandas, alike.

Timestamps are stored in naive UTC; reports are read in local time, where a day can have 23 or
25 hours. Every row gets an integer *period key* computed the same way in SQL (for aggregates)
and in numpy (for rows already read and for zero-filling):

    key = (epoch_seconds(t) + shift(t) − origin) // length

- interval: shift 0, length 900 — every real UTC offset is a whole number of 15 minutes, so
  UTC quarter hours are local quarter hours.
- hour: shift = UTC offset mod 3600 (0 in whole-hour zones, 1800 in e.g. India), length 3600;
  the repeated hour of a fall-back night stays two separate hours.
- day / week: shift = the full UTC offset in force at t, so the key counts local wall-clock
  days (a 25-hour day is one key); weeks start on Monday (origin = 1970-01-05, a Monday).

The UTC offset in force is a CASE over the few DST transitions inside the range, with the
boundaries as bound parameters. `period_table` lists every period of the range in order with
its local start, so results can be zero-filled and labelled from one source.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, DateTime, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

GRANULARITIES: tuple[str, ...] = ("interval", "hour", "day", "week")
GRANULARITY_LABELS: dict[str, str] = {
    "interval": "15 minutes",
    "hour": "Hour",
    "day": "Day",
    "week": "Week (Mon–Sun)",
}
_LENGTH = {"interval": 900, "hour": 3600, "day": 86_400, "week": 7 * 86_400}
_ORIGIN = {"interval": 0, "hour": 0, "day": 0, "week": 4 * 86_400}  # 1970-01-05 was a Monday
_STEP = pd.Timedelta(minutes=15)


class epoch_seconds(FunctionElement):  # noqa: N801 - reads as a SQL function
    """Whole seconds since 1970-01-01 of a naive UTC timestamp, as an integer."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw) -> str:
    (ts,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(strftime('%s', {ts}) AS INTEGER)"


@compiles(epoch_seconds)
def _epoch_default(element, compiler, **kw) -> str:
    (ts,) = (compiler.process(arg, **kw) for arg in element.clauses)
    # EPOCH of a timestamp WITHOUT time zone reads it as UTC, which is how it is stored.
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {ts})) AS BIGINT)"


def check_granularity(granularity: str) -> None:
    """Raise ValueError for a granularity not in GRANULARITIES."""
    if granularity not in GRANULARITIES:
        raise ValueError(
            f"granularity must be one of {', '.join(GRANULARITIES)}; got {granularity!r}"
        )


def _quarter_hours(start: datetime, end: datetime) -> pd.DatetimeIndex:
    """Every 15-minute UTC instant in [start, end) (start is floored to a quarter hour)."""
    first = pd.Timestamp(start).floor("15min")
    return pd.date_range(first, pd.Timestamp(end), freq=_STEP, inclusive="left")


def _offsets(instants: pd.DatetimeIndex, tz: str) -> np.ndarray:
    """UTC offset in seconds in force at each naive UTC instant."""
    local_wall = instants.tz_localize("UTC").tz_convert(tz).tz_localize(None)
    return ((local_wall - instants) // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)


def _shift(offsets: np.ndarray, granularity: str) -> np.ndarray:
    if granularity == "interval":
        return np.zeros_like(offsets)
    if granularity == "hour":
        return offsets % 3600
    return offsets


def _segments(start: datetime, end: datetime, tz: str, granularity: str) -> list[tuple]:
    """[(from_utc, shift)] — the shift in force from each UTC instant on, first from -inf."""
    # A day of margin either side: rows at the range edges still fall inside a segment.
    instants = _quarter_hours(start - timedelta(days=1), end + timedelta(days=1))
    shifts = _shift(_offsets(instants, tz), granularity)
    changes = np.flatnonzero(np.diff(shifts)) + 1
    segments = [(None, int(shifts[0]))]
    segments += [(instants[i].to_pydatetime(), int(shifts[i])) for i in changes]
    return segments


def period_key_expr(
    column: ColumnElement, *, start: datetime, end: datetime, tz: str, granularity: str
) -> ColumnElement[int]:
    """SQL integer period key of a naive UTC timestamp column, for rows in [start, end)."""
    check_granularity(granularity)
    segments = _segments(start, end, tz, granularity)
    if len(segments) == 1:
        shift: ColumnElement = literal(segments[0][1], BigInteger)
    else:
        # Branch i applies before the next transition; the last applies from its own on.
        whens = [
            (column < literal(segments[i + 1][0], DateTime), literal(segments[i][1], BigInteger))
            for i in range(len(segments) - 1)
        ]
        shift = case(*whens, else_=literal(segments[-1][1], BigInteger))
    length = _LENGTH[granularity]
    origin = _ORIGIN[granularity]
    return (epoch_seconds(column) + shift - literal(origin, BigInteger)) // literal(
        length, BigInteger
    )


def period_keys(
    values: pd.Series, *, start: datetime, end: datetime, tz: str, granularity: str
) -> pd.Series:
    """The same period key as `period_key_expr`, for a Series of naive UTC timestamps."""
    check_granularity(granularity)
    # pd.to_datetime only when needed: on datetime64 values it still walks them all.
    stamps = values if pd.api.types.is_datetime64_dtype(values) else pd.to_datetime(values)
    if stamps.empty:
        return pd.Series([], index=values.index, dtype="int64")
    segments = _segments(start, end, tz, granularity)
    bounds = np.array([np.datetime64(s[0], "ns") for s in segments[1:]], dtype="datetime64[ns]")
    shifts = np.array([s[1] for s in segments], dtype=np.int64)
    as_ns = stamps.to_numpy(dtype="datetime64[ns]")
    shift = shifts[np.searchsorted(bounds, as_ns, side="right")]
    seconds = as_ns.astype(np.int64) // 1_000_000_000  # floor, as the SQL does
    keys = (seconds + shift - _ORIGIN[granularity]) // _LENGTH[granularity]
    return pd.Series(keys, index=values.index, dtype="int64")


def period_table(*, start: datetime, end: datetime, tz: str, granularity: str) -> pd.DataFrame:
    """Every period of [start, end) in order: period_key, period_start, period_end.

    period_start / period_end are tz-aware local timestamps (a fall-back night's two 01:00
    hours differ by their offset); start and end are naive UTC on quarter-hour boundaries.
    """
    check_granularity(granularity)
    instants = _quarter_hours(start, end)
    if instants.empty:
        return pd.DataFrame(
            {
                "period_key": pd.Series([], dtype="int64"),
                "period_start": pd.Series([], dtype=f"datetime64[ns, {tz}]"),
                "period_end": pd.Series([], dtype=f"datetime64[ns, {tz}]"),
            }
        )
    keys = period_keys(
        pd.Series(instants), start=start, end=end, tz=tz, granularity=granularity
    ).to_numpy()
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    starts_utc = instants[first]
    ends_utc = instants[first[1:]].append(pd.DatetimeIndex([pd.Timestamp(end)]))
    return pd.DataFrame(
        {
            "period_key": keys[first].astype("int64"),
            "period_start": starts_utc.tz_localize("UTC").tz_convert(tz),
            "period_end": ends_utc.tz_localize("UTC").tz_convert(tz),
        }
    )
