"""The Floor's live agent list: who is on, in which state and for how long, on how many
contacts, with which skills; filterable by team."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics.floor import agent_list, agents_on_floor
from components.exports import csv_download
from components.theme import AGENT_STATE_LABELS, channel_label, format_seconds

AGENT_LIST_HELP = (
    "Every active agent (with the channel filter: agents skilled on a selected channel). State "
    "and time in state: the agent's latest state and how long ago it began. Current contacts: "
    "contacts the agent is working now (assigned to them and open; a contact answered and "
    "waiting on the customer's reply is not counted). Skills: the channels the agent takes."
)


def agent_table(agents: pd.DataFrame, as_of: datetime, teams: list[str]) -> pd.DataFrame:
    """The list as shown: display labels, durations in words, skills by channel name."""
    frame = agent_list(agents, as_of, teams=teams, state_order=list(AGENT_STATE_LABELS))
    return pd.DataFrame(
        {
            "Agent": frame["name"],
            "Team": frame["team"].fillna("—"),
            "State": [AGENT_STATE_LABELS.get(s, s) for s in frame["state"]],
            "Time in state": [
                format_seconds(None if pd.isna(v) else float(v))
                for v in frame["time_in_state_seconds"]
            ],
            "Current contacts": frame["current_contacts"].astype("int64"),
            "Skills": [", ".join(channel_label(c) for c in skills) for skills in frame["skills"]],
        }
    )


def render_agent_list(agents: pd.DataFrame, as_of: datetime, *, key: str) -> None:
    """The team filter (kept across refreshes by its key) and the agent table under it."""
    teams = sorted(agents["team"].dropna().unique()) if len(agents) else []
    chosen = st.multiselect(
        "Teams",
        options=teams,
        placeholder="All teams",
        key=f"{key}_teams",
        help=AGENT_LIST_HELP,
    )
    table = agent_table(agents, as_of, chosen)
    if table.empty:
        st.info("No agents to show.", icon=":material/group_off:")
        return
    shown = agents[agents["team"].isin(chosen)] if chosen else agents
    current = int(table["Current contacts"].sum())
    st.caption(
        f"{len(table):,} agent{'s' if len(table) != 1 else ''} · "
        f"{agents_on_floor(shown):,} on the floor · "
        f"{current:,} current contact{'s' if current != 1 else ''}"
    )
    st.dataframe(table, hide_index=True, key=f"{key}_table")
    csv_download(table, key=f"{key}_csv", file_name="floor-agents.csv")
