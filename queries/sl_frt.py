"""FRT figures of a service level selection: an FRT histogram per (group, channel) merged in
SQL, or every answered contact's exact FRT when the selection is small.

The frame handed on (`read_frt`) has one row per (group_key, channel_id, value) with columns
frt_seconds, n (contacts at that value) and sum_seconds (their summed exact FRT), so means
stay exact and percentiles follow the one rule of `analytics.percentiles` on either route:
- histogram (more than `EXACT_MAX_CONTACTS` answered): `interval_frt_hist` summed over the
  range (grouped by channel or queue), plus the same buckets counted from raw rows in SQL for
  intervals the rollup may not have caught up with, or for team/agent grouping. Each bucket's
  contacts stand at its representative value: p50/p90 within `RELATIVE_ERROR` of exact.
- exact: the contacts' own FRTs (n = 1 each).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.sql.expression import ColumnElement

from analytics.percentiles import EDGES, EXACT_MAX_CONTACTS, representative
from db.frt_buckets import frt_bucket_expr
from db.schema import day_frt_hist, interactions, interval_frt_hist
from queries.frames import concat_parts, read_frame
from queries.local_buckets import period_key_expr, period_keys
from queries.rollup_split import RollupSplit, day_period_key, in_day_runs, in_ranges
from queries.sl_base import (
    group_expr,
    normalise_group_keys,
    range_filter,
    raw_from,
    raw_timestamp,
    read_columns,
    row_exprs,
)
from queries.sl_kinds import within_intervals

FRT_COLUMNS = ("group_key", "channel_id", "frt_seconds", "n", "sum_seconds")
HIST_COLUMNS = ("group_key", "channel_id", "bucket", "n", "sum_seconds")


@dataclass(frozen=True)
class Periods:
    """Key the FRT frame by local period too (a period_key column, queries.local_buckets), so
    one read serves every week of a report; the exact-or-histogram choice is made per period."""

    start: datetime
    end: datetime
    tz: str
    granularity: str

    def key(self, column: ColumnElement) -> ColumnElement:
        return period_key_expr(
            column, start=self.start, end=self.end, tz=self.tz, granularity=self.granularity
        )

    def keys(self, values: pd.Series) -> pd.Series:
        return period_keys(
            values, start=self.start, end=self.end, tz=self.tz, granularity=self.granularity
        )


def _keyed(columns: Sequence[str], periods: Periods | None) -> list[str]:
    return ["period_key", *columns] if periods else list(columns)


def rollup_histogram(
    conn: Connection,
    *,
    group_by: str,
    channel_ids: Sequence[str],
    split: RollupSplit,
    exclude: Sequence[datetime] = (),
    periods: Periods | None = None,
) -> pd.DataFrame:
    """Answered contacts per (group, channel, FRT bucket) from day_frt_hist for the split's
    whole days and interval_frt_hist for the rest, skipping the `exclude` intervals (and per
    period: then the split must be keyed in the periods' time zone)."""
    parts = []
    for table, where in (
        (interval_frt_hist, in_ranges(interval_frt_hist.c.interval_start, split.interval_ranges)),
        (day_frt_hist, in_day_runs(day_frt_hist.c.local_day, split.day_runs)),
    ):
        h = table.c
        runs = split.day_runs if table is day_frt_hist else split.interval_ranges
        if not runs and (table is day_frt_hist or split.day_runs):
            continue  # nothing to read there (an empty period still reads once, for columns)
        conditions = [where, h.channel_id.in_(list(channel_ids))]
        if exclude and table is interval_frt_hist:
            conditions.append(h.interval_start.not_in(list(exclude)))
        group = h.channel_id if group_by == "channel" else h.queue
        keys = [group.label("group_key"), h.channel_id.label("channel_id"), h.bucket]
        if periods is not None:
            key = (
                day_period_key(h.local_day, periods.granularity)
                if table is day_frt_hist
                else periods.key(h.interval_start)
            )
            keys.insert(0, key.label("period_key"))
        statement = (
            select(*keys, func.sum(h.n).label("n"), func.sum(h.sum_seconds).label("sum_seconds"))
            .where(*conditions)
            .group_by(*keys)
        )
        parts.append(read_frame(engine=conn, statement=statement))
    return concat_parts(parts)


def raw_histogram(
    conn: Connection,
    policies,
    *,
    start: datetime,
    end: datetime,
    group_by: str,
    channel_ids: Sequence[str],
    intervals_in: Sequence[datetime] | None = None,
    periods: Periods | None = None,
) -> pd.DataFrame:
    """The same histogram counted from raw rows in SQL (only the grouped counts travel)."""
    i = interactions.c
    x = row_exprs(policies, None)
    where = range_filter(start, end, channel_ids)
    if intervals_in is not None:
        if not intervals_in:
            return pd.DataFrame(columns=_keyed(HIST_COLUMNS, periods))
        where = within_intervals(intervals_in, start, end, channel_ids)
    period = [periods.key(i.created_at).label("period_key")] if periods else []
    rows = (
        select(
            *period,
            group_expr(group_by).label("group_key"),
            i.channel_id.label("channel_id"),
            x.frt.label("frt"),
        )
        .select_from(raw_from(group_by))
        .where(where, x.answered)
        .cte("answered_frt")
        # Materialized: else both databases inline the FRT expression into each of the
        # bucket's ~8 nested comparisons and compute it that many times a row.
        .prefix_with("MATERIALIZED")
    )
    bucketed = select(
        *[rows.c[name] for name in _keyed(("group_key", "channel_id"), periods)],
        frt_bucket_expr(rows.c.frt).label("bucket"),
        rows.c.frt,
    ).subquery()
    b = bucketed.c
    keys = [b[name] for name in _keyed(("group_key", "channel_id", "bucket"), periods)]
    statement = select(
        *keys, func.count().label("n"), func.sum(b.frt).label("sum_seconds")
    ).group_by(*keys)
    return read_frame(engine=conn, statement=statement)


def histogram_frame(hist: pd.DataFrame) -> pd.DataFrame:
    """Histogram rows as FRT rows: each bucket at its representative value (the open last
    bucket at its contacts' mean), parts of the same bucket summed."""
    columns = _keyed(FRT_COLUMNS, "period_key" in hist)
    if hist.empty:
        return pd.DataFrame(columns=columns)
    frame = normalise_group_keys(hist)
    frame["n"] = pd.to_numeric(frame["n"]).astype("int64")
    frame["sum_seconds"] = pd.to_numeric(frame["sum_seconds"]).astype(float)
    frame["bucket"] = pd.to_numeric(frame["bucket"]).astype("int64")
    keys = _keyed(("group_key", "channel_id", "bucket"), "period_key" in hist)
    frame = frame.groupby(keys, as_index=False, sort=False)[["n", "sum_seconds"]].sum()
    values = representative(frame["bucket"].to_numpy())
    last = frame["bucket"].to_numpy() == len(EDGES)
    mean = frame["sum_seconds"].to_numpy() / np.maximum(frame["n"].to_numpy(), 1)
    frame["frt_seconds"] = np.where(last, mean, values)
    return frame[columns].reset_index(drop=True)


def exact_frt(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    group_by: str,
    channel_ids: Sequence[str],
    periods: Periods | None = None,
) -> pd.DataFrame:
    """Every answered contact's FRT (wall clock), n = 1 each (with its period_key if asked).

    The two timestamps are read and subtracted in numpy, exactly to the microsecond as
    `classify` does; far faster on SQLite than a per-row date function.
    """
    i = interactions.c
    statement = (
        select(
            group_expr(group_by).label("group_key"),
            i.channel_id,
            raw_timestamp(i.created_at),
            raw_timestamp(i.first_response_at),
        )
        .select_from(raw_from(group_by))
        .where(range_filter(start, end, channel_ids), i.first_response_at.is_not(None))
    )
    rows = read_columns(conn, statement)
    frt = (rows["first_response_at"] - rows["created_at"]).dt.total_seconds().astype(float)
    frame = rows[["group_key", "channel_id"]].assign(frt_seconds=frt)
    if periods is not None:
        frame.insert(0, "period_key", periods.keys(rows["created_at"]))
    return exact_frame(frame)


def exact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Exact FRT rows (group_key, channel_id, frt_seconds) in the FRT frame's columns."""
    columns = _keyed(FRT_COLUMNS, "period_key" in frame)
    keyed = _keyed(("group_key", "channel_id", "frt_seconds"), "period_key" in frame)
    out = normalise_group_keys(frame[keyed])
    out["n"] = 1
    out["sum_seconds"] = out["frt_seconds"].astype(float)
    return out[columns].reset_index(drop=True)


def read_frt(
    conn: Connection,
    policies,
    *,
    start: datetime,
    end: datetime,
    group_by: str,
    channel_ids: Sequence[str],
    stale: Sequence[datetime] | None,
    split: RollupSplit | None = None,
    periods: Periods | None = None,
) -> pd.DataFrame:
    """The FRT frame of a wall-clock selection (see the module docstring for the routes).

    stale: intervals to count from raw rows rather than the rollup (None: the rollup is not
    usable, count everything raw). split: which days the day rollup answers (None: none).
    periods: key the frame by period as well; exact or histogram is then chosen per period.
    """
    common = {"start": start, "end": end, "group_by": group_by, "channel_ids": channel_ids}
    if group_by in ("channel", "queue") and stale is not None:
        split = split or RollupSplit((), ((start, end),))
        parts = [
            rollup_histogram(
                conn,
                group_by=group_by,
                channel_ids=channel_ids,
                split=split,
                exclude=stale,
                periods=periods,
            )
        ]
        if stale:
            parts.append(
                raw_histogram(conn, policies, **common, intervals_in=stale, periods=periods)
            )
        hist = concat_parts(parts)
    else:
        hist = raw_histogram(conn, policies, **common, periods=periods)
    if periods is None:
        answered = int(pd.to_numeric(hist["n"]).sum()) if not hist.empty else 0
        if answered <= EXACT_MAX_CONTACTS:
            return exact_frt(conn, **common)
        return histogram_frame(hist)
    # Per period: exact values where a period has few enough answered contacts.
    hist = hist.astype({"period_key": "int64", "n": "int64"})
    answered = hist.groupby("period_key")["n"].sum()
    small = answered.index[answered <= EXACT_MAX_CONTACTS]
    frame = histogram_frame(hist[~hist["period_key"].isin(small)])
    if len(small):
        exact = exact_frt(conn, **common, periods=periods)
        frame = concat_parts([frame, exact[exact["period_key"].isin(small)]])
    return frame.reset_index(drop=True)
