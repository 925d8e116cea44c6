"""Staffing now and next: agents needed (Erlang C) per channel for the current and next 15-minute
interval, against the agents on the floor with that skill.

`staffing_frame` is pure (testable without Streamlit); `render_staffing_table` draws it with the
gap coloured. The rules it applies are in STAFFING_RULES, shown under the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import streamlit as st

from analytics.erlang import agents_needed
from analytics.periods import to_local
from components.floor_tiles import ON_FLOOR_STATES
from components.theme import BAD, GOOD, WARN, channel_label, format_seconds

INTERVAL = timedelta(minutes=15)
TABLE_ROW_PX = 35  # st.dataframe's row height
# Pace is projected from at least this much of the interval, so one contact in the first
# seconds of an interval does not read as a flood.
PACE_MIN_ELAPSED = timedelta(minutes=5)

STAFFING_RULES = (
    "**Forecast arrivals** for an interval = the expected mean for that 15-minute slot (same "
    "weekday, previous 4 weeks), or the current interval's pace if higher — pace = arrivals so "
    "far in the current interval × 15 min ÷ the minutes elapsed (at least 5). "
    "**AHT** = mean handle time of handled contacts over the last 4 weeks and today (rollup). "
    "**Target / goal** = the channel's SLA policy for a normal-priority contact (on social "
    "channels the public-post policy, the tighter one). "
    "**Needed** = fewest agents whose Erlang C service level reaches the goal, with AHT ÷ "
    "concurrency per contact for channels where an agent handles several at once. "
    "**With shrinkage** = needed ÷ (1 − shrinkage): what to roster to have that many on "
    "contacts. **On the floor** = agents skilled on the channel whose state is available, busy "
    "or after-contact work (an agent with several skills counts on each of those channels). "
    "**Gap** = on the floor − needed: red when short, amber when exactly at need, green above."
)

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


def interval_start(moment: datetime) -> datetime:
    """Start of the 15-minute UTC interval holding `moment` (naive UTC), as the rollup buckets."""
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


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
) -> pd.DataFrame:
    """Needed vs on the floor per channel for the current and next interval (STAFFING_RULES).

    Args:
        channels: the channels to show (channel_id, kind).
        policies: queries.floor.channel_policies. aht: queries.floor.handle_time_by_channel.
        expected: components.volume_chart.expected_by_channel for today (local slot_start).
        today: offered per interval today (UTC). agents: queries.floor.latest_agent_states.
        as_of: now (naive UTC); tz: the centre's time zone.
        shrinkage_percent: settings.shrinkage_percent; concurrency: settings.concurrency by
            channel kind (1 when the kind is not listed).

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
                    "channel": channel_label(cid),
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


def gap_colour(gap: object) -> str:
    """Cell style of a gap: red when short, amber when exactly at need, green above."""
    if gap is None or pd.isna(gap):
        return ""
    colour = BAD if gap < 0 else WARN if gap == 0 else GOOD
    return f"background-color: {colour}; color: white; font-weight: 600"


def render_staffing_table(frame: pd.DataFrame) -> None:
    """The staffing frame as a table (the deciding columns first, gap coloured) and its rules."""
    if frame.empty:
        st.info("No channels selected.", icon=":material/groups:")
        return
    shown = pd.DataFrame(
        {
            "Interval": frame["interval"],
            "Channel": frame["channel"],
            "Forecast": frame["forecast"],
            "Needed": frame["needed"],
            "On the floor": frame["on_floor"],
            "Gap": frame["gap"],
            "With shrinkage": frame["with_shrinkage"],
            "Basis": frame["basis"],
            "AHT": [format_seconds(None if pd.isna(v) else v) for v in frame["aht_seconds"]],
            "Target": [format_seconds(None if pd.isna(v) else v) for v in frame["target_seconds"]],
            "Goal %": frame["goal_percent"],
            "Concurrency": frame["concurrency"],
            "Note": frame["note"],
        }
    )
    if not shown["Note"].astype(bool).any():
        shown = shown.drop(columns="Note")
    st.dataframe(
        shown.style.map(gap_colour, subset=["Gap"]).format(
            {"Forecast": "{:.1f}", "Goal %": "{:g}", "Concurrency": "{:g}"}, na_rep="—"
        ),
        hide_index=True,
        key="floor_staffing_table",
        # Every row visible: two intervals per channel is a short table, and a scrollbar hid
        # the second interval.
        height=TABLE_ROW_PX * (len(shown) + 1) + 3,
        column_config={
            "Forecast": st.column_config.NumberColumn(
                "Forecast", help="Forecast arrivals in the interval (contacts)."
            ),
            "Needed": st.column_config.NumberColumn(
                "Needed", help="Agents on contacts needed to reach the goal (Erlang C)."
            ),
            "Gap": st.column_config.NumberColumn(
                "Gap", help="On the floor − needed (agents). Negative = short."
            ),
            "With shrinkage": st.column_config.NumberColumn(
                "With shrinkage", help="Needed ÷ (1 − shrinkage): agents to roster."
            ),
        },
    )
    shrinkage = frame["shrinkage_percent"].iloc[0]
    st.caption(STAFFING_RULES + f" Shrinkage setting: {shrinkage:g} %.")
