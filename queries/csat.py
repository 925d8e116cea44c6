"""Customer satisfaction (CSAT) per group over a period: one conditional aggregate in SQL.

Definition (docs/metrics.md): CSAT = share of ratings 4 or 5 among *rated* contacts, with the
mean rating as a secondary figure and the number rated. Unrated contacts are not in the
denominator, so a period with no ratings has no CSAT ("no ratings"), never 0 %. Contacts are
those the service level counts (`range_filter`: inbound conversation starts that arrived in
[start, end)), grouped exactly as the service level groups them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

import pandas as pd
from sqlalchemy import Connection, case, func, select

from analytics.csat import SATISFIED_FROM
from analytics.periods import on_interval_grid
from db.schema import interactions
from queries.frames import concat_parts, read_frame
from queries.local_buckets import check_granularity, period_key_expr
from queries.rollup_split import split_period
from queries.sl_base import check_group_by, group_expr, normalise_group_keys, range_filter, raw_from
from queries.sl_kinds import rollup_sums, stale_intervals, within_intervals

CSAT_COLUMNS: tuple[str, ...] = ("csat_rated", "csat_satisfied", "csat_sum")
CSAT_RATE_COLUMNS: tuple[str, ...] = ("csat_percent", "csat_mean")


def csat_counts(
    *,
    conn: Connection,
    start: datetime,
    end: datetime,
    channel_ids: Sequence[str],
    group_by: str,
    per: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Per group with at least one rating: group_key, csat_rated, csat_satisfied, csat_sum
    (and per local period first, with `per` = (time zone, granularity): a period_key column of
    `queries.local_buckets`).

    Channel or queue grouping over whole 15-minute intervals is summed from the rollups (the
    day rollup for whole local days), with the intervals changed since its watermark counted
    from raw rows; anything else is one aggregate over raw rows.
    """
    check_group_by(group_by)
    keys = ["period_key", "group_key"] if per else ["group_key"]
    period = None
    if per is not None:
        check_granularity(per[1])
        period = partial(period_key_expr, start=start, end=end, tz=per[0], granularity=per[1])
    parts = None
    if group_by in ("channel", "queue") and on_interval_grid(start) and on_interval_grid(end):
        stale = stale_intervals(conn, start=start, end=end, channel_ids=channel_ids)
        if stale is not None:
            split = split_period(
                conn, start=start, end=end, stale=stale, keyed_in=per[0] if per else None
            )
            tz, granularity = per or ("UTC", "day")
            parts = [
                rollup_sums(
                    conn,
                    start=start,
                    end=end,
                    tz=tz,
                    granularity=granularity,
                    group_by=group_by,
                    channel_ids=channel_ids,
                    exclude=stale,
                    split=split,
                    sums=CSAT_COLUMNS,
                )
            ]
            if stale:
                contacts = within_intervals(stale, start, end, channel_ids)
                parts.append(_raw_counts(conn, contacts, group_by, period))
    if parts is None:
        parts = [_raw_counts(conn, range_filter(start, end, channel_ids), group_by, period)]
    frame = concat_parts(parts)
    if frame.empty:
        return pd.DataFrame(columns=[*keys, *CSAT_COLUMNS])
    frame = normalise_group_keys(frame)
    summed = frame.groupby(keys, as_index=False)[list(CSAT_COLUMNS)].sum()
    summed = summed.astype({name: "int64" for name in [*keys[:-1], *CSAT_COLUMNS]})
    return summed[summed["csat_rated"] > 0].reset_index(drop=True)


def _raw_counts(conn: Connection, contacts, group_by: str, period=None) -> pd.DataFrame:
    """CSAT counts per group of the rated `contacts` (a condition on interactions), and per
    period first when `period` (a period key expression of a column) is given."""
    i = interactions.c
    keyed = [period(i.created_at).label("period_key")] if period else []
    rated = (
        select(*keyed, group_expr(group_by).label("group_key"), i.csat.label("rating"))
        .select_from(raw_from(group_by))
        .where(contacts, i.csat.is_not(None))
        .cte("rated")
        # Materialized: grouping a flattened query by channel_id made SQLite walk the whole
        # (channel_id, created_at) index for its order instead of the few arrival ranges.
        .prefix_with("MATERIALIZED")
    )
    keys = [rated.c.period_key, rated.c.group_key] if period else [rated.c.group_key]
    rating = rated.c.rating
    statement = select(
        *keys,
        func.count(rating).label("csat_rated"),
        func.sum(case((rating >= SATISFIED_FROM, 1), else_=0)).label("csat_satisfied"),
        func.sum(rating).label("csat_sum"),
    ).group_by(*keys)
    return read_frame(engine=conn, statement=statement)


def add_csat(frame: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """`frame` (one row per group_key) with the CSAT counts joined on and the figures added:
    csat_percent = satisfied / rated × 100 and csat_mean = sum / rated, NaN when none rated."""
    out = frame.drop(columns=[*CSAT_COLUMNS, *CSAT_RATE_COLUMNS], errors="ignore")
    out = out.merge(counts, on="group_key", how="left")
    for name in CSAT_COLUMNS:
        out[name] = pd.to_numeric(out[name]).fillna(0).astype("int64")
    return out.assign(**csat_figures(out))


def csat_figures(counts: pd.DataFrame) -> dict[str, pd.Series]:
    """csat_percent and csat_mean of rated / satisfied / sum columns (NaN where none rated)."""
    rated = pd.to_numeric(counts["csat_rated"]).astype(float)
    rated = rated.where(rated > 0)
    return {
        "csat_percent": 100.0 * counts["csat_satisfied"] / rated,
        "csat_mean": counts["csat_sum"] / rated,
    }


def csat_overall(counts: pd.DataFrame) -> dict[str, float | int | None]:
    """The whole selection's CSAT: rated, satisfied, sum, percent, mean (None when none rated)."""
    sums = {name: int(counts[name].sum()) if not counts.empty else 0 for name in CSAT_COLUMNS}
    figures = csat_figures(pd.DataFrame([sums]))
    return sums | {
        name: None if pd.isna(value.iloc[0]) else float(value.iloc[0])
        for name, value in figures.items()
    }
