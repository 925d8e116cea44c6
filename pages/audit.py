"""Audit log (admin): who did what to which record and when, each change as "field: before →
after" with the record's name, filtered, and exported as CSV."""

from datetime import timedelta

import streamlit as st

from analytics.periods import day_bounds, local_today
from components.audit_view import (
    ACTION_LABELS,
    TABLE_LABELS,
    audit_table,
    change_lines,
    render_entry,
)
from components.db import app_engine, database_errors
from components.exports import csv_download
from components.guard import require_page
from db.settings import get_settings
from queries.audit import list_audit, record_names
from queries.writes import utcnow

require_page(__file__)
tz = get_settings().timezone
st.title("Audit log")
st.caption(
    f"Every write and sign-in, newest first. Times in {tz}. Passwords are never shown: a "
    'change of one reads "Password: changed".'
)

today = local_today(utcnow(), tz)
with st.form("audit_filters", enter_to_submit=True):
    c1, c2, c3, c4 = st.columns(4)
    period = c1.date_input(
        "Period", (today - timedelta(days=7), today), key="audit_period", max_value=today
    )
    username = c2.text_input("User", key="audit_user", placeholder="any")
    table = c3.selectbox(
        "Record kind",
        [None, *sorted(TABLE_LABELS, key=TABLE_LABELS.get)],
        key="audit_table",
        format_func=lambda t: "any" if t is None else TABLE_LABELS[t],
        placeholder="any",
    )
    action = c4.selectbox(
        "Action",
        [None, *ACTION_LABELS],
        key="audit_action",
        format_func=lambda a: "any" if a is None else ACTION_LABELS[a],
        placeholder="any",
    )
    st.form_submit_button("Apply filters", key="audit_filters_submit")

if not isinstance(period, tuple) or len(period) != 2:
    st.info("Pick both a first and a last day.")
    st.stop()
start, end = day_bounds(period[0], tz)[0], day_bounds(period[1], tz)[1]
with database_errors():
    engine = app_engine()
    rows = list_audit(
        engine=engine,
        start=start,
        end=end,
        username=username or None,
        table=table,
        action=action,
    )
    names = record_names(
        engine=engine, refs=zip(rows["table_name"], rows["record_id"], strict=True)
    )
if rows.empty:
    st.info("No audit entries match these filters.", icon=":material/search_off:")
    st.stop()
noun = "entry" if len(rows) == 1 else "entries"
st.caption(f"{len(rows):,} {noun} (at most 500 are shown; narrow the filters for older ones).")
shown = audit_table(rows, names, tz)
st.dataframe(
    shown,
    hide_index=True,
    key="audit_table_view",
    column_config={"Changes": st.column_config.TextColumn("Changes", width="large")},
)
csv_download(shown, key="audit_csv", file_name="audit-log.csv")

entry = st.selectbox(
    "Entry to read in full",
    range(len(shown)),
    index=None,
    format_func=lambda i: " · ".join(shown.iloc[i][["When", "User", "Action", "Record"]]),
    key="audit_entry",
    placeholder="pick an entry (long values are cut short in the table)",
)
if entry is not None:
    row = rows.iloc[entry]
    render_entry(
        shown.iloc[entry], change_lines(row["action"], row["before"], row["after"], tz, None)
    )
