"""The Channels page's first panel: offered today and this week per channel (tiles, bars, table)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components.charts import channel_bars
from components.exports import csv_download


def offered_today_and_week(day: pd.DataFrame, week: pd.DataFrame, *, week_start: date) -> None:
    """Two tiles, grouped bars per channel and the table behind them.

    Args:
        day / week: `queries.volume.offered_by_channel` of today and of this ISO week.
        week_start: the local Monday of this week (chart title).
    """
    frame = day[["channel_id", "channel", "offered"]].merge(
        week[["channel_id", "offered"]], on="channel_id", suffixes=("_today", "_week")
    )
    left, right = st.columns(2)
    left.metric(
        "Offered today",
        f"{int(frame['offered_today'].sum()):,}",
        help=(
            "Offered: contacts that arrived in the period, by the customer's first message. A "
            "conversation is one contact; its follow-up messages, and conversations the centre "
            "started, are not counted."
        ),
    )
    right.metric(
        "Offered this week",
        f"{int(frame['offered_week'].sum()):,}",
        help="Offered since Monday 00:00 local time (ISO week), by arrival time.",
    )
    st.plotly_chart(
        channel_bars(
            frame,
            value_columns={"offered_today": "Today", "offered_week": "This week"},
            title=f"Offered by channel — today and week of {week_start:%d %b}",
            y_title="Interactions (count)",
        ),
        key="channels_offered_chart",
    )
    table = frame.rename(
        columns={"channel": "Channel", "offered_today": "Today", "offered_week": "This week"}
    ).drop(columns="channel_id")
    st.dataframe(table, hide_index=True, key="channels_offered_table")
    csv_download(table, key="channels_offered_csv", file_name="offered-by-channel.csv")
