"""The SLA policy editor of Settings: every version listed, a change saved as a new version.

A change takes effect from now by default, so the contacts that already arrived keep the policy
that judged them. Back-dating is an explicit choice in the form; before anything is written the
editor says how many stored contacts the change would re-judge (queries.sla_policies.
policy_change_impact) and asks for confirmation. After a save only the cached readers whose
figures depend on policies are cleared (`clear_policy_readers`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from analytics.time_text import EMPTY, format_datetime
from components import cache_floor, cache_reports
from components.admin_tables import record_table, show_record_table
from components.record_form import (
    RecordKind,
    clean_value,
    field_widget,
    show_field_errors,
    show_stale,
)
from components.theme import format_seconds
from queries.sla_policies import (
    SCOPE_FIELDS,
    PolicyImpact,
    policy_change_impact,
    save_policy_version,
)
from queries.writes import StaleWriteError, ValidationError

NEW = "__new__"
PENDING_KEY = "sla_pending"
FLASH_KEY = "sla_flash"
EFFECTIVE = {
    "now": "From now: contacts that already arrived keep the policy that judged them",
    "backdate": "From an earlier moment: re-judge contacts that already arrived",
}
# Cached readers whose figures depend on which policy judges a contact; nothing else is cleared.
POLICY_READERS = (
    cache_reports.channel_policies,
    cache_reports.service_level_report,
    cache_reports.breaches,
    cache_reports.interaction_detail,
    cache_reports.channel_comparison,
    cache_floor.todays_service_level,
    cache_floor.channel_policies,
    cache_floor.open_unanswered,
    cache_floor.negative_public_posts,
)
# Saved = (the new policy, the first arrival to recount from or None).
OnSaved = Callable[[dict[str, Any], datetime | None], None]


def clear_policy_readers() -> None:
    """Forget the cached figures that a policy change can alter (and only those)."""
    for reader in POLICY_READERS:
        reader.clear()


def policy_table(policies: pd.DataFrame, kind: RecordKind, tz: str) -> None:
    """Every policy version, with when the next version of its scope takes over (times in
    `tz`)."""
    table = record_table(policies, kind.fields, tz, extra={"until": "Until"})
    if "Until" in table.columns:
        table["Until"] = table["Until"].replace(EMPTY, "in force")
    show_record_table(table, key="sla", file_name="sla-policies.csv")
    st.caption(
        "A policy judges the contacts that arrive from its start until the next version of the "
        "same channel, priority and visibility starts; the earliest version also judges "
        "history from before it. A channel with no policy gives its contacts no verdict."
    )


def local_moment_text(text: str, tz: str) -> datetime | str:
    """A typed 'YYYY-MM-DD HH:MM' read as local time in `tz` (an aware datetime the policy
    queries store in UTC); text that is no date goes on as typed, for their message."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def _impact_text(impact: PolicyImpact, tz: str) -> str:
    return (
        f"This change re-judges **{impact.contacts:,} contacts that already arrived** "
        f"({format_datetime(impact.first_arrival, tz)} – "
        f"{format_datetime(impact.last_arrival, tz)}): "
        "their service level is counted again under the new values, so past reports change."
    )


def sla_policy_editor(
    kind: RecordKind,
    policies: pd.DataFrame,
    *,
    engine: Any,
    actor: str,
    now: datetime,
    tz: str,
    on_saved: OnSaved,
) -> None:
    """Pick a policy (or "new"), change it in a form, save it as a new version (times typed
    and shown in `tz`)."""
    rows = {
        int(r["id"]): {k: clean_value(v) for k, v in r.items()} for r in policies.to_dict("records")
    }
    choice = st.selectbox(
        "SLA policy to change",
        [NEW, *rows],
        format_func=lambda rid: "+ New SLA policy" if rid == NEW else kind.describe(rows[rid]),
        key="sla_pick",
    )
    record = rows.get(choice) if choice != NEW else None
    slot = "new" if record is None else str(choice)
    version_key = f"sla_version_{slot}"
    if record is not None:
        st.session_state.setdefault(version_key, int(record["version"]))
        st.caption(
            "Saving adds a new version of this policy. The version shown keeps judging the "
            "contacts that arrived before the new one takes effect."
        )
    if flash := st.session_state.pop(FLASH_KEY, None):
        st.success(flash, icon=":material/check_circle:")

    with st.form(f"sla_form_{slot}", enter_to_submit=False):
        values = {
            spec.name: field_widget(
                spec, f"sla_{slot}_{spec.name}", record[spec.name] if record else spec.default
            )
            for spec in kind.fields
            if spec.name != "active_from" and (record is None or spec.name not in SCOPE_FIELDS)
        }
        effective = st.radio(
            "Takes effect", list(EFFECTIVE), format_func=EFFECTIVE.get, key=f"sla_{slot}_effective"
        )
        back_to = st.text_input(
            f"Back-date to ({tz} time, YYYY-MM-DD HH:MM)",
            key=f"sla_{slot}_active_from",
            help="Only with 'From an earlier moment'. You will be told how many contacts "
            "that already arrived this re-judges, and asked to confirm.",
        )
        submitted = st.form_submit_button(
            "Create" if record is None else "Save as a new version",
            type="primary",
            key=f"sla_{slot}_submit",
        )
    request = {
        "slot": slot,
        "policy_id": None if record is None else int(record["id"]),
        "version_key": version_key,
        "values": values,
        "effective_from": None if effective == "now" else local_moment_text(back_to, tz),
    }
    labels = {spec.name: spec.label for spec in kind.fields} | {"active_from": "Back-date to"}
    if submitted:
        st.session_state.pop(PENDING_KEY, None)
        try:
            impact = policy_change_impact(
                engine=engine,
                policy_id=request["policy_id"],
                values=values,
                effective_from=request["effective_from"],
                now=now,
            )
        except ValidationError as error:
            show_field_errors(error, labels)
            return
        if impact.contacts == 0:
            _save(
                request,
                engine=engine,
                actor=actor,
                now=now,
                tz=tz,
                labels=labels,
                on_saved=on_saved,
            )
            return
        st.session_state[PENDING_KEY] = {**request, "impact": impact}
    pending = st.session_state.get(PENDING_KEY)
    if pending is None or pending["slot"] != slot:
        return
    impact = pending["impact"]
    st.warning(_impact_text(impact, tz), icon=":material/history:")
    confirm, cancel = st.columns(2)
    if confirm.button(
        f"Re-judge {impact.contacts:,} contacts and save", key="sla_confirm", type="primary"
    ):
        _save(pending, engine=engine, actor=actor, now=now, tz=tz, labels=labels, on_saved=on_saved)
    if cancel.button("Cancel", key="sla_cancel"):
        st.session_state.pop(PENDING_KEY, None)
        st.rerun()


def _save(
    request: dict[str, Any],
    *,
    engine: Any,
    actor: str,
    now: datetime,
    tz: str,
    labels: dict[str, str],
    on_saved: OnSaved,
) -> None:
    version_key = request["version_key"]
    try:
        saved, recount_from = save_policy_version(
            engine=engine,
            policy_id=request["policy_id"],
            expected_version=st.session_state.get(version_key),
            values=request["values"],
            effective_from=request["effective_from"],
            now=now,
            actor=actor,
        )
    except ValidationError as error:
        show_field_errors(error, labels)
        return
    except StaleWriteError as error:
        st.session_state.pop(PENDING_KEY, None)
        show_stale(error, labels, version_key)
        return
    st.session_state.pop(PENDING_KEY, None)
    st.session_state.pop(version_key, None)
    # The form opens afresh at what is now stored.
    for key in [k for k in st.session_state if str(k).startswith(f"sla_{request['slot']}_")]:
        del st.session_state[key]
    st.session_state[FLASH_KEY] = (
        f"Saved: {format_seconds(saved['target_seconds'])} / {saved['goal_percent']:g} % "
        f"from {format_datetime(saved['active_from'], tz)} (policy #{saved['id']})."
    )
    on_saved(saved, recount_from)
    st.rerun()
