"""Offered and service level by local hour of day × weekday, for planning staff.

Counted by the Service level route (`service_level_counts` per local hour: the 15-minute rollup
where it can, SQL aggregates otherwise — never raw rows into pandas), then folded onto the week:
every Monday 09:00–10:00 of the period adds to one cell. Hours are the centre's local wall-clock
hours: a DST night's repeated 01:00 hour adds to the 01:00 cell twice, its skipped hour to none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from analytics.sl_frames import COUNT_COLUMNS, add_rates
from queries.service_level import service_level_counts

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PATTERN_COLUMNS: tuple[str, ...] = (
    "weekday",
    "hour",
    "hours",
    "offered",
    "offered_per_hour",
    "met",
    "missed",
    "pending",
    "service_level_percent",
)


def weekly_pattern(
    *,
    engine: Engine,
    start: datetime,
    end: datetime,
    tz: str,
    now: datetime,
    channels: Sequence[str] | None = None,
    abandon_rule: str | None = None,
) -> pd.DataFrame:
    """One row per weekday (0 = Monday) × local hour (0–23), all 168, over arrivals in
    [start, end) (naive UTC): hours (how many times that local hour began in the period
    before `now`), offered, offered_per_hour (offered ÷ hours; NaN when the hour never came),
    met, missed, pending and service_level_percent (met ÷ (met + missed) × 100; NaN where
    nothing was met or missed). Wall clock; open contacts judged at `now`; abandons under each
    policy's rule or `abandon_rule`.
    """
    counts = service_level_counts(
        engine=engine,
        start=start,
        end=end,
        tz=tz,
        granularity="hour",
        group_by="channel",
        now=now,
        channels=channels,
        abandon_rule=abandon_rule,
    )
    stamps = pd.to_datetime(counts["period_start"])
    placed = counts.assign(weekday=stamps.dt.weekday, hour=stamps.dt.hour)
    folded = placed.groupby(["weekday", "hour"])[list(COUNT_COLUMNS)].sum()
    began = placed[pd.to_datetime(counts["period_start"], utc=True) < pd.Timestamp(now, tz="UTC")]
    folded["hours"] = began.groupby(["weekday", "hour"])["period_key"].nunique()
    week = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    grid = folded.reindex(week).fillna(0).astype("int64").reset_index()
    hours = grid["hours"].astype(float)
    grid["offered_per_hour"] = grid["offered"] / hours.where(hours > 0)
    return add_rates(grid)[list(PATTERN_COLUMNS)]
