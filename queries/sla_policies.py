"""SLA policies for the Settings page: list, create and edit, validated, versioned and audited.

A policy applies to a channel, optionally narrowed to one priority and to public or private
contacts, from `active_from` on; a change of target is a new policy with a later `active_from`
so past service levels keep the target that was in force. Looking up the policy in force for a
contact is not here (see the policy lookup in queries).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.schema import business_calendars, channels, sla_policies
from queries.frames import read_frame
from queries.validation import FormCheck, check_known_fields
from queries.writes import insert_record, require_record, transaction, update_record

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


def _validated(conn: Connection, values: Mapping[str, Any], *, policy_id: int | None) -> dict:
    form = FormCheck(values)
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
    if clean["channel_id"] and (
        conn.scalar(select(channels.c.id).where(channels.c.id == clean["channel_id"])) is None
    ):
        form.error("channel_id", "is not a known channel")
    if clean["business_hours"] and (
        conn.scalar(
            select(business_calendars.c.id).where(
                business_calendars.c.id == clean["business_hours"]
            )
        )
        is None
    ):
        form.error("business_hours", "is not a known business calendar")
    if not form.errors:
        # Two policies for the same slice starting at the same moment would make the lookup
        # ambiguous.
        twin = select(sla_policies.c.id).where(
            sla_policies.c.channel_id == clean["channel_id"],
            sla_policies.c.priority.is_not_distinct_from(clean["priority"]),
            sla_policies.c.is_public.is_not_distinct_from(clean["is_public"]),
            sla_policies.c.active_from == clean["active_from"],
        )
        if policy_id is not None:
            twin = twin.where(sla_policies.c.id != policy_id)
        if conn.scalar(twin.limit(1)) is not None:
            form.error(
                "active_from",
                "a policy for this channel, priority and visibility already starts then",
            )
    form.raise_if_errors()
    return clean


def create_sla_policy(
    *, engine: Engine | Connection, values: Mapping[str, Any], actor: str
) -> dict[str, Any]:
    """Create a policy from form `values` (POLICY_FIELDS; unset optional fields take defaults)."""
    check_known_fields(values, POLICY_FIELDS, form="SLA policy")
    with transaction(engine) as conn:
        clean = _validated(conn, {**_DEFAULTS, **values}, policy_id=None)
        return insert_record(engine=conn, table=sla_policies, values=clean, user=actor)


def update_sla_policy(
    *,
    engine: Engine | Connection,
    record_id: int,
    expected_version: int,
    values: Mapping[str, Any],
    actor: str,
) -> dict[str, Any]:
    """Change the given fields of a policy if it is still at `expected_version`."""
    check_known_fields(values, POLICY_FIELDS, form="SLA policy")
    with transaction(engine) as conn:
        current = require_record(conn, sla_policies, record_id)
        # Validate the record as it would be after the change; a stale version is reported by
        # update_record below, which re-checks it under the row lock.
        merged = {**current, **values}
        clean = _validated(conn, merged, policy_id=record_id)
        return update_record(
            engine=conn,
            table=sla_policies,
            record_id=record_id,
            expected_version=expected_version,
            changes={field: clean[field] for field in values},
            user=actor,
        )
