"""The per-group table of the Service level page. Grouped by team or agent, the contacts no agent
is recorded for (mostly unanswered or abandoned before anyone took them) are a row of their own
under the agents' table: they are not an agent, and ranking them among agents would mislead."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.exports import csv_download
from components.sl_tables import group_table
from queries.sl_base import NO_AGENT_KEY

NO_AGENT_NOTE = (
    "Contacts with no agent recorded: no agent answered them and the data names none (most "
    "were abandoned or are still waiting). They are kept out of the agents' table and chart."
)


def split_no_agent(by_group: pd.DataFrame, group_by: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the groups, the no-agent row) of `totals_by_group` rows; the second is empty unless
    grouping by team or agent and some contact names no agent."""
    if group_by not in ("team", "agent"):
        return by_group, by_group.iloc[0:0]
    apart = by_group["group_key"] == NO_AGENT_KEY
    return by_group[~apart], by_group[apart]


def render_group_table(by_group: pd.DataFrame, *, group_by: str, group_label: str) -> None:
    """The groups' table (and CSV); by team or agent, the no-agent row in its own table below.

    Args:
        by_group: `ServiceLevelReport.by_group` rows.
        group_by: the grouping key ("channel", "queue", "team", "agent").
        group_label: its column header, e.g. "Agent".
    """
    groups, apart = split_no_agent(by_group, group_by)
    table = group_table(groups, group_label=group_label)
    st.dataframe(table, hide_index=True, key="sl_group_table")
    if not apart.empty:
        st.caption(NO_AGENT_NOTE)
        st.dataframe(
            group_table(apart, group_label=group_label),
            hide_index=True,
            key="sl_no_agent_table",
        )
    # The CSV holds every row, the no-agent one last.
    everything = group_table(pd.concat([groups, apart]), group_label=group_label)
    csv_download(everything, key="sl_group_csv", file_name=f"service-level-by-{group_by}.csv")
