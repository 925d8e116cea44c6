"""Service level tables from counts and FRT values already read: the per-group table, the
overall KPIs, and the FRT bucket counts per channel (percentiles from `analytics.distributions`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analytics.distributions import bucket_counts, frt_summary_counted
from analytics.sl_frames import COUNT_COLUMNS, RATE_COLUMNS, add_rates

_EMPTY_FRT = pd.DataFrame({"frt_seconds": [], "n": [], "sum_seconds": []})


def _frames_by(frt: pd.DataFrame, column: str) -> dict[str, pd.DataFrame]:
    """The FRT frame split by a key column in one pass (not one comparison sweep per key)."""
    if frt.empty:
        return {}
    return {key: group for key, group in frt.groupby(column, sort=False)}


def totals_by_group(counts: pd.DataFrame, frt: pd.DataFrame) -> pd.DataFrame:
    """One row per group: counts summed over the periods, rates, and FRT median / p90 / mean.

    counts: from `service_level_counts`; frt: from `frt_values` with the same filters.
    Every group of `counts` is listed (zero traffic too), in its order.
    """
    order = counts.drop_duplicates("group_key")[["group_key", "group_label"]]
    summed = counts.groupby("group_key", sort=False)[list(COUNT_COLUMNS)].sum().reset_index()
    out = add_rates(order.merge(summed, on="group_key", how="left"))
    by_key = _frames_by(frt, "group_key")
    stats = []
    for key in out["group_key"]:
        summary = frt_summary_counted(by_key.get(key, _EMPTY_FRT))
        stats.append(
            {
                "frt_median": summary.median,
                "frt_p90": summary.p90,
                "frt_mean": summary.mean,
                "frt_n": summary.n,
            }
        )
    stats_frame = pd.DataFrame(stats, index=out.index).astype(
        {"frt_median": float, "frt_p90": float, "frt_mean": float, "frt_n": "int64"}
    )
    return pd.concat([out, stats_frame], axis=1)


def overall_totals(counts: pd.DataFrame, frt: pd.DataFrame) -> dict[str, Any]:
    """The KPIs of the whole selection: summed counts, rates, FRT median / p90 / mean / n.

    Rates and FRT figures are None when there is no data (never 0); `breaches` = missed.
    """
    sums = {name: counts[name].sum() if not counts.empty else 0 for name in COUNT_COLUMNS}
    row = add_rates(pd.DataFrame([sums])).iloc[0]
    summary = frt_summary_counted(frt if not frt.empty else _EMPTY_FRT)
    totals: dict[str, Any] = {}
    for name in COUNT_COLUMNS:
        totals[name] = float(sums[name]) if name.startswith("sum_") else int(sums[name])
    for name in RATE_COLUMNS:
        totals[name] = None if pd.isna(row[name]) else float(row[name])
    totals.update(
        frt_median=summary.median,
        frt_p90=summary.p90,
        frt_mean=summary.mean,
        frt_n=summary.n,
        breaches=totals["missed"],
    )
    return totals


def frt_bucket_table(frt: pd.DataFrame, policies: pd.DataFrame) -> pd.DataFrame:
    """FRT bucket counts per channel: hours for email/social, seconds for phone/chat.

    policies: `channel_policies` (for each channel's kind and name); channels not in `frt`
    still get their zero rows. Columns: channel_id, channel, family ("live" / "async"),
    bucket, bucket_order, count. Each bucket includes its lower edge.
    """
    by_channel = _frames_by(frt, "channel_id")
    rows = []
    for channel in policies.itertuples():
        values = by_channel.get(channel.channel_id, _EMPTY_FRT)
        family = "live" if channel.kind in ("voice", "chat") else "async"
        kind = "voice" if family == "live" else "async"
        weights = values["n"] if "n" in values.columns else np.ones(len(values))
        counts = bucket_counts(
            pd.to_numeric(values["frt_seconds"]).to_numpy(dtype=float),
            kind,
            pd.to_numeric(pd.Series(weights)).to_numpy(dtype=float),
        )
        for order, (bucket, count) in enumerate(counts.items()):
            rows.append(
                {
                    "channel_id": channel.channel_id,
                    "channel": channel.channel,
                    "family": family,
                    "bucket": bucket,
                    "bucket_order": order,
                    "count": int(count),
                }
            )
    return pd.DataFrame(
        rows, columns=["channel_id", "channel", "family", "bucket", "bucket_order", "count"]
    )
