"""QA sampling: a fair, reproducible sample of contacts per agent (quota, channel strata,
oversampling, exclusions, seed), previewed, stored and dealt evenly to reviewers with a due date;
past runs can be re-drawn to check they are reproducible."""

import streamlit as st

from analytics.periods import local_today
from analytics.time_text import format_datetime
from components import cache_qa
from components import qa_sampling_form as form
from components.db import app_engine, database_errors
from components.guard import require_page
from components.plain_text import markdown_text
from components.qa_help import SAMPLING, qa_help
from db.settings import get_settings
from queries import qa_sampling
from queries.writes import ValidationError, utcnow

user = require_page(__file__)
engine = app_engine()
settings = get_settings()
tz = settings.timezone
today = local_today(utcnow(), tz)

st.title("QA sampling")
qa_help(SAMPLING, key="qa_sampling_help")
with database_errors():
    agents = cache_qa.agent_options()
    channels = cache_qa.channel_list()
    reviewers = cache_qa.reviewer_names()

st.subheader("The rule")
rule, label = form.sampling_rule(
    agents, channels, tz=tz, today=today, default_quota=settings.qa_quota_per_agent
)
if rule is None:
    st.error(f"This rule cannot be drawn: {markdown_text(label)}.", icon=":material/error:")
    st.stop()
if not rule.channels:
    st.info("Pick at least one channel to draw from.", icon=":material/filter_alt:")
    st.stop()
with database_errors():
    draw = qa_sampling.preview_sample(engine=engine, rule=rule)
form.show_preview(draw, agents, label=label)

st.subheader("Assign")
chosen, due_at, store = form.assignment_inputs(
    reviewers, me=user.username, today=today, due_days=settings.qa_due_days, tz=tz
)
if store:
    try:
        with database_errors():
            run = qa_sampling.create_sampling_run(
                engine=engine,
                rule=rule,
                reviewers=chosen,
                due_at=due_at,
                actor=user.username,
                idempotency_key=form.form_token(),
            )
    except ValidationError as error:
        form.show_errors(error)
    else:
        form.show_run_result(run)
# The form instance keeps its key until the user starts a new one: a double submit (or a
# second click) returns the stored run instead of drawing again.
form.new_run_button()

st.subheader("Past runs")
with database_errors():
    runs = qa_sampling.list_sampling_runs(engine=engine, limit=50)
if runs.empty:
    st.caption("No run has been stored yet.")
    st.stop()
st.dataframe(form.runs_table(runs, tz), hide_index=True, key="qa_sample_runs")
run_id = st.selectbox("Run to re-draw", runs["id"].tolist(), key="qa_sample_redraw_pick")
if st.button("Re-draw check", key="qa_sample_redraw", icon=":material/replay:"):
    with database_errors():
        stored = qa_sampling.get_sampling_run(engine=engine, sample_id=int(run_id))
        again = qa_sampling.redraw_run(engine=engine, sample_id=int(run_id))
    same, sentence = form.redraw_message(stored.drawn_ids, [int(i) for i in again.ids])
    (st.success if same else st.warning)(sentence)
    if stored.rule.period_start and stored.rule.period_end:
        st.caption(
            f"Rule of run {run_id}: seed {stored.rule.seed}, contacts that ended "
            f"{form.rule_period(stored.rule, tz)}, drawn as of "
            f"{format_datetime(stored.created_at, tz)}."
        )
