"""Staffing now and next: the table of agents needed (Erlang C) against agents on the floor,
per channel for the current and next 15-minute interval (analytics.staffing builds the frame),
with the gap coloured and the rules stated underneath.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.exports import csv_download
from components.theme import BAD, GOOD, WARN, format_seconds

TABLE_ROW_PX = 35  # st.dataframe's row height

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
    csv_download(shown, key="floor_staffing_csv", file_name="staffing.csv")
    shrinkage = frame["shrinkage_percent"].iloc[0]
    st.caption(STAFFING_RULES + f" Shrinkage setting: {shrinkage:g} %.")
