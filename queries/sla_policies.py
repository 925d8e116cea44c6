"""SLA policies for the Settings page: list, create and change, validated, versioned and audited.

A policy applies to a channel, optionally narrowed to one priority and to public or private
contacts, from `active_from` on. Changing a policy never rewrites history by default:
`save_policy_version` adds a new policy for the same scope taking effect now, and the old one
keeps judging the contacts that arrived before. Back-dating (an earlier `active_from`) is a
choice the form confirms after `policy_change_impact` has said how many past contacts it would
re-judge. Looking up the policy in force for a contact is db.policies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from analytics.service_level import ABANDON_RULES
from db.policies import load_policies, policy_value_expr, sort_policies
from db.schema import business_calendars, channels, interactions, sla_policies
from db.threads import counts_as_contact
from queries.frames import read_frame
from queries.validation import FormCheck, row_exists
from queries.versioned import VersionedForm
from queries.writes import require_record, transaction, update_record

PRIORITIES: tuple[str, ...] = ("normal", "high")
# What makes two policies versions of one another: the slice of contacts they judge.
SCOPE_FIELDS: tuple[str, ...] = ("channel_id", "priority", "is_public")
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
    """Every policy (every version) with its channel's name, in channel order then start time.

    `until` is when the next version of the same scope takes over (NaT: still in force); the
    earliest version of a scope also judges arrivals from before its `active_from`.
    """
    statement = (
        select(sla_policies, channels.c.name.label("channel_name"))
        .join(channels, channels.c.id == sla_policies.c.channel_id)
        .order_by(channels.c.sort_order, sla_policies.c.active_from, sla_policies.c.id)
    )
    frame = read_frame(engine=engine, statement=statement)
    scope = frame[list(SCOPE_FIELDS)].astype(str).agg("|".join, axis=1)
    frame["until"] = pd.to_datetime(frame["active_from"]).groupby(scope).shift(-1)
    return frame


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


@dataclass(frozen=True)
class PolicyImpact:
    """The contacts already stored that a policy change would judge differently: how many, and
    the first and last of their arrivals (None when there are none)."""

    contacts: int
    first_arrival: datetime | None
    last_arrival: datetime | None


def _proposed(
    conn: Connection,
    policy_id: int | None,
    values: Mapping[str, Any],
    effective_from: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """The new policy row, validated: a new version of `policy_id` (its scope kept) or a new
    policy, taking effect at `effective_from`, or `now` when None."""
    row = {**_DEFAULTS, **values}
    if policy_id is not None:
        current = require_record(conn, sla_policies, policy_id)
        row = {**current, **values, **{name: current[name] for name in SCOPE_FIELDS}}
    row["active_from"] = now if effective_from is None else effective_from
    form = FormCheck({name: row.get(name) for name in POLICY_FIELDS})
    clean = _validated(conn, form, None)
    form.raise_if_errors()
    return clean


def _impact(conn: Connection, proposed: Mapping[str, Any]) -> PolicyImpact:
    """Contacts whose policy in force changes once `proposed` is added (same lookup as every
    report: db.policies), so the count is exactly what will be re-judged."""
    channel_id = proposed["channel_id"]
    before = [p for p in load_policies(conn) if p["channel_id"] == channel_id]
    after = sort_policies([*before, {**proposed, "id": -1}])
    i = interactions.c
    changed = policy_value_expr(before, "id").is_distinct_from(policy_value_expr(after, "id"))
    contacts, first, last = conn.execute(
        select(func.count(), func.min(i.created_at), func.max(i.created_at)).where(
            i.channel_id == channel_id, counts_as_contact(), changed
        )
    ).one()
    as_moment = lambda v: None if v is None else pd.Timestamp(v).to_pydatetime()  # noqa: E731
    return PolicyImpact(int(contacts), as_moment(first), as_moment(last))


def policy_change_impact(
    *,
    engine: Engine | Connection,
    policy_id: int | None,
    values: Mapping[str, Any],
    effective_from: datetime | None,
    now: datetime,
) -> PolicyImpact:
    """What saving this change would re-judge (nothing is written).

    Args as `save_policy_version`. Raises ValidationError for bad values, as saving would.
    """
    with transaction(engine) as conn:
        return _impact(conn, _proposed(conn, policy_id, values, effective_from, now))


def save_policy_version(
    *,
    engine: Engine | Connection,
    policy_id: int | None,
    expected_version: int | None,
    values: Mapping[str, Any],
    effective_from: datetime | None,
    now: datetime,
    actor: str,
) -> tuple[dict[str, Any], datetime | None]:
    """Save a policy change as a new policy row; return it and where the rollup must recount.

    Args:
        policy_id / expected_version: the policy the form edited and the version it showed
            (None for a brand-new policy). That row is left as it is — it keeps judging the
            contacts before the new one — but its version is bumped, so a second submit of the
            same form is refused as stale (StaleWriteError) instead of adding a third version.
        values: the form's fields (scope fields are taken from the edited policy).
        effective_from: when the new values take effect; None = `now` (the default: history
            keeps the policy that judged it). An earlier moment back-dates the change.
        now: the moment of saving (naive UTC). actor: the user, for the audit log.

    Returns (the new policy, the earliest arrival whose verdict may change: recount the
    channel's rollup from there; None when nothing stored is affected).
    """
    with transaction(engine) as conn:
        if policy_id is not None:  # stale first: the form may show values that changed since
            update_record(
                engine=conn,
                table=sla_policies,
                record_id=policy_id,
                expected_version=expected_version,
                changes={},
                user=actor,
            )
        proposed = _proposed(conn, policy_id, values, effective_from, now)
        impact = _impact(conn, proposed)
        saved = create_sla_policy(engine=conn, values=proposed, actor=actor)
    return saved, impact.first_arrival
