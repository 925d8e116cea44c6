"""Audit log (admin): who did what to which record and when, with filters."""

from datetime import timedelta

import streamlit as st

from analytics.periods import day_bounds, local_today, to_local
from components.db import app_engine, database_errors
from components.exports import csv_download
from components.guard import require_page
from db.settings import get_settings
from queries.audit import list_audit
from queries.writes import utcnow

require_page(__file__)
tz = get_settings().timezone
st.title("Audit log")
st.caption(f"Every write and login, newest first. Times in {tz}.")

today = local_today(utcnow(), tz)
with st.form("audit_filters", enter_to_submit=True):
    c1, c2, c3, c4 = st.columns(4)
    period = c1.date_input(
        "Period", (today - timedelta(days=7), today), key="audit_period", max_value=today
    )
    username = c2.text_input("User", key="audit_user", placeholder="any")
    table = c3.selectbox(
        "Record kind",
        [
            None,
            "users",
            "sla_policies",
            "scorecards",
            "scorecard_criteria",
            "topics",
            "playbook_entries",
            "stakeholders",
            "qa_reviews",
            "qa_samples",
            "replies",
        ],
        key="audit_table",
        format_func=lambda t: "any" if t is None else t,
    )
    action = c4.selectbox(
        "Action",
        [None, "insert", "update", "delete", "login", "login_failed", "lockout"],
        key="audit_action",
        format_func=lambda a: "any" if a is None else a,
    )
    st.form_submit_button("Apply filters", key="audit_filters_submit")

if not isinstance(period, tuple) or len(period) != 2:
    st.info("Pick both a first and a last day.")
    st.stop()
start, end = day_bounds(period[0], tz)[0], day_bounds(period[1], tz)[1]
with database_errors():
    rows = list_audit(
        engine=app_engine(),
        start=start,
        end=end,
        username=username or None,
        table=table,
        action=action,
    )
if rows.empty:
    st.info("No audit entries match these filters.")
    st.stop()
rows["at"] = [to_local(t.to_pydatetime(), tz).strftime("%Y-%m-%d %H:%M:%S") for t in rows["at"]]
noun = "entry" if len(rows) == 1 else "entries"
st.caption(f"{len(rows):,} {noun} (at most 500 are shown; narrow the filters for older ones).")
labels = {
    "at": "When",
    "username": "User",
    "action": "Action",
    "table_name": "Record kind",
    "record_id": "Record",
    "before": "Before",
    "after": "After",
}
st.dataframe(rows[list(labels)], hide_index=True, key="audit_table_view", column_config=labels)
csv_download(rows[list(labels)], key="audit_csv", file_name="audit-log.csv", labels=labels)
