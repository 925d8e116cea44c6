"""Service level: SL %, FRT, ASA, AHT, abandonment and answer rates for a period, over time by
group, the FRT distribution, a per-group table and the breaches list with drill-down and CSV."""

from datetime import timedelta

import streamlit as st

from analytics.periods import local_today, to_local
from components import cache_reports
from components.db import database_errors
from components.guard import require_page
from components.report_filters import date_range, period_label, utc_bounds
from components.sl_charts import frt_distribution, service_level_over_time
from components.sl_panels import (
    ABANDON_RULE_LABELS,
    ABANDON_RULE_OPTIONS,
    clock_description,
    interaction_panel,
    kpi_tiles,
    rule_description,
)
from components.sl_tables import BREACH_SORTS, breach_csv, breach_table, group_table
from components.theme import channel_label
from db.settings import get_settings
from queries.local_buckets import GRANULARITIES, GRANULARITY_LABELS
from queries.service_level import GROUP_BY_LABELS, GROUP_BY_OPTIONS

require_page(__file__)
PER_PERIOD = {"interval": "15 minutes", "hour": "hour", "day": "day", "week": "week"}
tz = get_settings().timezone
now = cache_reports.report_now()
today = local_today(now, tz)

st.title("Service level")

with database_errors():
    all_policies = cache_reports.channel_policies(now)

# --- Filters -----------------------------------------------------------------------------
row = st.columns([3, 2, 2, 5])
with row[0]:
    first, last = date_range(
        "Period",
        key="sl_period",
        default=(today - timedelta(days=6), today),
        max_value=today,
        help=f"Local dates in {tz}; contacts count by arrival time.",
    )
granularity = row[1].selectbox(
    "Granularity",
    GRANULARITIES,
    index=GRANULARITIES.index("day"),
    format_func=GRANULARITY_LABELS.get,
    key="sl_granularity",
    help="Periods in local time, zero-filled; a DST change day has 23 or 25 hours.",
)
group_by = row[2].selectbox(
    "Group by",
    GROUP_BY_OPTIONS,
    format_func=GROUP_BY_LABELS.get,
    key="sl_group_by",
    help="Team and agent are those who answered; unanswered contacts have no agent.",
)
channel_ids = all_policies["channel_id"].tolist()
selected = row[3].multiselect(
    "Channels",
    channel_ids,
    default=channel_ids,
    format_func=channel_label,
    key="sl_channels",
)
row = st.columns([5, 4, 3])
rule_choice = row[0].selectbox(
    "Abandon rule",
    ABANDON_RULE_OPTIONS,
    format_func=ABANDON_RULE_LABELS.get,
    key="sl_abandon_rule",
    help="By default each channel uses its SLA policy's rule; picking one applies it to all.",
)
business_hours = row[1].toggle(
    "Business-hours FRT",
    key="sl_business_hours",
    help="Count only seconds inside the policy's business calendar. Channels whose policy has "
    "no calendar stay 24/7.",
)
abandon_rule = None if rule_choice == "policy" else rule_choice

if not selected:
    st.info("Pick at least one channel to see its service level.", icon=":material/filter_alt:")
    st.stop()
if granularity == "interval" and (last - first).days > 30:
    st.info("15-minute intervals are shown for up to 31 days; showing hours instead.")
    granularity = "hour"

start, end = utc_bounds(first, last, tz)
label = period_label(first, last)
filters = {
    "start": start,
    "end": end,
    "tz": tz,
    "channels": tuple(sorted(selected)),
    "abandon_rule": abandon_rule,
    "business_hours": business_hours,
    "now": now,
}
with database_errors():
    report = cache_reports.service_level_report(
        **filters, granularity=granularity, group_by=group_by
    )
    missed = cache_reports.breaches(**filters)

rule_text = rule_description(report.policies, abandon_rule)
clock_text = clock_description(report.policies, business_hours)
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
    rule_text=rule_text,
    clock_text=clock_text,
    goal=float(goals[0]) if len(goals) == 1 else None,
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
        subtitle=f"Met ÷ (met + missed); abandon rule: {abandon_rule or 'each policy'}; "
        f"{'business-hours' if business_hours else '24/7'} clock",
        tz=tz,
    ),
    key="sl_over_time_chart",
)
shown_groups = report.series.loc[report.series["offered"] > 0, "group_key"].nunique()
if shown_groups > 10:
    st.caption(f"The chart shows the 10 busiest of {shown_groups} {group_name}s; all are below.")
st.plotly_chart(
    frt_distribution(
        report.frt_buckets,
        title=f"First response time distribution — {label}",
        subtitle="Answered contacts per bucket; each bucket includes its lower edge; "
        f"{'business-hours' if business_hours else '24/7'} clock",
    ),
    key="sl_frt_chart",
)
st.subheader(f"By {group_name}")
st.dataframe(
    group_table(report.by_group, group_label=GROUP_BY_LABELS[group_by]),
    hide_index=True,
    key="sl_group_table",
)

# --- Breaches ------------------------------------------------------------------------------
st.subheader(f"Breaches ({len(missed):,})")
st.caption(
    "Every contact of the period that counts as missed now: answered late, abandoned when the "
    "rule makes that a miss, closed without a reply after target, or still open past target. "
    "Select a row to see the interaction."
)
sort = st.radio(
    "Order",
    list(BREACH_SORTS),
    format_func=BREACH_SORTS.get,
    horizontal=True,
    key="sl_breach_sort",
    label_visibility="collapsed",
)
table = breach_table(missed, tz=tz, sort=sort)
st.download_button(
    "Download CSV",
    data=breach_csv(table),
    file_name=f"breaches_{first:%Y%m%d}_{last:%Y%m%d}.csv",
    mime="text/csv",
    key="sl_breaches_csv",
    icon=":material/download:",
    disabled=table.empty,
)
picked = st.dataframe(
    table,
    hide_index=True,
    key="sl_breaches_table",
    on_select="rerun",
    selection_mode="single-row",
)
rows = picked.selection.rows if picked else []
if rows and rows[0] < len(table):
    with database_errors():
        detail = cache_reports.interaction_detail(int(table.iloc[rows[0]]["ID"]), tz)
    interaction_panel(detail)
