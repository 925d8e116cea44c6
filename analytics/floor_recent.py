"""The Floor's figures beyond today's totals, from frames: the rolling service level of the
last 30 and 60 minutes per channel, and the contacts waiting now per queue.

Pure pandas, no rule of its own: the rolling figures are the one SLA rule applied to a shorter
arrival window (queries.floor.recent_service_level), and "past target" for a waiting contact
is `analytics.service_level.past_target`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd

from analytics.service_level import past_target

RECENT_WINDOWS: tuple[int, ...] = (30, 60)  # minutes
QUEUE_COLUMNS = ["queue", "waiting", "past_target", "oldest_wait_seconds", "channels"]


def recent_columns(minutes: int) -> tuple[str, str]:
    """(service level %, n) column names of the window of `minutes`."""
    return f"sl_{minutes}m", f"n_{minutes}m"


def add_recent_levels(summary: pd.DataFrame, recent: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """`summary` (analytics.floor.channel_summary) with, per window of `recent` (minutes ->
    queries.floor.recent_service_level), the service level and its n (met + missed) as
    `sl_<m>m` and `n_<m>m`: NaN and 0 for a channel with nothing closed in the window."""
    frame = summary.copy()
    for minutes, levels in recent.items():
        level, n = recent_columns(minutes)
        if levels.empty:
            frame[level], frame[n] = float("nan"), 0
            continue
        closed = pd.to_numeric(levels["met"]).fillna(0) + pd.to_numeric(levels["missed"]).fillna(0)
        by_channel = pd.DataFrame(
            {
                level: pd.to_numeric(levels["service_level_percent"]).astype(float).to_numpy(),
                n: closed.astype("int64").to_numpy(),
            },
            index=levels["channel_id"].to_numpy(),
        )
        frame[level] = frame["channel_id"].map(by_channel[level]).astype(float)
        frame[n] = frame["channel_id"].map(by_channel[n]).fillna(0).astype("int64")
    return frame


def waiting_by_queue(
    backlog: pd.DataFrame, as_of: datetime, labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Contacts waiting now per queue, the queue with the oldest wait first.

    backlog: queries.floor.open_unanswered at `as_of` (naive UTC). Returns QUEUE_COLUMNS:
    waiting (count), past_target (already past the target of the policy in force at arrival),
    oldest_wait_seconds, channels (display names by `labels`, comma-separated, in the order of
    `labels`, then by id). A contact with no queue counts under "(no queue)".
    """
    if backlog.empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    waited = (pd.Timestamp(as_of) - pd.to_datetime(backlog["created_at"])).dt.total_seconds()
    frame = backlog.assign(
        queue=backlog["queue"].fillna("(no queue)"),
        waited=waited.clip(lower=0),
        late=past_target(waited, pd.to_numeric(backlog["target_seconds"])).fillna(False),
    )
    names = labels or {}
    order = {channel: n for n, channel in enumerate(names)}

    def channel_names(ids: pd.Series) -> str:
        shown = sorted(set(ids), key=lambda c: (order.get(c, len(order)), c))
        return ", ".join(names.get(c, c) for c in shown)

    grouped = frame.groupby("queue", sort=False)
    table = pd.DataFrame(
        {
            "waiting": grouped.size(),
            "past_target": grouped["late"].sum().astype("int64"),
            "oldest_wait_seconds": grouped["waited"].max(),
            "channels": grouped["channel_id"].agg(channel_names),
        }
    )
    table = table.sort_values(["oldest_wait_seconds", "waiting"], ascending=False)
    return table.reset_index()[QUEUE_COLUMNS]
