"""Weekly trends: the last ISO weeks (local time) of offered, service level against goal, FRT
(phone and chat apart from email and social), abandonment, CSAT, QA, topics and repeat
contacts, each with its week-over-week change; and the week's frozen report with exports."""

import streamlit as st

from analytics.periods import local_today
from analytics.weekly import last_mondays, monday_of, week_monday
from components import cache_reports, weekly_cache
from components.db import database_errors
from components.guard import require_page
from components.report_help import report_help
from components.weekly_charts import trend_charts
from components.weekly_panels import (
    DEFINITIONS,
    goals_caption,
    not_available,
    topics_panel,
    week_tiles,
)
from components.weekly_report import render_report
from db.settings import get_settings

user = require_page(__file__)
settings = get_settings()
tz = settings.timezone
now = cache_reports.report_now()
today = local_today(now, tz)

st.title("Weekly trends")
count = st.slider(
    "Weeks shown", min_value=4, max_value=52, value=settings.weekly_weeks, key="wk_weeks"
)
mondays = last_mondays(today, count)
with database_errors():
    data = weekly_cache.weekly_figures(tz, tuple(mondays), now)
weeks, figures = data.weeks, data.figures
labels = list(weeks["week"])
complete = [w for w, partial in zip(labels, weeks["partial"], strict=True) if not partial]
week = st.selectbox(
    "Week to read",
    options=labels[::-1],
    index=labels[::-1].index(complete[-1]) if complete else 0,
    format_func=lambda w: f"{w} (partial: this week so far)" if w == labels[-1] else w,
    key="wk_week",
)
period = f"{labels[0]} to {labels[-1]}"
st.caption(
    f"ISO weeks, Monday to Sunday in {tz} · {period} · the current week ({labels[-1]}) is "
    "partial and marked so · changes are against the week before."
)
report_help(*(f"- {text}" for text in DEFINITIONS.values()), key="wk_help")
if not figures.loc[figures["key"] == "offered.total", "value"].fillna(0).any():
    st.info(
        f"No contacts arrived from {labels[0]} to {labels[-1]} (no data is not 0 %).",
        icon=":material/event_busy:",
    )

position = labels.index(week)
week_tiles(figures, week=week, previous=labels[position - 1] if position else None)
charts = trend_charts(figures, weeks, period=period, qa=data.qa_available)

st.subheader("Volume and service level")
st.plotly_chart(charts["offered"], key="wk_offered_chart")
goals_caption(figures, week=week)
st.plotly_chart(charts["service_level"], key="wk_sl_chart")
st.subheader("Response times")
st.plotly_chart(charts["frt_live"], key="wk_frt_live_chart")
st.plotly_chart(charts["frt_async"], key="wk_frt_async_chart")
st.plotly_chart(charts["abandonment"], key="wk_abandonment_chart")

st.subheader("Quality")
st.plotly_chart(charts["csat"], key="wk_csat_chart")
if data.qa_available:
    st.plotly_chart(charts["qa"], key="wk_qa_chart")
else:
    not_available("QA average", "No QA review has been scored yet; it appears once reviews exist.")
st.plotly_chart(charts["repeat"], key="wk_repeat_chart")
weeks_open = weeks.loc[weeks["repeat_open"], "week"].tolist()
if weeks_open:
    st.caption(
        f"Repeat contacts: the {settings.repeat_window_days:g}-day window of "
        f"{', '.join(weeks_open)} is still open, so their rates can still rise."
    )

st.subheader(f"Topics — {week}")
if data.topics_available:
    topics_panel(figures, week=week)
else:
    not_available("Top and rising topics", "No contact has a topic yet.")

st.divider()
render_report(
    week=week,
    monday=week_monday(week),
    tz=tz,
    now=now,
    week_over=week_monday(week) < monday_of(today),
    user=user.username,
    is_admin="admin" in user.roles,
    charts=list(charts.values()),
)
