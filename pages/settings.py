"""Settings (admin): users and roles, SLA policies, scorecards, topics, playbook, stakeholders,
review rules."""

from datetime import datetime

import pandas as pd
import streamlit as st

from components import admin_records as kinds
from components.admin_tables import record_table, show_record_table
from components.db import app_engine, database_errors
from components.guard import require_page
from components.record_form import record_editor
from components.sla_policy_form import clear_policy_readers, policy_table, sla_policy_editor
from components.user_admin import users_tab
from db.settings import get_settings
from queries import admin
from queries.channels_list import channel_ids
from queries.rollup_jobs import recount_after_policy_change
from queries.writes import utcnow

user = require_page(__file__)
engine = app_engine()
tz = get_settings().timezone
st.title("Settings")
st.caption(
    "Every change is validated, versioned and written to the audit log with your name. "
    "If someone else saved a record after you opened it, your save is refused and the "
    f"current version is shown. Times are in {tz}."
)


def _listed(frame: pd.DataFrame, kind) -> None:
    table = record_table(frame, kind.fields, tz)
    show_record_table(table, key=kind.key, file_name=f"{kind.key}.csv")


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
        users_tab(engine, user.username, tz)
    with tabs[1]:
        calendars = admin.list_business_calendars(engine=engine)
        kind = kinds.sla_policy_kind(
            channel_ids(engine=engine),
            dict(zip(calendars["id"], calendars["name"], strict=True)),
            tz,
        )
        policies = admin.list_sla_policies(engine=engine)
        policy_table(policies, kind, tz)
        sla_policy_editor(
            kind,
            policies,
            engine=engine,
            actor=user.username,
            now=utcnow(),
            tz=tz,
            on_saved=_after_policy_save,
        )
    with tabs[2]:
        kind = kinds.scorecard_kind()
        cards = admin.list_scorecards(engine=engine)
        table = record_table(cards, kind.fields, tz, extra={"criteria_count": "Criteria"})
        show_record_table(table, key="scorecard", file_name="scorecards.csv")
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
