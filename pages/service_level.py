"""Service level: SL %, FRT, ASA, AHT, abandonment and answer rates and CSAT for a period (against
the previous one), over time by group, the FRT distribution, the hour × weekday pattern, a
per-group table and the breaches list with drill-down and CSV."""

import streamlit as st

from analytics.periods import local_today, to_local
from components import cache_reports, cache_topics
from components.breach_list import render_breaches
from components.db import database_errors
from components.guard import require_page
from components.heatmap_view import pattern_heatmap
from components.journey_view import JOURNEY_HELP, render_journey_figures
from components.report_filters import report_period
from components.report_help import AGENT_GROUPING, report_help
from components.sl_charts import MAX_LINES, frt_distribution, service_level_over_time
from components.sl_filters import service_level_filters
from components.sl_groups import render_group_table
from components.sl_panels import clock_description, kpi_tiles, rule_description
from db.settings import get_settings
from queries.service_level import GROUP_BY_LABELS, NO_AGENT_KEY

require_page(__file__)
PER_PERIOD = {"interval": "15 minutes", "hour": "hour", "day": "day", "week": "week"}
tz, window = get_settings().timezone, get_settings().repeat_window_days
now = cache_reports.report_now()
today = local_today(now, tz)

st.title("Service level")
with database_errors():
    all_policies = cache_reports.channel_policies(now)
    span = cache_reports.arrival_span(now)
period = report_period("sl", span=span, tz=tz, today=today, default_preset="last_7_days")
picked = service_level_filters(all_policies, period=period)
report_help(
    AGENT_GROUPING,
    "**CSAT** is the share of ratings 4–5 among rated contacts; unrated contacts are not in it.",
    key="sl_help",
)
if period.note:
    st.info(period.note, icon=":material/history:")
if not picked.channels:
    st.info("Pick at least one channel to see its service level.", icon=":material/filter_alt:")
    st.stop()
if picked.note:
    st.info(picked.note)

filters = picked.query(tz=tz, now=now)
label, granularity, group_by = picked.label, picked.granularity, picked.group_by
with database_errors():
    report = cache_reports.service_level_report(
        **filters, granularity=granularity, group_by=group_by
    )
    before = None
    if picked.compare:
        before = cache_reports.service_level_report(
            **picked.previous_query(tz=tz, now=now), granularity="day", group_by="channel"
        )

rule_text = rule_description(report.policies, picked.abandon_rule)
clock_text = clock_description(report.policies, picked.business_hours)
clock = "business-hours" if picked.business_hours else "24/7"
goals = report.policies["goal_percent"].dropna().unique()
st.caption(
    f"{label} · times in {tz} · open contacts judged at {to_local(now, tz):%H:%M} · abandon rule: "
    f"{rule_text} · {clock_text}."
)
if report.overall["offered"] == 0:
    st.info(
        f"No interactions arrived in {label} on the selected channels, so there is no service "
        "level to show (no data is not 0 %). Pick another period or more channels.",
        icon=":material/event_busy:",
    )
kpi_tiles(
    report.overall,
    by_clock=report.by_clock,
    rule_text=rule_text,
    clock_text=clock_text,
    goal=float(goals[0]) if len(goals) == 1 else None,
    previous=None if before is None else before.overall,
    previous_by_clock=None if before is None else before.by_clock,
    previous_label=period.previous_label,
)

# --- Charts and the per-group table --------------------------------------------------------
group_name = GROUP_BY_LABELS[group_by].lower()
st.plotly_chart(
    service_level_over_time(
        report.series,
        goals=report.policies,
        group_by=group_by,
        granularity=granularity,
        title=f"Service level % by {group_name} per {PER_PERIOD[granularity]} — {label}",
        subtitle=f"Met ÷ (met + missed); abandon rule: {picked.abandon_rule or 'each policy'}; "
        f"{clock} clock",
        tz=tz,
        now=now,
    ),
    key="sl_over_time_chart",
)
drawn = (report.series["offered"] > 0) & (report.series["group_key"] != NO_AGENT_KEY)
shown_groups = report.series.loc[drawn, "group_key"].nunique()
if shown_groups > MAX_LINES:
    st.caption(
        f"The chart shows the {MAX_LINES} busiest of {shown_groups} {group_name}s; all are below."
    )
st.plotly_chart(
    frt_distribution(
        report.frt_buckets,
        title=f"First response time distribution — {label}",
        subtitle=f"Answered contacts per bucket, each including its lower edge; {clock} clock",
    ),
    key="sl_frt_chart",
)
with database_errors():
    pattern = cache_reports.weekly_pattern(
        **{k: filters[k] for k in ("start", "end", "tz", "channels", "abandon_rule", "now")}
    )
st.plotly_chart(
    pattern_heatmap(
        pattern,
        title=f"Offered and service level by hour and weekday — {label} ({tz}, 24/7 clock)",
        goal=float(min(goals)) if len(goals) else None,  # red: below every goal
    ),
    key="sl_pattern_chart",
)
st.subheader(f"By {group_name}")
render_group_table(report.by_group, group_by=group_by, group_label=GROUP_BY_LABELS[group_by])
render_breaches(filters, tz=tz, first=picked.first, last=picked.last)

st.subheader("Customer journeys", help=JOURNEY_HELP.format(days=window))
# On request: following every customer of a long period reads much more than the figures above.
if st.toggle("Show repeat contacts, channel switching and same-agent rate", key="sl_journey_on"):
    with database_errors():
        journeys = cache_topics.journey_counts(
            filters["start"], filters["end"], tz, window, tuple(picked.channels)
        )
    render_journey_figures(journeys, "channel_id", window_days=window, key="sl_journey_table")
