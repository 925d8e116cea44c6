"""Settings (admin): users and roles, SLA policies, scorecards, topics, playbook, stakeholders,
review rules."""

from datetime import datetime

import pandas as pd
import streamlit as st

from components import admin_records as kinds
from components.db import app_engine, database_errors
from components.exports import csv_download
from components.guard import require_page
from components.record_form import record_editor
from components.sla_policy_form import clear_policy_readers, policy_table, sla_policy_editor
from components.user_admin import users_tab
from queries import admin
from queries.channels_list import channel_ids
from queries.rollup_jobs import recount_after_policy_change
from queries.writes import utcnow

user = require_page(__file__)
engine = app_engine()
st.title("Settings")
st.caption(
    "Every change is validated, versioned and written to the audit log with your name. "
    "If someone else saved a record after you opened it, your save is refused and the "
    "current version is shown."
)


def _listed(frame: pd.DataFrame, kind) -> None:
    columns = [c for c in kinds.kind_columns(kind) if c in frame.columns]
    labels = {spec.name: spec.label for spec in kind.fields}
    labels.update(version="Version", updated_at="Changed at (UTC)", updated_by="Changed by")
    st.dataframe(frame[columns], hide_index=True, key=f"{kind.key}_table", column_config=labels)
    csv_download(frame[columns], key=f"{kind.key}_csv", file_name=f"{kind.key}.csv", labels=labels)


def _after_policy_save(policy: dict, recount_from: datetime | None) -> None:
    # Only the policy's channel, only from the first arrival it re-judges.
    with st.spinner("Recounting service levels with the new policy…"):
        recount_after_policy_change(
            engine=engine, channel_id=policy["channel_id"], start=recount_from
        )
    clear_policy_readers()


with database_errors():
    tabs = st.tabs(
        [
            "Users",
            "SLA policies",
            "Scorecards",
            "Topics",
            "Playbook",
            "Stakeholders",
            "Review rules",
        ]
    )
    with tabs[0]:
        users_tab(engine, user.username)
    with tabs[1]:
        calendars = admin.list_business_calendars(engine=engine)
        kind = kinds.sla_policy_kind(
            channel_ids(engine=engine), dict(zip(calendars["id"], calendars["name"], strict=True))
        )
        policies = admin.list_sla_policies(engine=engine)
        policy_table(policies, kind)
        sla_policy_editor(
            kind,
            policies,
            engine=engine,
            actor=user.username,
            now=utcnow(),
            on_saved=_after_policy_save,
        )
    with tabs[2]:
        kind = kinds.scorecard_kind()
        cards = admin.list_scorecards(engine=engine)
        st.dataframe(
            cards[["name", "active", "criteria_count", "version", "updated_by"]],
            hide_index=True,
            key="scorecard_table",
        )
        csv_download(
            cards[["name", "active", "criteria_count", "version", "updated_by"]],
            key="scorecard_csv",
            file_name="scorecards.csv",
        )
        full = pd.DataFrame(
            [admin.get_scorecard(engine=engine, scorecard_id=int(i)) for i in cards["id"]]
        )
        record_editor(kind, full, engine=engine, actor=user.username, on_saved=lambda: None)
    topic_names = admin.topic_names(engine=engine)
    for tab, kind, frame in (
        (tabs[3], kinds.topic_kind(), admin.list_topics(engine=engine)),
        (tabs[4], kinds.playbook_kind(topic_names), admin.list_playbook_entries(engine=engine)),
        (tabs[5], kinds.stakeholder_kind(topic_names), admin.list_stakeholders(engine=engine)),
        (tabs[6], kinds.review_rule_kind(topic_names), admin.list_review_rules(engine=engine)),
    ):
        with tab:
            _listed(frame, kind)
            record_editor(kind, frame, engine=engine, actor=user.username, on_saved=lambda: None)
