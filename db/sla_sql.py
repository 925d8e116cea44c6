"""The SLA rule of `analytics.service_level` as SQL: per-row state and kind conditions.

Built by walking `STATE_RULES` (the one statement of the rule), with the thresholds of the
policy in force at each arrival (`db.policies.policy_value_expr`). The rollup refresh, the raw
service-level aggregates, the breaches list and the live floor all take their conditions from
here, so none of them spells "met", "past target" or "abandoned short" on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, and_, false, literal, or_
from sqlalchemy.sql.expression import ColumnElement

from analytics.service_level import NO_POLICY, STATE_RULES
from db.policies import Policy, policy_value_expr
from db.schema import interactions
from db.sqlfuncs import seconds_between


@dataclass(frozen=True)
class SlaExprs:
    """Per-row SQL for one set of policies.

    target / short: the thresholds of the policy in force (NULL: no policy covers the row).
    waited: per state, seconds from arrival to the stamp that ended the wait (now when open).
    state: per state (answered, abandoned, closed, open), the condition of being in it.
    kind: per kind (analytics.service_level.KINDS), the condition of being that kind.
    """

    target: ColumnElement
    short: ColumnElement
    waited: dict[str, ColumnElement]
    state: dict[str, ColumnElement]
    kind: dict[str, ColumnElement]


def sla_exprs(policies: Sequence[Policy], *, now: datetime | None, table=interactions) -> SlaExprs:
    """The conditions for `table`'s rows at `now`; with now=None (the rollup, which cannot know
    now) the open state and its kinds are left out."""
    c = table.c
    target = policy_value_expr(policies, "target_seconds", table=table)
    short = policy_value_expr(policies, "short_abandon_seconds", table=table)
    thresholds = {"target": target, "short": short}
    has_policy = target.is_not(None)
    kinds: dict[str, list[ColumnElement]] = {NO_POLICY: [target.is_(None)]}
    states: dict[str, ColumnElement] = {}
    waited_by_state: dict[str, ColumnElement] = {}
    earlier_unset: list[ColumnElement] = []
    for rule in STATE_RULES:
        if rule.ends_at is None:
            if now is None:
                continue
            ends = literal(now, DateTime)
            in_state = and_(*earlier_unset)
        else:
            ends = c[rule.ends_at]
            in_state = and_(*earlier_unset, ends.is_not(None))
            earlier_unset.append(ends.is_(None))
        waited = seconds_between(c.created_at, ends)
        hit = rule.compare(waited, thresholds[rule.threshold])
        states[rule.state] = in_state
        waited_by_state[rule.state] = waited
        kinds.setdefault(rule.kind_if_true, []).append(and_(has_policy, in_state, hit))
        kinds.setdefault(rule.kind_otherwise, []).append(and_(has_policy, in_state, ~hit))
    return SlaExprs(
        target=target,
        short=short,
        waited=waited_by_state,
        state=states,
        kind={kind: or_(false(), *parts) for kind, parts in kinds.items()},
    )
