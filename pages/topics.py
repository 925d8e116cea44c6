"""Topics: contacts per topic per day or ISO week, shares and negative shares, rising and falling
topics, spikes by the Floor's rule, whom to tell about a spiking topic, drill-down to contacts and
their customers, and the journey figures per topic, week or channel.

`?topic=NAME` (the Floor's spike alert links here) opens that topic's panel.
"""

from datetime import timedelta

import streamlit as st

from analytics import topic_trends as trends
from analytics.periods import day_bounds, local_today, to_local
from analytics.time_text import format_date
from components import cache_floor, cache_topics
from components.cache_reports import report_now
from components.db import database_errors
from components.guard import require_page
from components.journey_view import JOURNEY_HELP, render_journey_figures
from components.plain_text import markdown_text
from components.report_filters import period_label
from components.report_help import report_help
from components.topic_charts import topic_trend_figure
from components.topic_filters import topic_filters
from components.topic_panels import (
    HELP,
    record_for,
    render_focus_topic,
    render_rising_falling,
    spike_rule,
    week_table,
)
from db.settings import get_settings

user = require_page(__file__)
RECORDERS = frozenset({"supervisor", "admin"})  # executives read; supervisors record
label_week = trends.iso_label
settings = get_settings()
tz, now = settings.timezone, report_now()
today = local_today(now, tz)

st.title("Topics")
report_help(HELP, JOURNEY_HELP.format(days=settings.repeat_window_days), key="topics_help")
with database_errors():
    catalogue = cache_floor.channel_catalogue()
picked = topic_filters(catalogue)
this_week = trends.monday(today)
first_week = this_week - timedelta(weeks=settings.topic_weeks - 1)
load_from = first_week - timedelta(weeks=settings.spike_baseline_weeks)
with database_errors():
    daily = cache_topics.daily_topic_counts(
        day_bounds(load_from, tz)[0], now, tz, picked.channels, picked.visibility
    )
    first_at = cache_topics.first_contact_at(now)
history = None if first_at is None else to_local(first_at, tz).date()
rule = {"z_threshold": settings.spike_z, "min_count": settings.spike_min_count}
weekly = trends.mark_spikes(
    trends.weekly_table(daily, load_from, today),
    baseline_periods=settings.spike_baseline_weeks,
    history_start=trends.first_full_week(history),
    **rule,
)
last_week = this_week - timedelta(weeks=1)
if picked.granularity == "week":
    marked, shown_from, latest, step = weekly, first_week, [this_week, last_week], 7
    label = key_of = trends.iso_label  # the ISO week is both shown and stored
    title = f"Contacts per topic per ISO week — {label(first_week)} to {label(this_week)} (so far)"
else:
    shown_from = today - timedelta(days=27)
    marked = trends.mark_spikes(
        trends.daily_table(daily, shown_from - timedelta(days=settings.spike_baseline_days), today),
        baseline_periods=settings.spike_baseline_days,
        history_start=history,
        **rule,
    )
    latest, step, label, key_of = [today, today - timedelta(days=1)], 1, format_date, str
    title = f"Contacts per topic per day — {period_label(shown_from, today)} (today so far)"
shown = marked[marked["period"] >= shown_from]
rule_text = spike_rule(settings, picked.granularity)
st.plotly_chart(
    topic_trend_figure(shown, granularity=picked.granularity, title=title, rule_text=rule_text),
    key="topics_trend_chart",
)
st.caption(rule_text)

st.subheader(f"Topics in {label(last_week) if picked.granularity == 'week' else 'the last week'}")
wow = trends.week_over_week(weekly, last_week)
render_rising_falling(wow, label_week(last_week), label_week(last_week - timedelta(weeks=1)))
st.dataframe(
    week_table(weekly[weekly["period"] == last_week], wow),
    hide_index=True,
    key="topics_week_table",
)

st.subheader("Spiking topics and whom to tell")
spiking = trends.spiking_topics(marked, latest)
asked = st.query_params.get("topic")
topics = sorted(set(marked["topic"]) | ({asked} if asked else set()))
focus_default = asked if asked else (spiking[0] if spiking else None)
if spiking:
    st.warning(
        f"Spiking now: {markdown_text(', '.join(spiking))} ({', '.join(map(label, latest))}).",
        icon=":material/trending_up:",
    )
else:
    st.success(f"No topic spikes in {', '.join(label(p) for p in latest)}.")
if st.session_state.get("topics_focus") not in topics:  # nothing chosen, or filtered away
    st.session_state["topics_focus"] = focus_default
focus = st.selectbox(
    "Topic",
    options=topics,
    placeholder="Choose a topic to see its playbook, stakeholders and contacts",
    key="topics_focus",
)
if focus is not None:
    if asked == focus and focus not in spiking:
        st.info("The Floor flagged this topic spiking in the last hour.", icon=":material/bolt:")
    period = trends.focus_period(marked, focus, latest)  # the spike's period, else the newest
    period_end = day_bounds(period + timedelta(days=step), tz)[0]
    render_focus_topic(
        focus=focus,
        period=key_of(period),  # stored with "informed" records: ISO day or week
        bounds=(day_bounds(period, tz)[0], min(now, period_end)),
        so_far=now < period_end,
        channels=picked.channels,
        visibility=picked.visibility,
        tz=tz,
        record=record_for(user.username) if user.has_any(RECORDERS) else None,
    )

st.subheader(f"Customer journeys — {label_week(first_week)} to {label_week(this_week)}")
# On request: following every customer of 12 weeks reads much more than the counts above.
if st.toggle(
    "Show repeat contacts, channel switching and same-agent rate", key="topics_journey_on"
):
    by = st.segmented_control(
        "By",
        options=["topic", "week", "channel_id"],
        format_func={"topic": "Topic", "week": "Week", "channel_id": "Channel"}.get,
        default="topic",
        key="topics_journey_by",
    )
    with database_errors():
        counts = cache_topics.journey_counts(
            day_bounds(first_week, tz)[0], now, tz, settings.repeat_window_days, picked.channels
        )
    render_journey_figures(
        counts, by or "topic", window_days=settings.repeat_window_days, key="topics_journey_table"
    )
