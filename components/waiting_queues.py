"""The Floor's contacts waiting now, per queue: how many, how many already past target, and the
oldest wait, the queue waiting longest first (analytics.floor_recent.waiting_by_queue)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.exports import csv_download
from components.theme import BAD, format_seconds

HELP_QUEUES = (
    "Open, unanswered contacts now (the backlog) grouped by the queue they were routed to, "
    "whenever they arrived. Past target: already waited longer than the target of the policy "
    "in force at arrival (a miss, counted now). Oldest waiting: age of the queue's oldest."
)


def _late_style(late: object) -> str:
    return f"color: {BAD}; font-weight: 600" if isinstance(late, int | float) and late else ""


def render_waiting_by_queue(frame: pd.DataFrame) -> None:
    """The per-queue table with its CSV, or a calm line when nothing waits."""
    if frame.empty:
        st.success("Nothing is waiting in any queue.", icon=":material/check_circle:")
        return
    shown = pd.DataFrame(
        {
            "Queue": frame["queue"],
            "Waiting": frame["waiting"].astype("int64"),
            "Past target": frame["past_target"].astype("int64"),
            "Oldest waiting": [format_seconds(float(s)) for s in frame["oldest_wait_seconds"]],
            "Channels": frame["channels"],
        }
    )
    st.dataframe(
        shown.style.map(_late_style, subset=["Past target"]),
        hide_index=True,
        key="floor_queue_table",
        column_config={
            "Past target": st.column_config.NumberColumn(
                "Past target", help="Waiting longer than their target: already missed."
            )
        },
    )
    csv_download(shown, key="floor_queue_csv", file_name="floor-queues.csv")
