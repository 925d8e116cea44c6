"""SLA policy lookup as SQL: the policy in force at an interaction's arrival, as a CASE expression.

The policy table is small, so it is read once and turned into one CASE whose branches are ordered
most specific first (channel + priority + public flag), then newest `active_from` first. Rollups
and live queries share it so both apply exactly the same target to the same interaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, case, literal, select
from sqlalchemy.sql.expression import ColumnElement

from db.schema import interactions, sla_policies


def load_policies(conn: Connection) -> list[dict[str, Any]]:
    """All SLA policies as dicts, most specific and newest first."""
    rows = [dict(r._mapping) for r in conn.execute(select(sla_policies))]
    return sorted(
        rows,
        key=lambda p: (
            p["priority"] is not None,
            p["is_public"] is not None,
            p["active_from"],
        ),
        reverse=True,
    )


def _matches(policy: dict[str, Any], table=interactions) -> ColumnElement[bool]:
    conditions = [
        table.c.channel_id == policy["channel_id"],
        table.c.created_at >= policy["active_from"],
    ]
    if policy["priority"] is not None:
        conditions.append(table.c.priority == policy["priority"])
    if policy["is_public"] is not None:
        conditions.append(table.c.is_public == bool(policy["is_public"]))
    return and_(*conditions)


def policy_value_expr(
    policies: Sequence[dict[str, Any]], field: str, default: Any, table=interactions
) -> ColumnElement:
    """CASE giving `field` (e.g. target_seconds) of the policy in force for each interaction row."""
    if not policies:
        return literal(default)
    return case(
        *[(_matches(p, table), literal(p[field])) for p in policies], else_=literal(default)
    )


def policy_for(
    policies: Sequence[dict[str, Any]], *, channel_id: str, priority: str, is_public: bool, at
) -> dict[str, Any] | None:
    """The policy in force for one interaction (Python twin of `policy_value_expr`)."""
    for policy in policies:
        if policy["channel_id"] != channel_id or policy["active_from"] > at:
            continue
        if policy["priority"] is not None and policy["priority"] != priority:
            continue
        if policy["is_public"] is not None and bool(policy["is_public"]) != bool(is_public):
            continue
        return policy
    return None
