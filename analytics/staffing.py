"""Staffing now and next: agents needed (Erlang C) per channel for the current and next
15-minute interval, against the agents on the floor with that skill.

The rules (forecast = the expected mean or the current pace, whichever is higher; AHT ÷
concurrency; shrinkage) are stated in components.staffing_table.STAFFING_RULES under the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from analytics.erlang import agents_needed
from analytics.floor import ON_FLOOR_STATES
from analytics.periods import interval_start, to_local

INTERVAL = timedelta(minutes=15)
# Pace is projected from at least this much of the interval, so one contact in the first
# seconds of an interval does not read as a flood.
PACE_MIN_ELAPSED = timedelta(minutes=5)

FRAME_COLUMNS = [
    "interval",
    "interval_start",
    "channel_id",
    "channel",
    "expected",
    "pace",
    "forecast",
    "basis",
    "aht_seconds",
    "target_seconds",
    "goal_percent",
    "concurrency",
    "shrinkage_percent",
    "needed",
    "with_shrinkage",
    "on_floor",
    "gap",
    "note",
]


def current_intervals(as_of: datetime, tz: str) -> list[tuple[datetime, datetime]]:
    """(UTC start, local wall-clock start) of the current and the next 15-minute interval."""
    start = interval_start(as_of)
    return [(utc, to_local(utc, tz).replace(tzinfo=None)) for utc in (start, start + INTERVAL)]


def current_pace(today: pd.DataFrame, as_of: datetime) -> dict[str, float]:
    """Arrivals per 15 minutes at the current interval's pace, per channel (see STAFFING_RULES).

    today: offered per interval today (UTC interval_start, channel_id, offered).
    """
    start = interval_start(as_of)
    elapsed = max(as_of - start, PACE_MIN_ELAPSED)
    rows = today[pd.to_datetime(today["interval_start"]) == pd.Timestamp(start)]
    scale = INTERVAL / elapsed
    per_channel = rows.groupby("channel_id")["offered"].sum()
    return {str(c): float(n) * scale for c, n in per_channel.items()}


def on_floor_by_channel(agents: pd.DataFrame, channel_ids: list[str]) -> dict[str, int]:
    """Agents available, busy or in after-contact work, per channel they are skilled on."""
    working = agents[agents["state"].isin(ON_FLOOR_STATES)] if len(agents) else agents
    return {
        channel_id: int(sum(channel_id in skills for skills in working.get("skills", [])))
        for channel_id in channel_ids
    }


def staffing_frame(
    *,
    channels: pd.DataFrame,
    policies: pd.DataFrame,
    aht: pd.DataFrame,
    expected: pd.DataFrame,
    today: pd.DataFrame,
    agents: pd.DataFrame,
    as_of: datetime,
    tz: str,
    shrinkage_percent: float,
    concurrency: Mapping[str, float],
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Needed vs on the floor per channel for the current and next interval (STAFFING_RULES).

    Args:
        channels: the channels to show (channel_id, kind).
        policies: queries.floor.channel_policies. aht: queries.floor.handle_time_by_channel.
        expected: analytics.expected_volume.expected_by_channel for today (local slot_start).
        today: offered per interval today (UTC). agents: queries.floor.latest_agent_states.
        as_of: now (naive UTC); tz: the centre's time zone.
        shrinkage_percent: settings.shrinkage_percent; concurrency: settings.concurrency by
            channel kind (1 when the kind is not listed).
        labels: display names by channel id (else the id).

    Returns FRAME_COLUMNS, one row per interval × channel; needed / with_shrinkage / gap are
    <NA> when they cannot be computed (note says why).
    """
    pace = current_pace(today, as_of)
    ids = [str(c) for c in channels["channel_id"]]
    on_floor = on_floor_by_channel(agents, ids)
    policy = policies.set_index("channel_id") if len(policies) else pd.DataFrame()
    aht_by_channel = aht.set_index("channel_id")["aht_seconds"] if len(aht) else pd.Series()
    slot_mean = (
        expected.set_index(["channel_id", "slot_start"])["mean"]
        if len(expected)
        else pd.Series(dtype="float64")
    )

    rows = []
    for _utc_start, local_start in current_intervals(as_of, tz):
        label = f"{local_start:%H:%M}–{local_start + INTERVAL:%H:%M}"
        for channel in channels.itertuples(index=False):
            cid = str(channel.channel_id)
            expected_mean = slot_mean.get((cid, pd.Timestamp(local_start)), np.nan)
            expected_mean = 0.0 if pd.isna(expected_mean) else float(expected_mean)
            channel_pace = pace.get(cid, 0.0)
            forecast = max(expected_mean, channel_pace)
            basis = "current pace" if channel_pace > expected_mean else "expected"
            aht_seconds = aht_by_channel.get(cid, np.nan)
            has_policy = cid in policy.index
            target = float(policy.at[cid, "target_seconds"]) if has_policy else np.nan
            goal = float(policy.at[cid, "goal_percent"]) if has_policy else np.nan
            per_agent = float(concurrency.get(str(channel.kind), 1.0))
            needed = with_shrinkage = None
            note = ""
            if not has_policy:
                note = "no SLA policy for this channel"
            elif forecast == 0:
                needed, with_shrinkage = 0, 0
                note = "no arrivals expected"
            elif pd.isna(aht_seconds) or aht_seconds <= 0:
                note = "no handle times in the last 4 weeks"
            elif goal >= 100:
                note = "a 100 % goal cannot be staffed for in a queue model"
            else:
                result = agents_needed(
                    forecast,
                    INTERVAL.total_seconds(),
                    float(aht_seconds),
                    target,
                    goal,
                    shrinkage_percent=shrinkage_percent,
                    concurrency=per_agent,
                )
                needed, with_shrinkage = result.agents, result.agents_with_shrinkage
            rows.append(
                {
                    "interval": label,
                    "interval_start": local_start,
                    "channel_id": cid,
                    "channel": (labels or {}).get(cid, cid),
                    "expected": expected_mean,
                    "pace": channel_pace,
                    "forecast": forecast,
                    "basis": basis,
                    "aht_seconds": aht_seconds,
                    "target_seconds": target,
                    "goal_percent": goal,
                    "concurrency": per_agent,
                    "shrinkage_percent": float(shrinkage_percent),
                    "needed": needed,
                    "with_shrinkage": with_shrinkage,
                    "on_floor": on_floor[cid],
                    "gap": None if needed is None else on_floor[cid] - needed,
                    "note": note,
                }
            )
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    return frame.astype({"needed": "Int64", "with_shrinkage": "Int64", "gap": "Int64"})
