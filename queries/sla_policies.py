"""SLA policies for the Settings page: list, create and edit, validated, versioned and audited.

A policy applies to a channel, optionally narrowed to one priority and to public or private
contacts, from `active_from` on; a change of target is a new policy with a later `active_from`
so past service levels keep the target that was in force. Looking up the policy in force for a
contact is not here (see the policy lookup in queries).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.schema import business_calendars, channels, sla_policies
from queries.frames import read_frame
from queries.validation import FormCheck, row_exists
from queries.versioned import VersionedForm

PRIORITIES: tuple[str, ...] = ("normal", "high")
ABANDON_RULES: tuple[str, ...] = ("fail", "exclude", "exclude_short")
POLICY_FIELDS: tuple[str, ...] = (
    "channel_id",
    "priority",
    "is_public",
    "target_seconds",
    "goal_percent",
    "business_hours",
    "abandon_rule",
    "short_abandon_seconds",
    "active_from",
)
_DEFAULTS: dict[str, Any] = {
    "priority": None,
    "is_public": None,
    "business_hours": None,
    "abandon_rule": "fail",
    "short_abandon_seconds": 5,
}


def list_sla_policies(*, engine: Engine | Connection) -> pd.DataFrame:
    """Every policy with its channel's name, in channel order then start time."""
    statement = (
        select(sla_policies, channels.c.name.label("channel_name"))
        .join(channels, channels.c.id == sla_policies.c.channel_id)
        .order_by(channels.c.sort_order, sla_policies.c.active_from, sla_policies.c.id)
    )
    return read_frame(engine=engine, statement=statement)


def list_business_calendars(*, engine: Engine | Connection) -> pd.DataFrame:
    """The business-hours calendars a policy can refer to (id, name, timezone, weekly_hours)."""
    return read_frame(
        engine=engine, statement=select(business_calendars).order_by(business_calendars.c.name)
    )


def _validated(conn: Connection, form: FormCheck, policy_id: int | None) -> dict:
    clean = {
        "channel_id": form.text("channel_id", max_length=32),
        "priority": form.choice("priority", PRIORITIES, nullable=True),
        "is_public": form.boolean("is_public", nullable=True),
        "target_seconds": form.integer("target_seconds", minimum=1),
        "goal_percent": form.number("goal_percent", greater_than=0, at_most=100),
        "business_hours": form.text("business_hours", max_length=32, required=False),
        "abandon_rule": form.choice("abandon_rule", ABANDON_RULES),
        "short_abandon_seconds": form.integer("short_abandon_seconds", minimum=0),
        "active_from": form.moment("active_from"),
    }
    channel, calendar = clean["channel_id"], clean["business_hours"]
    if channel and not row_exists(conn, channels, channels.c.id == channel):
        form.error("channel_id", "is not a known channel")
    if calendar and not row_exists(conn, business_calendars, business_calendars.c.id == calendar):
        form.error("business_hours", "is not a known business calendar")
    # Two policies for the same slice starting at the same moment would make the lookup ambiguous.
    if not form.errors and row_exists(
        conn,
        sla_policies,
        sla_policies.c.channel_id == channel,
        sla_policies.c.priority.is_not_distinct_from(clean["priority"]),
        sla_policies.c.is_public.is_not_distinct_from(clean["is_public"]),
        sla_policies.c.active_from == clean["active_from"],
        other_than=policy_id,
    ):
        form.error(
            "active_from", "a policy for this channel, priority and visibility already starts then"
        )
    return clean


# Unset optional fields of a new policy take _DEFAULTS.
_POLICIES = VersionedForm(sla_policies, POLICY_FIELDS, "SLA policy", _validated, defaults=_DEFAULTS)
create_sla_policy = _POLICIES.create
update_sla_policy = _POLICIES.update
