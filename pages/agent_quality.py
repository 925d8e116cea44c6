"""Agent quality: QA score per agent or team over a period with n and its 95 % interval on the
chart, the auto-fail rate with its Wilson interval, the per-criterion breakdown, the weekly trend,
and a drill-down to an agent's reviews, disputes and coaching notes; CSV equal to the table."""

from datetime import timedelta

import streamlit as st

from analytics.periods import local_today
from components import cache_qa
from components.db import app_engine, database_errors
from components.exports import csv_bytes
from components.guard import require_page
from components.plain_text import markdown_text
from components.qa_charts import qa_score_chart, qa_trend_chart
from components.qa_disputes import FLASH
from components.qa_drill_down import QualityRights, agent_drill_down, pick_agent
from components.qa_help import AGENT_SCORE, REVIEW_SCORE, qa_help
from components.qa_quality_tables import criterion_table, overall_criteria, quality_table
from components.report_filters import period_label, utc_bounds
from components.theme import channel_label
from db.settings import get_settings
from queries.writes import utcnow

user = require_page(__file__)
engine = app_engine()
settings = get_settings()
tz = settings.timezone
today = local_today(utcnow(), tz)
rights = QualityRights(
    dispute=user.has_any(frozenset({"supervisor", "admin"})),
    resolve=user.has_any(frozenset({"qa_reviewer", "admin"})),
    coach=user.has_any(frozenset({"supervisor", "qa_reviewer", "admin"})),
)

st.title("Agent quality")
qa_help(AGENT_SCORE, REVIEW_SCORE, key="qa_quality_help")
if flash := st.session_state.pop(FLASH, None):
    st.success(markdown_text(flash), icon=":material/check_circle:")
with database_errors():
    agents = cache_qa.agent_options()
    channels = cache_qa.channel_list()

left, middle, right, far = st.columns([2, 1, 2, 2])
picked = left.date_input(
    "Reviews submitted between",
    value=(today - timedelta(days=settings.qa_period_days - 1), today),
    max_value=today,
    key="qa_quality_period",
    format="DD/MM/YYYY",
)
days = tuple(picked) if isinstance(picked, list | tuple) else (picked,)
first, last = (days[0], days[-1]) if days else (today, today)
by = middle.radio(
    "Per", ["agent", "team"], key="qa_quality_by", format_func=str.title, horizontal=True
)
teams = right.multiselect(
    "Teams (none = all)", sorted(agents["team"].unique()), key="qa_quality_teams"
)
chosen_channels = far.multiselect(
    "Channels (none = all)", channels, key="qa_quality_channels", format_func=channel_label
)
start, end = utc_bounds(first, last, tz)
label = period_label(first, last)
key = (start, end, by, tuple(sorted(teams)), tuple(sorted(chosen_channels)))
with database_errors():
    scores = cache_qa.quality_scores(*key)
    trend = cache_qa.weekly_trend(*key, tz)
    breakdown = cache_qa.criterion_breakdown(*key)
    reviews = cache_qa.review_scores(start, end, key[3], key[4])

counted = int(scores["n"].sum())
st.caption(
    f"{label} · {counted} submitted reviews · times in {tz} · auto-fails count as 0 · groups "
    "with fewer than 5 reviews are not ranked."
)
st.plotly_chart(
    qa_score_chart(scores, by=by, title=f"QA score by {by} with 95 % interval — {label}"),
    key="qa_quality_chart",
)
table = quality_table(scores, by=by)
st.dataframe(table, hide_index=True, key="qa_quality_table")
st.download_button(
    "Download CSV",
    data=csv_bytes(table),
    file_name=f"agent_quality_{by}_{first:%Y%m%d}_{last:%Y%m%d}.csv",
    mime="text/csv",
    key="qa_quality_csv",
    icon=":material/download:",
    disabled=table.empty,
)

st.subheader("Per criterion")
st.caption("Mean points as a % of each criterion's maximum, over the reviews that rated it.")
st.dataframe(overall_criteria(breakdown), hide_index=True, key="qa_quality_criteria_all")
with st.expander(f"Per criterion and {by}", key="qa_quality_criteria_groups"):
    st.dataframe(
        criterion_table(breakdown, by=by), hide_index=True, key="qa_quality_criteria_table"
    )

st.plotly_chart(
    qa_trend_chart(trend, by=by, title=f"Weekly QA score by {by} — {label}"),
    key="qa_quality_trend",
)

st.subheader("Drill-down")
if by != "agent":
    st.caption("Show the scores per agent to drill into one agent's reviews.")
    st.stop()
agent = pick_agent(scores)
if agent is None:
    st.info("No agent has a submitted review in this period.", icon=":material/event_busy:")
    st.stop()
with database_errors():
    agent_drill_down(agent, reviews, rights=rights, engine=engine, actor=user.username, tz=tz)
