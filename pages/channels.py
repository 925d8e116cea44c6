"""Channels: offered volume per channel today and this week (more channel views slot in here)."""

from datetime import UTC, datetime

import streamlit as st

from analytics.periods import day_bounds, local_today, week_bounds
from components import cache
from components.charts import channel_bars
from components.db import database_errors
from components.guard import require_page
from db.settings import get_settings

require_page(__file__)
tz = get_settings().timezone
now = datetime.now(UTC).replace(tzinfo=None)
today = local_today(now, tz)

st.title("Channels")
st.caption(f"Times in {tz}. Today is {today:%A %d %B %Y}.")

with database_errors():
    day = cache.offered_by_channel(*day_bounds(today, tz))
    week = cache.offered_by_channel(*week_bounds(today, tz))

frame = day[["channel_id", "channel", "offered"]].merge(
    week[["channel_id", "offered"]], on="channel_id", suffixes=("_today", "_week")
)
left, right = st.columns(2)
left.metric(
    "Offered today",
    f"{int(frame['offered_today'].sum()):,}",
    help="Offered: inbound interactions that arrived in the period (by arrival time).",
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
        title=f"Offered by channel — today and week of {week_bounds(today, tz)[0]:%d %b}",
        y_title="Interactions (count)",
    ),
    key="channels_offered_chart",
)
st.dataframe(
    frame.rename(
        columns={"channel": "Channel", "offered_today": "Today", "offered_week": "This week"}
    ).drop(columns="channel_id"),
    hide_index=True,
    key="channels_offered_table",
)
