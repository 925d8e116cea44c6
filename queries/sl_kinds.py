"""Service level kind counts per (period, group, channel, abandon rule) — the two SQL routes.

`raw_kind_counts` runs one conditional aggregate over raw rows; `rollup_kind_counts` sums the
15-minute `interval_stats`; `stale_intervals` says which intervals the rollup may not have caught
up with yet (those are counted raw). `queries.sl_read` chooses between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, case, false, func, literal, or_, select
from sqlalchemy.sql.expression import ColumnElement

from analytics.periods import interval_start
from analytics.service_level import (
    ABANDONED,
    ABANDONED_SHORT,
    ANSWERED_MET,
    ANSWERED_MISSED,
    CLOSED_WITHIN_TARGET,
    KINDS,
    OPEN_WITHIN_TARGET,
    UNANSWERED_BREACHED,
)
from analytics.sl_frames import KIND_COLUMNS, kind_column
from db.rollups import JOB_NAME, WATERMARK_LAG, _runs
from db.schema import day_stats, interactions, interval_stats, job_state
from db.sqlfuncs import bucket_15m
from db.threads import counts_as_contact
from queries.frames import concat_parts, read_frame
from queries.local_buckets import period_key_expr
from queries.rollup_split import RollupSplit, day_period_key, in_day_runs, in_ranges
from queries.sl_base import group_expr, range_filter, raw_from, row_exprs

# Rows changed since the rollup's watermark; more means the rollup is far behind (count raw).
MAX_STALE_ROWS = 20_000
# The kinds that depend on `now` (or on a closure the rollup does not judge): always counted raw.
UNANSWERED_KIND_COLUMNS = tuple(
    kind_column(k) for k in (UNANSWERED_BREACHED, OPEN_WITHIN_TARGET, CLOSED_WITHIN_TARGET)
)
ROLLUP_KIND_SOURCES = ("answered", "met", "abandoned", "abandoned_short")


def _flag(condition: ColumnElement) -> ColumnElement:
    return case((condition, 1), else_=0)


def in_intervals(column: ColumnElement, intervals: Sequence[datetime]) -> ColumnElement:
    """`column` (an arrival time) inside one of the 15-minute `intervals`, as created_at ranges
    (adjacent intervals merged): each range is an index range scan on both backends, where a
    bucket-of-created_at IN list made the database bucket every row between the first and the
    last interval (days of rows when an old email was answered just now)."""
    starts = sorted(interval_start(pd.Timestamp(v).to_pydatetime()) for v in intervals)
    return or_(false(), *[and_(column >= low, column < high) for low, high in _runs(starts)])


def within_intervals(
    intervals: Sequence[datetime], start: datetime, end: datetime, channel_ids: Sequence[str]
) -> ColumnElement:
    """Contacts (as `range_filter` counts them) that arrived in one of the 15-minute
    `intervals` inside [start, end), on `channel_ids`."""
    i = interactions.c
    inside = [v for v in intervals if start <= pd.Timestamp(v).to_pydatetime() < end]
    # channel_id || '' hides the channel from the index choice: given a plain channel_id IN,
    # SQLite's planner walked each channel's whole history instead of the few time ranges.
    on_channels = i.channel_id.concat("").in_(list(channel_ids))
    return and_(in_intervals(i.created_at, inside), counts_as_contact(), on_channels)


def raw_kind_counts(
    conn: Connection,
    policies: Sequence[dict[str, Any]],
    *,
    start: datetime,
    end: datetime,
    tz: str,
    granularity: str,
    group_by: str,
    channel_ids: Sequence[str],
    now: datetime,
    abandon_rule: str | None,
    only_unanswered: bool = False,
    intervals_in: Sequence[datetime] | None = None,
    intervals_not_in: Sequence[datetime] | None = None,
) -> pd.DataFrame:
    """Kind counts per (period, group, channel, rule) from raw rows, in one SQL aggregate."""
    i = interactions.c
    x = row_exprs(policies, abandon_rule, now)
    if intervals_in is not None:
        # Only the intervals' own created_at ranges (no outer [start, end) bound): with one,
        # SQLite scanned the whole period and tested the ranges row by row.
        conditions = [within_intervals(intervals_in, start, end, channel_ids)]
    else:
        conditions = [range_filter(start, end, channel_ids)]
    if only_unanswered:
        conditions.append(x.unanswered)
    if intervals_not_in:
        conditions.append(bucket_15m(i.created_at).not_in(list(intervals_not_in)))
    # Per-row flags in a subquery; the outer query groups by plain labelled columns, so
    # PostgreSQL never has to match a parameterised CASE in GROUP BY to the one in SELECT.
    kind_flags = [_flag(x.sla.kind[kind]).label(kind_column(kind)) for kind in KINDS]
    rows = (
        select(
            period_key_expr(
                i.created_at, start=start, end=end, tz=tz, granularity=granularity
            ).label("period_key"),
            group_expr(group_by).label("group_key"),
            i.channel_id.label("channel_id"),
            x.rule.label("abandon_rule"),
            _flag(x.answered).label("answered"),
            _flag(x.abandoned).label("abandoned"),
            *kind_flags,
            case((x.answered, x.frt), else_=literal(0.0)).label("sum_frt_seconds"),
            func.coalesce(i.handle_seconds, 0).label("sum_handle_seconds"),
            _flag(i.handle_seconds.is_not(None)).label("handled"),
        )
        .select_from(raw_from(group_by))
        .where(*conditions)
        .subquery()
    )
    r = rows.c
    keys = [r.period_key, r.group_key, r.channel_id, r.abandon_rule]
    summed = [name for name in KIND_COLUMNS if name != "offered"]
    statement = select(
        *keys,
        func.count().label("offered"),
        *[func.sum(r[name]).label(name) for name in summed],
    ).group_by(*keys)
    frame = read_frame(engine=conn, statement=statement)
    if only_unanswered:
        # Everything but the unanswered kinds is already in the rollup rows.
        for name in KIND_COLUMNS:
            if name not in UNANSWERED_KIND_COLUMNS:
                frame[name] = 0
    return frame


def _watermark(conn: Connection) -> datetime | None:
    """The rollup's watermark: changes up to it (less WATERMARK_LAG) are in interval_stats."""
    return conn.scalar(select(job_state.c.watermark).where(job_state.c.name == JOB_NAME))


def stale_intervals(
    conn: Connection, *, start: datetime, end: datetime, channel_ids: Sequence[str]
) -> list[datetime] | None:
    """15-minute intervals in [start, end) whose rollup rows may be behind the raw rows.

    None when the rollup has never been built, or has fallen so far behind that counting the
    whole range from raw rows is the sensible thing (everything is stale).
    """
    watermark = _watermark(conn)
    if watermark is None:
        return None
    i = interactions.c
    # Only the updated_at condition in SQL: with a created_at range as well, SQLite's planner
    # walks the (much larger) created_at range instead of the few recently changed rows.
    # Deliberately not limited to thread starts: a row that has just become a follow-up
    # (db/threads.py) changes its interval's counts too.
    changed = conn.execute(
        select(i.created_at, i.channel_id)
        .where(i.updated_at > watermark - WATERMARK_LAG, i.direction == "inbound")
        .limit(MAX_STALE_ROWS + 1)
    ).all()
    if len(changed) > MAX_STALE_ROWS:
        return None
    wanted = set(channel_ids)
    buckets = {
        interval_start(pd.Timestamp(created).to_pydatetime())
        for created, channel_id in changed
        if channel_id in wanted and start <= pd.Timestamp(created).to_pydatetime() < end
    }
    return sorted(buckets)


ROLLUP_SUMS = (
    "offered",
    "answered",
    "met",
    "abandoned",
    "abandoned_short",
    "sum_frt_seconds",
    "sum_handle_seconds",
    "handled",
)


def _summed_rollup(source, key, conditions, *, group_by: str, sums: Sequence[str]):
    """SELECT of `sums` from a rollup table per (period key, group, channel)."""
    s = source.c
    rows = (
        select(
            key.label("period_key"),
            (s.channel_id if group_by == "channel" else s.queue).label("group_key"),
            s.channel_id,
            *[s[name] for name in sums],
        )
        .where(*conditions)
        .subquery()
    )
    r = rows.c
    keys = [r.period_key, r.group_key, r.channel_id]
    return select(*keys, *[func.sum(r[name]).label(name) for name in sums]).group_by(*keys)


def rollup_sums(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    tz: str,
    granularity: str,
    group_by: str,
    channel_ids: Sequence[str],
    exclude: Sequence[datetime],
    split: RollupSplit,
    sums: Sequence[str] = ROLLUP_SUMS,
) -> pd.DataFrame:
    """`sums` per (period, group, channel) from the rollups: day_stats for the split's whole
    days, interval_stats for the rest, skipping the `exclude` intervals."""
    s = interval_stats.c
    conditions = [in_ranges(s.interval_start, split.interval_ranges)]
    conditions.append(s.channel_id.in_(list(channel_ids)))
    if exclude:
        conditions.append(s.interval_start.not_in(list(exclude)))
    key = period_key_expr(s.interval_start, start=start, end=end, tz=tz, granularity=granularity)
    parts = []
    if split.interval_ranges or not split.day_runs:
        statement = _summed_rollup(interval_stats, key, conditions, group_by=group_by, sums=sums)
        parts.append(read_frame(engine=conn, statement=statement))
    if split.day_runs:
        d = day_stats.c
        day_conditions = [
            in_day_runs(d.local_day, split.day_runs),
            d.channel_id.in_(list(channel_ids)),
        ]
        statement = _summed_rollup(
            day_stats,
            day_period_key(d.local_day, granularity),
            day_conditions,
            group_by=group_by,
            sums=sums,
        )
        parts.append(read_frame(engine=conn, statement=statement))
    return concat_parts(parts)


def rollup_kind_counts(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    tz: str,
    granularity: str,
    group_by: str,
    channel_ids: Sequence[str],
    exclude: Sequence[datetime],
    split: RollupSplit,
) -> pd.DataFrame:
    """Kind counts per (period, group, channel) from the rollups (`rollup_sums`)."""
    frame = rollup_sums(
        conn,
        start=start,
        end=end,
        tz=tz,
        granularity=granularity,
        group_by=group_by,
        channel_ids=channel_ids,
        exclude=exclude,
        split=split,
    )
    # The rollup's columns as kind counts. Only channels every contact of which has a policy
    # are read from it (`db.policies.channels_fully_covered`), so answered − met is late.
    counts = {name: pd.to_numeric(frame[name]).fillna(0) for name in ROLLUP_KIND_SOURCES}
    by_kind = {
        ANSWERED_MET: counts["met"],
        ANSWERED_MISSED: counts["answered"] - counts["met"],
        ABANDONED: counts["abandoned"] - counts["abandoned_short"],
        ABANDONED_SHORT: counts["abandoned_short"],
    }
    for kind in KINDS:
        frame[kind_column(kind)] = by_kind.get(kind, 0)
    return frame.drop(columns=["met", "abandoned_short"])
