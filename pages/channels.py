"""Channels: offered today and this week per channel, then over a chosen period (by default the
last 4 weeks, per week, against the previous period): the channel mix (share or count), social
public vs private, and each channel's FRT / AHT / service level side by side, each with its n."""

import streamlit as st

from analytics.periods import day_bounds, local_today, week_bounds
from analytics.time_text import format_date
from components import cache_reports
from components.channel_mix_view import mix_controls, render_channel_mix
from components.channel_volume import offered_today_and_week
from components.db import database_errors
from components.exports import csv_download
from components.guard import require_page
from components.mix_charts import channel_comparison_chart, social_split_chart
from components.report_filters import report_period, utc_bounds, week_to_date
from components.report_help import report_help
from components.sl_tables import comparison_table
from components.table_format import number_formats
from db.settings import get_settings
from queries.channels import social_split

require_page(__file__)
tz = get_settings().timezone
now = cache_reports.report_now()
today = local_today(now, tz)

st.title("Channels")
st.caption(f"Times in {tz}. Today is {today:%A} {format_date(today)}.")
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
period = report_period("ch", span=span, tz=tz, today=today, default_preset="last_4_weeks")
granularity, mode = mix_controls()
if period.note:
    st.info(period.note, icon=":material/history:")
start, end = utc_bounds(period.first, period.last, tz)
label = period.label
previous_mix = previous_comparison = None
with database_errors():
    mix = cache_reports.channel_mix(start, end, tz, granularity)
    comparison = cache_reports.channel_comparison(start, end, tz, now)
    if period.compare:
        before = utc_bounds(*period.previous, tz)
        previous_mix = cache_reports.channel_mix(*before, tz, granularity)
        previous_comparison = cache_reports.channel_comparison(*before, tz, now)

if mix["offered"].sum() == 0:
    st.info(f"No interactions arrived in {label}.", icon=":material/event_busy:")
render_channel_mix(
    mix, previous_mix=previous_mix, mode=mode, granularity=granularity, period=period, now=now
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
    "among rated contacts (mean and number rated beside it). n under each channel: offered. "
    f"{label}" + (f"; previous period {period.previous_label}." if period.compare else ".")
)
st.plotly_chart(
    channel_comparison_chart(
        comparison, title=f"Service level, first response and handle time by channel — {label}"
    ),
    key="ch_comparison_chart",
)
side_by_side = comparison_table(comparison, previous_comparison)
st.dataframe(
    side_by_side,
    hide_index=True,
    column_config=number_formats(side_by_side),
    key="ch_comparison_table",
)
csv_download(side_by_side, key="ch_comparison_csv", file_name="channels.csv")
