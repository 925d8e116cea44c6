"""Channels: offered today and this week per channel, the channel mix over a chosen period (share
or count, per day or week), social public vs private, and each channel's FRT / AHT / service
level side by side."""

import streamlit as st

from analytics.periods import day_bounds, local_today, week_bounds
from components import cache_reports
from components.channel_volume import offered_today_and_week
from components.db import database_errors
from components.exports import csv_download
from components.guard import require_page
from components.mix_charts import channel_comparison_chart, channel_mix_chart, social_split_chart
from components.report_filters import (
    date_range,
    opening_note,
    period_choice,
    period_label,
    utc_bounds,
    week_to_date,
)
from components.report_help import report_help
from components.sl_tables import comparison_table
from db.settings import get_settings
from queries.channels import social_split

require_page(__file__)
tz = get_settings().timezone
now = cache_reports.report_now()
today = local_today(now, tz)

st.title("Channels")
st.caption(f"Times in {tz}. Today is {today:%A %d %B %Y}.")
report_help(
    "**Channel mix**: a channel's offered ÷ all channels' offered in that day or week; social "
    "channels are also split into public posts and comments vs private messages.",
    "**CSAT**: the share of ratings 4–5 among rated contacts, with the mean and the number "
    "rated; a channel nobody rated shows “no ratings”.",
    key="ch_help",
)

# --- Today and this week (the rollup's running totals) --------------------------------------
with database_errors():
    day = cache_reports.offered_by_channel(*day_bounds(today, tz))
    week = cache_reports.offered_by_channel(*week_bounds(today, tz))

offered_today_and_week(day, week, week_start=week_to_date(today)[0])

# --- Channel mix over a chosen period -------------------------------------------------------
st.subheader("Channel mix")
with database_errors():
    span = cache_reports.arrival_span(now)
choice = period_choice(span, tz=tz, today=today, default=week_to_date(today))
row = st.columns([3, 2, 2])
with row[0]:
    first, last = date_range(
        "Period",
        key="ch_period",
        choice=choice,
        help=f"Local dates in {tz}; default this week (Monday to today). The picker reaches "
        "from the earliest to the latest arrival in the database.",
    )
granularity = row[1].radio(
    "Per",
    ["day", "week"],
    format_func={"day": "Day", "week": "Week"}.get,
    horizontal=True,
    key="ch_granularity",
)
mode = row[2].radio(
    "Show",
    ["share", "count"],
    format_func={"share": "Share %", "count": "Count"}.get,
    horizontal=True,
    key="ch_mix_mode",
)
if note := opening_note(choice, usual="this week"):
    st.info(note, icon=":material/history:")
start, end = utc_bounds(first, last, tz)
label = period_label(first, last)
with database_errors():
    mix = cache_reports.channel_mix(start, end, tz, granularity)
    comparison = cache_reports.channel_comparison(start, end, tz, now)

if mix["offered"].sum() == 0:
    st.info(f"No interactions arrived in {label}.", icon=":material/event_busy:")
per = "day" if granularity == "day" else "week"
st.plotly_chart(
    channel_mix_chart(
        mix,
        mode=mode,
        granularity=granularity,
        title=(
            f"Channel mix — {'share of offered' if mode == 'share' else 'offered'} per {per}, "
            f"{label}"
        ),
    ),
    key="ch_mix_chart",
)
st.caption(
    "Share of offered = a channel's inbound arrivals ÷ all channels' arrivals in that "
    f"{per} × 100; the bars of a {per} add up to 100 %."
)

split = social_split(mix)
st.plotly_chart(
    social_split_chart(split, title=f"Social: public posts vs private messages — {label}"),
    key="ch_social_chart",
)

# --- Channels side by side ------------------------------------------------------------------
st.subheader("Channels side by side")
st.caption(
    "Each channel under its own SLA policy (target and abandon rule in force at arrival), 24/7 "
    "clock. Service level = met ÷ (met + missed), open contacts past target counted as missed "
    "now; FRT median and p90 of answered contacts; AHT = mean handle time; CSAT = share of 4–5 "
    f"among rated contacts (mean and number rated beside it). {label}."
)
st.plotly_chart(
    channel_comparison_chart(
        comparison, title=f"Service level, first response and handle time by channel — {label}"
    ),
    key="ch_comparison_chart",
)
st.dataframe(comparison_table(comparison), hide_index=True, key="ch_comparison_table")
csv_download(comparison_table(comparison), key="ch_comparison_csv", file_name="channels.csv")
