"""Channel views: the mix of offered contacts per local day or week, social public vs private, and
each channel's FRT / AHT / service level side by side.

Offered counts come from the 15-minute rollup, joined onto every channel (a channel with no
traffic shows 0) and every period (zero-filled); intervals changed since the rollup's watermark
are counted from raw rows, as on the Service level page. Share of offered = a channel's offered
/ all channels' offered in that period × 100 (no data when the period had none).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, case, func, select
from sqlalchemy.sql import Subquery

from db.schema import channels as channel_table
from db.schema import interactions, interval_stats
from db.sqlfuncs import bucket_15m
from queries.frames import read_frame
from queries.local_buckets import check_granularity, period_key_expr, period_table
from queries.service_level import MAX_STALE_INTERVALS, service_level_report, stale_intervals
from queries.sl_base import range_filter

INTERVAL = timedelta(minutes=15)
MIX_COLUMNS: tuple[str, ...] = (
    "period_key",
    "period_start",
    "period_end",
    "channel_id",
    "channel",
    "is_social",
    "offered",
    "public_offered",
    "private_offered",
    "share_percent",
)


def channel_mix(
    *, engine: Engine, start: datetime, end: datetime, tz: str, granularity: str = "day"
) -> pd.DataFrame:
    """Offered per local period × channel in [start, end) (naive UTC), every channel and period.

    Columns (MIX_COLUMNS): period_key, period_start / period_end (local, tz-aware), channel_id,
    channel, is_social, offered, public_offered, private_offered, share_percent (of the period's
    offered across all channels; NaN when the period had none). Shares of a period sum to 100.
    """
    check_granularity(granularity)
    s = interval_stats.c
    i = interactions.c
    with engine.connect() as conn:
        channel_rows = read_frame(
            engine=conn,
            statement=select(
                channel_table.c.id.label("channel_id"),
                channel_table.c.name.label("channel"),
                channel_table.c.is_social,
            ).order_by(channel_table.c.sort_order, channel_table.c.id),
        )
        ids = channel_rows["channel_id"].tolist()
        stale = stale_intervals(conn, start=start, end=end, channel_ids=ids)
        use_rollup = stale is not None and len(stale) <= MAX_STALE_INTERVALS
        parts = []
        if use_rollup:
            rollup_conditions = [s.interval_start >= start, s.interval_start < end]
            if stale:
                rollup_conditions.append(s.interval_start.not_in(stale))
            per_row = (
                select(
                    period_key_expr(
                        s.interval_start, start=start, end=end, tz=tz, granularity=granularity
                    ).label("period_key"),
                    s.channel_id,
                    s.offered,
                    s.public_offered,
                )
                .where(*rollup_conditions)
                .subquery()
            )
            parts.append(_summed(conn, per_row))
        if not use_rollup or stale:
            low, high = start, end
            if use_rollup:  # one tight range, so the index finds only the stale intervals' rows
                low, high = max(start, min(stale)), min(end, max(stale) + INTERVAL)
            raw_conditions = [range_filter(low, high, ids)]
            if use_rollup:
                raw_conditions.append(bucket_15m(i.created_at).in_(stale))
            per_row = (
                select(
                    period_key_expr(
                        i.created_at, start=start, end=end, tz=tz, granularity=granularity
                    ).label("period_key"),
                    i.channel_id,
                    case((i.is_public.is_(True), 1), else_=0).label("public"),
                )
                .where(*raw_conditions)
                .subquery()
            )
            parts.append(_summed_raw(conn, per_row))
    counts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    periods = period_table(start=start, end=end, tz=tz, granularity=granularity)
    grid = periods.merge(channel_rows, how="cross")
    if not counts.empty:
        counts = counts.groupby(["period_key", "channel_id"], as_index=False)[
            ["offered", "public_offered"]
        ].sum()
        counts["period_key"] = counts["period_key"].astype("int64")
        grid = grid.merge(counts, on=["period_key", "channel_id"], how="left")
    else:
        grid["offered"] = 0
        grid["public_offered"] = 0
    for name in ("offered", "public_offered"):
        grid[name] = pd.to_numeric(grid[name]).fillna(0).astype("int64")
    grid["private_offered"] = grid["offered"] - grid["public_offered"]
    period_total = grid.groupby("period_key")["offered"].transform("sum").astype(float)
    grid["share_percent"] = 100.0 * grid["offered"] / period_total.where(period_total > 0)
    grid["is_social"] = grid["is_social"].astype(bool)
    return grid[list(MIX_COLUMNS)]


def _summed(conn: Connection, per_row: Subquery) -> pd.DataFrame:
    """Rollup rows summed per period and channel."""
    r = per_row.c
    statement = select(
        r.period_key,
        r.channel_id,
        func.sum(r.offered).label("offered"),
        func.sum(r.public_offered).label("public_offered"),
    ).group_by(r.period_key, r.channel_id)
    return read_frame(engine=conn, statement=statement)


def _summed_raw(conn: Connection, per_row: Subquery) -> pd.DataFrame:
    """Raw rows counted per period and channel (for intervals the rollup has not caught up on)."""
    r = per_row.c
    statement = select(
        r.period_key,
        r.channel_id,
        func.count().label("offered"),
        func.sum(r.public).label("public_offered"),
    ).group_by(r.period_key, r.channel_id)
    return read_frame(engine=conn, statement=statement)


def mix_totals(mix: pd.DataFrame) -> pd.DataFrame:
    """One row per channel over the whole range: offered, public, private, share_percent.

    mix: from `channel_mix`. share_percent is of all channels' offered in the range (NaN when
    nothing was offered); public_share_percent is public / offered of that channel.
    """
    totals = mix.groupby(["channel_id", "channel", "is_social"], sort=False, as_index=False)[
        ["offered", "public_offered", "private_offered"]
    ].sum()
    grand = float(totals["offered"].sum())
    totals["share_percent"] = 100.0 * totals["offered"] / grand if grand else float("nan")
    offered = totals["offered"].astype(float)
    totals["public_share_percent"] = 100.0 * totals["public_offered"] / offered.where(offered > 0)
    return totals


def social_split(mix: pd.DataFrame) -> pd.DataFrame:
    """Social channels only (`mix_totals` rows): public posts/comments vs private messages."""
    totals = mix_totals(mix)
    return totals[totals["is_social"]].reset_index(drop=True)


def channel_comparison(
    *, engine: Engine, start: datetime, end: datetime, tz: str, now: datetime
) -> pd.DataFrame:
    """Per channel (every channel): service level, FRT and AHT side by side over [start, end).

    Each channel under its own policy (target and abandon rule in force at arrival; wall
    clock). Columns: channel_id, channel, kind, goal_percent, targets, abandon_rule, offered,
    answered, abandoned, met, missed, pending, service_level_percent, frt_median, frt_p90,
    frt_mean, frt_n, asa_seconds, aht_seconds, answer_rate, abandonment_rate, csat_rated,
    csat_percent, csat_mean (CSAT NaN when nothing was rated).
    """
    # The Service level page's own report (one read: counts, FRT and CSAT per channel).
    report = service_level_report(
        engine=engine,
        start=start,
        end=end,
        tz=tz,
        granularity="day",
        group_by="channel",
        now=now,
    )
    table = report.by_group.rename(columns={"group_key": "channel_id"})
    merged = report.policies[
        ["channel_id", "channel", "kind", "goal_percent", "targets", "abandon_rule"]
    ]
    merged = merged.merge(table.drop(columns="group_label"), on="channel_id", how="left")
    return merged[
        [
            "channel_id",
            "channel",
            "kind",
            "goal_percent",
            "targets",
            "abandon_rule",
            "offered",
            "answered",
            "abandoned",
            "met",
            "missed",
            "pending",
            "service_level_percent",
            "frt_median",
            "frt_p90",
            "frt_mean",
            "frt_n",
            "asa_seconds",
            "aht_seconds",
            "answer_rate",
            "abandonment_rate",
            "csat_rated",
            "csat_percent",
            "csat_mean",
        ]
    ]
