"""SLA policy lookup: the policy in force at an interaction's arrival, as SQL and in Python.

The policy table is small, so it is read once and walked as one list of branches
(`lookup_branches`): first every policy from its `active_from` on, most specific first (channel +
priority + public flag), then newest first; then, for arrivals no policy was in force for yet
(history imported from before the first policy), the earliest policy of each variant with no
start at all — "the earliest policy of a channel also covers every arrival before its
active_from". A contact that no branch matches (its channel has no policy) has no policy: NULL
in SQL, None in Python — never an invented default target. `policy_value_expr` (SQL CASE) and
`policy_for` (Python) walk the same branches, so rollups, live queries and pages agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, literal, null, select
from sqlalchemy.sql.expression import ColumnElement

from db.schema import interactions, sla_policies

Policy = dict[str, Any]


def load_policies(conn: Connection) -> list[Policy]:
    """All SLA policies as dicts, most specific and newest first."""
    return sort_policies(dict(r._mapping) for r in conn.execute(select(sla_policies)))


def sort_policies(policies: Iterable[Policy]) -> list[Policy]:
    """Policies in lookup order: most specific (priority, then public flag) and newest first."""
    return sorted(
        policies,
        key=lambda p: (
            p["priority"] is not None,
            p["is_public"] is not None,
            p["active_from"],
        ),
        reverse=True,
    )


def _variant(policy: Policy) -> tuple:
    return (policy["channel_id"], policy["priority"], policy["is_public"])


def lookup_branches(policies: Sequence[Policy]) -> list[tuple[Policy, bool]]:
    """(policy, starts_at_active_from) in lookup order: every policy from its start, then the
    earliest policy of each variant without a start (for arrivals before any policy).

    `policies` must be in `load_policies` order (most specific, then newest, first).
    """
    earliest: dict[tuple, Policy] = {}
    for policy in policies:
        earliest[_variant(policy)] = policy  # newest first, so the last one seen is the earliest
    bounded = [(p, True) for p in policies]
    return bounded + [(p, False) for p in policies if earliest[_variant(p)] is p]


def _matches(policy: Policy, bounded: bool, table=interactions) -> ColumnElement[bool]:
    conditions = [table.c.channel_id == policy["channel_id"]]
    if bounded:
        conditions.append(table.c.created_at >= policy["active_from"])
    if policy["priority"] is not None:
        conditions.append(table.c.priority == policy["priority"])
    if policy["is_public"] is not None:
        conditions.append(table.c.is_public == bool(policy["is_public"]))
    return and_(*conditions)


def policy_value_expr(policies: Sequence[Policy], field: str, table=interactions) -> ColumnElement:
    """CASE giving `field` (e.g. target_seconds) of the policy in force for each interaction
    row; NULL where no policy covers it (a channel without any policy)."""
    if not policies:
        return null()
    return case(
        *[
            (_matches(p, bounded, table), literal(p[field]))
            for p, bounded in lookup_branches(policies)
        ],
        else_=null(),
    )


def _covers(
    policy: Policy, *, channel_id: str, priority: str | None, is_public: bool | None
) -> bool:
    if policy["channel_id"] != channel_id:
        return False
    if policy["priority"] is not None and policy["priority"] != priority:
        return False
    return policy["is_public"] is None or bool(policy["is_public"]) == bool(is_public)


def policy_for(
    policies: Sequence[Policy],
    *,
    channel_id: str,
    priority: str | None,
    is_public: bool | None,
    at: datetime,
) -> Policy | None:
    """The policy in force for one interaction arriving at `at` (Python twin of
    `policy_value_expr`); None when its channel has no policy that covers it."""
    for policy, bounded in lookup_branches(policies):
        if bounded and policy["active_from"] > at:
            continue
        if _covers(policy, channel_id=channel_id, priority=priority, is_public=is_public):
            return policy
    return None


def policies_in_force(policies: Sequence[Policy], channel_id: str, at: datetime) -> list[Policy]:
    """The newest policy of each (priority, is_public) variant of a channel in force at `at`;
    before the channel's first policy, the earliest of each variant (it covers that history)."""
    newest: dict[tuple, Policy] = {}
    fallback: dict[tuple, Policy] = {}
    for policy, bounded in lookup_branches(policies):
        if policy["channel_id"] != channel_id:
            continue
        if bounded and policy["active_from"] <= at:
            newest.setdefault(_variant(policy), policy)
        elif not bounded:
            fallback.setdefault(_variant(policy), policy)
    return list((newest or fallback).values())


def channels_fully_covered(policies: Sequence[Policy], channel_ids: Sequence[str]) -> bool:
    """True when every contact of these channels has a policy, whatever its priority and
    visibility: a policy for any priority that covers public and private (one for both, or one
    each). The rollup counts `met` only for such channels (it has no "no policy" column)."""
    for channel_id in channel_ids:
        scopes = {
            p["is_public"]
            for p in policies
            if p["channel_id"] == channel_id and p["priority"] is None
        }
        if None not in scopes and not {True, False} <= {bool(s) for s in scopes}:
            return False
    return True
