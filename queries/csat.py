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

import pandas as pd
from sqlalchemy import Connection, Engine, case, func, select

from db.schema import interactions
from queries.frames import read_frame
from queries.sl_base import check_group_by, group_expr, normalise_group_keys, range_filter, raw_from

CSAT_COLUMNS: tuple[str, ...] = ("csat_rated", "csat_satisfied", "csat_sum")
CSAT_RATE_COLUMNS: tuple[str, ...] = ("csat_percent", "csat_mean")
SATISFIED_FROM = 4  # ratings 4 and 5 are "satisfied"


def csat_counts(
    *,
    conn: Engine | Connection,
    start: datetime,
    end: datetime,
    channel_ids: Sequence[str],
    group_by: str,
) -> pd.DataFrame:
    """Per group with at least one rating: group_key, csat_rated, csat_satisfied, csat_sum."""
    check_group_by(group_by)
    rating = interactions.c.csat
    statement = (
        select(
            group_expr(group_by).label("group_key"),
            func.count(rating).label("csat_rated"),
            func.sum(case((rating >= SATISFIED_FROM, 1), else_=0)).label("csat_satisfied"),
            func.sum(rating).label("csat_sum"),
        )
        .select_from(raw_from(group_by))
        .where(range_filter(start, end, channel_ids), rating.is_not(None))
        .group_by(group_expr(group_by))
    )
    frame = read_frame(engine=conn, statement=statement)
    if frame.empty:
        return pd.DataFrame(columns=["group_key", *CSAT_COLUMNS])
    frame = normalise_group_keys(frame)
    return frame.astype({name: "int64" for name in CSAT_COLUMNS})


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
