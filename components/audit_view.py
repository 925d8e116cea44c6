"""The audit log as a reader reads it: what kind of record, which one by name, what was done,
and for a change each field as "label: before → after" (passwords never shown), with times
local and the zone named.

The audit rows carry JSON summaries of the fields written (queries.writes.summarise, secrets
already redacted there); `change_text` turns one row's summaries into that sentence and
`audit_table` builds the table the page draws and exports (pure: tested without Streamlit).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from analytics.time_text import EMPTY, format_datetime
from components.navigation import ROLE_LABELS
from components.plain_text import markdown_text
from components.theme import channel_label, format_seconds
from queries.audit import NAME_COLUMNS

TABLE_LABELS: dict[str, str] = {
    "users": "User",
    "sla_policies": "SLA policy",
    "scorecards": "Scorecard",
    "scorecard_criteria": "Scorecard criterion",
    "topics": "Topic",
    "playbook_entries": "Playbook entry",
    "stakeholders": "Stakeholder",
    "review_rules": "Review rule",
    "qa_samples": "QA sample",
    "qa_assignments": "QA assignment",
    "qa_reviews": "QA review",
    "qa_disputes": "QA dispute",
    "coaching_notes": "Coaching note",
    "coaching_note_reviews": "Coaching note review",
    "calibration_sessions": "Calibration session",
    "calibration_items": "Calibration item",
    "replies": "Reply",
    "interactions": "Contact",
    "import_mappings": "Import mapping",
    "weekly_reports": "Weekly report",
    "topic_notifications": "Stakeholders told",
}
ACTION_LABELS: dict[str, str] = {
    "insert": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "login": "Signed in",
    "logout": "Signed out",
    "login_failed": "Sign-in failed",
    "lockout": "Locked out",
    "assign": "Assigned",
    "import": "Imported",
    "freeze": "Froze",
    "reissue": "Re-issued",
}
# Field labels as the forms name them; any other column reads as its words ("due_at" -> "Due at").
FIELD_LABELS: dict[str, str] = {
    "channel_id": "Channel",
    "is_public": "Visibility",
    "target_seconds": "Target",
    "goal_percent": "Goal",
    "business_hours": "Business hours",
    "abandon_rule": "Abandon rule",
    "short_abandon_seconds": "Short-abandon threshold",
    "active_from": "Active from",
    "display_name": "Display name",
    "failed_logins": "Failed sign-ins",
    "locked_until": "Locked until",
    "password_hash": "Password",
    "session_version": "Sign-in sessions",
    "response_template": "Approved response",
    "move_to_private": "Move to a private channel",
    "max_points": "Maximum points",
    "allow_na": "Allow N/A",
    "criteria_count": "Criteria",
}
# Written by the write helpers on every save (the entry's own time and user already say them),
# the sign-in session counter a role or password change moves on (the change itself shows),
# and a sign-in's own time.
MANAGED = frozenset(
    {"version", "updated_at", "updated_by", "created_at", "id", "session_version", "at"}
)
VISIBILITY = {None: "public and private", True: "public only", False: "private only"}
LONGEST = 80


def field_label(name: str) -> str:
    """The label of a record field."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def value_text(name: str, value: Any, tz: str, longest: int | None = LONGEST) -> str:
    """One field's value as a reader reads it (a time local with its zone, a duration, …),
    text cut to `longest` characters (None: whole)."""
    if name == "is_public":
        return VISIBILITY.get(value, str(value))
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "channel_id":
        return channel_label(str(value))
    if name == "roles":
        return ", ".join(ROLE_LABELS.get(r, r) for r in str(value).split(",") if r) or EMPTY
    if name.endswith("_seconds") and isinstance(value, int | float):
        return format_seconds(value)
    if name == "goal_percent" and isinstance(value, int | float):
        return f"{value:g} %"
    if isinstance(value, str) and (name.endswith(("_at", "_until", "_from")) or name == "at"):
        try:
            return format_datetime(datetime.fromisoformat(value), tz)
        except ValueError:
            pass
    text = str(value).replace("\n", " ")
    return text if longest is None or len(text) <= longest else text[: longest - 1] + "…"


def _fields(summary: str | None) -> dict[str, Any]:
    if not summary:
        return {}
    try:
        fields = json.loads(summary)
    except ValueError:
        return {"details": summary}
    return fields if isinstance(fields, dict) else {"details": fields}


def change_lines(
    action: str, before: str | None, after: str | None, tz: str, longest: int | None = LONGEST
) -> list[str]:
    """What an audit entry did, one line per field: "label: before → after" for a change,
    "label: value" for what was created, deleted or logged ("label before: value" for the state
    an event found); a password only as "changed" / "set". Values are cut to `longest`."""
    old, new = _fields(before), _fields(after)
    lines = []
    for name in [*new, *(k for k in old if k not in new)]:
        if name in MANAGED:
            continue
        if name == "password_hash":
            lines.append("Password: " + ("changed" if action == "update" else "set"))
            continue
        label = field_label(name)
        if action == "update":
            was, now = (
                value_text(name, old.get(name), tz, longest),
                value_text(name, new.get(name), tz, longest),
            )
            lines.append(f"{label}: {was} → {now}")
        elif name in new:
            lines.append(f"{label}: {value_text(name, new[name], tz, longest)}")
        else:  # what a deleted record held, or the state an event found (a sign-in's failures)
            suffix = "" if action == "delete" else " before"
            lines.append(f"{label}{suffix}: {value_text(name, old[name], tz, longest)}")
    if not lines and action == "update" and "version" in new:
        # Only the version moved on: saved as it was (a newer version took over, or only its
        # child rows changed, each audited on its own).
        lines.append(f"Version: {old.get('version')} → {new['version']}")
    return lines


def change_text(action: str, before: str | None, after: str | None, tz: str) -> str:
    """`change_lines` on one line ("; " between fields), '—' when there are none."""
    return "; ".join(change_lines(action, before, after, tz)) or EMPTY


def record_name(
    table: str,
    record_id: str | None,
    before: str | None,
    after: str | None,
    names: Mapping[tuple[str, str], str],
) -> str:
    """The record's name: as it is now, else as the entry wrote it (a deleted record), else
    its kind and number ("QA review #12")."""
    column = NAME_COLUMNS.get(table)
    name = names.get((table, str(record_id)))
    if name is None and column:
        name = {**_fields(before), **_fields(after)}.get(column)
    number = "" if record_id is None or pd.isna(record_id) else f"#{record_id}"
    if table == "sla_policies" and name:
        return f"{channel_label(str(name))} policy {number}".strip()
    if name:
        return str(name)
    return f"{TABLE_LABELS.get(table, table)} {number}".strip()


def audit_table(rows: pd.DataFrame, names: Mapping[tuple[str, str], str], tz: str) -> pd.DataFrame:
    """queries.audit.list_audit rows as the page shows and exports them."""
    return pd.DataFrame(
        {
            "When": [format_datetime(t, tz, seconds=True) for t in rows["at"]],
            "User": rows["username"],
            "Action": [ACTION_LABELS.get(a, a) for a in rows["action"]],
            "Record kind": [TABLE_LABELS.get(t, t) for t in rows["table_name"]],
            "Record": [
                record_name(t, r, b, a, names)
                for t, r, b, a in zip(
                    rows["table_name"],
                    rows["record_id"],
                    rows["before"],
                    rows["after"],
                    strict=True,
                )
            ],
            "Changes": [
                change_text(action, b, a, tz)
                for action, b, a in zip(rows["action"], rows["before"], rows["after"], strict=True)
            ],
        }
    )


def render_entry(entry: pd.Series, lines: list[str]) -> None:
    """One entry of `audit_table` in full: who did what to which record, when, and every
    changed field on its own line (nothing cut short)."""
    st.markdown(
        f"**{markdown_text(entry['Action'])}** {markdown_text(str(entry['Record kind']).lower())} "
        f"**{markdown_text(entry['Record'])}** by {markdown_text(entry['User'])}, "
        f"{markdown_text(entry['When'])}"
    )
    if not lines:
        st.caption("No fields recorded for this entry.")
    for line in lines:
        st.markdown(f"- {markdown_text(line)}")
