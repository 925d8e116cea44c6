"""Shared pieces of the service-level reads: filter checks, SLA policy facts per channel, and the
per-row SQL expressions (target, short-abandon threshold, abandon rule, FRT) that the aggregates,
the row reads and the breaches list all use, so each applies exactly the same policy.

`group_by` is accepted only from GROUP_BY_OPTIONS and mapped to a column here: no value from a
filter is ever spliced into SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Float,
    Select,
    String,
    and_,
    cast,
    literal,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from analytics.service_level import ABANDON_RULES
from analytics.sl_frames import TIMESTAMP_COLUMNS
from db.policies import load_policies, policies_in_force, policy_value_expr
from db.schema import agents, business_calendars, interactions
from db.schema import channels as channel_table
from db.sla_sql import SlaExprs, sla_exprs
from db.threads import counts_as_contact
from queries.frames import PANDAS_EARLIEST, PANDAS_LATEST

GROUP_BY_OPTIONS: tuple[str, ...] = ("channel", "queue", "team", "agent")
GROUP_BY_LABELS: dict[str, str] = {
    "channel": "Channel",
    "queue": "Queue",
    "team": "Team",
    "agent": "Agent",
}
NO_AGENT_KEY = "-"


def check_group_by(group_by: str) -> None:
    """Raise ValueError unless group_by is one of GROUP_BY_OPTIONS (never spliced into SQL)."""
    if group_by not in GROUP_BY_OPTIONS:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY_OPTIONS)}; got {group_by!r}")


def check_abandon_rule(abandon_rule: str | None) -> None:
    """Raise ValueError unless the rule is None (each policy's own) or one of ABANDON_RULES."""
    if abandon_rule is not None and abandon_rule not in ABANDON_RULES:
        raise ValueError(
            f"abandon_rule must be one of {', '.join(ABANDON_RULES)} or None; got {abandon_rule!r}"
        )


def channel_ids_for(conn: Connection, selected: Sequence[str] | None) -> list[str]:
    """Known channel ids in sort order, narrowed to `selected` when given."""
    ids = list(
        conn.scalars(
            select(channel_table.c.id).order_by(channel_table.c.sort_order, channel_table.c.id)
        )
    )
    if selected is None:
        return ids
    wanted = set(selected)
    return [c for c in ids if c in wanted]


def load_calendars(conn: Connection) -> dict[str, dict[str, Any]]:
    return {
        row.id: {"name": row.name, "timezone": row.timezone, "weekly_hours": row.weekly_hours}
        for row in conn.execute(select(business_calendars))
    }


def rules_by_channel(policies: Sequence[dict[str, Any]]) -> dict[str, set[str]]:
    rules: dict[str, set[str]] = {}
    for policy in policies:
        rules.setdefault(policy["channel_id"], set()).add(policy["abandon_rule"])
    return rules


def channel_policies(*, engine: Engine | Connection, at: datetime) -> pd.DataFrame:
    """Per channel (every channel, in order): its SLA policy facts in force at `at` (naive UTC).

    Columns: channel_id, channel, kind, is_social, goal_percent, target_seconds (the generic
    variant's, else the first), targets (text, every variant), abandon_rule (the rule in force,
    "mixed" when variants differ), short_abandon_seconds, calendar_id, calendar (name or None =
    24/7), has_policy.
    """

    def build(conn: Connection) -> pd.DataFrame:
        policies = load_policies(conn)
        calendars = load_calendars(conn)
        rows = []
        for row in conn.execute(
            select(channel_table).order_by(channel_table.c.sort_order, channel_table.c.id)
        ):
            force = policies_in_force(policies, row.id, at)
            generic = [p for p in force if p["priority"] is None and p["is_public"] is None]
            main = (generic or force or [None])[0]
            rules = {p["abandon_rule"] for p in force}
            calendar_ids = {p["business_hours"] for p in force if p["business_hours"]}
            calendar_id = main["business_hours"] if main else None
            rows.append(
                {
                    "channel_id": row.id,
                    "channel": row.name,
                    "kind": row.kind,
                    "is_social": bool(row.is_social),
                    "goal_percent": float(main["goal_percent"]) if main else None,
                    "target_seconds": int(main["target_seconds"]) if main else None,
                    "targets": _targets_text(force),
                    "abandon_rule": (rules.pop() if len(rules) == 1 else "mixed")
                    if rules
                    else None,
                    "short_abandon_seconds": int(main["short_abandon_seconds"]) if main else None,
                    "calendar_id": calendar_id or (min(calendar_ids) if calendar_ids else None),
                    "calendar": calendars.get(calendar_id or "", {}).get("name")
                    if calendar_id
                    else None,
                    "has_policy": main is not None,
                }
            )
        return pd.DataFrame(rows)

    if isinstance(engine, Connection):
        return build(engine)
    with engine.connect() as conn:
        return build(conn)


def _duration_text(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def _targets_text(force: Sequence[dict[str, Any]]) -> str:
    if not force:
        return "no policy"
    parts = []
    for policy in sorted(force, key=lambda p: (p["priority"] or "", str(p["is_public"]))):
        scope = []
        if policy["priority"] is not None:
            scope.append(f"{policy['priority']} priority")
        if policy["is_public"] is not None:
            scope.append("public" if policy["is_public"] else "private")
        text = _duration_text(int(policy["target_seconds"]))
        if policy["business_hours"]:
            text += " (business hours)"
        parts.append(f"{' '.join(scope)} {text}".strip())
    return " · ".join(parts)


def group_expr(group_by: str) -> ColumnElement:
    i = interactions.c
    if group_by == "channel":
        return i.channel_id
    if group_by == "queue":
        return i.queue
    if group_by == "team":
        return agents.c.team
    return cast(i.agent_id, String)


def raw_from(group_by: str):
    if group_by in ("team", "agent"):
        return interactions.outerjoin(agents, agents.c.id == interactions.c.agent_id)
    return interactions


def unindexed(column: ColumnElement) -> ColumnElement:
    """A text column as an expression no index serves (`column || ''`, the same values): a
    test on it leaves the planner to an index on the other columns of the query."""
    return column + ""


def range_filter(
    start: datetime, end: datetime, channel_ids: Sequence[str], *, in_arrival_order: bool = False
) -> ColumnElement:
    """Contacts that arrived in [start, end) on `channel_ids`: inbound thread starts only (a
    follow-up message of a conversation is not another contact; db/threads.py).

    in_arrival_order: the channel test is written as an expression no index serves, so a
    planner that would pick the (channel_id, created_at) index, then sort every contact of
    the period, walks the arrival index in order instead and stops after a LIMIT (SQLite
    did: 4.3 s against 9 ms for the newest 100 breaches of 90 days at 1M contacts).
    """
    i = interactions.c
    channel = unindexed(i.channel_id) if in_arrival_order else i.channel_id
    return and_(
        i.created_at >= start,
        i.created_at < end,
        counts_as_contact(),
        channel.in_(list(channel_ids)),
    )


@dataclass(frozen=True)
class RowExprs:
    """Per-row SQL expressions shared by the aggregates and the row reads: the policy's
    target, short-abandon threshold and abandon rule (NULL where no policy covers the row),
    FRT, and the state conditions of `db.sla_sql` (sla: every state and kind condition)."""

    target: ColumnElement
    short: ColumnElement
    rule: ColumnElement
    frt: ColumnElement
    answered: ColumnElement
    abandoned: ColumnElement
    unanswered: ColumnElement
    sla: SlaExprs


def row_exprs(
    policies: Sequence[dict[str, Any]], abandon_rule: str | None, now: datetime | None = None
) -> RowExprs:
    sla = sla_exprs(policies, now=now)
    i = interactions.c
    return RowExprs(
        target=sla.target,
        short=sla.short,
        rule=literal(abandon_rule, String)
        if abandon_rule
        else policy_value_expr(policies, "abandon_rule"),
        frt=sla.waited["answered"],
        answered=sla.state["answered"],
        abandoned=sla.state["abandoned"],
        # Neither answered nor abandoned: open, or closed without a reply.
        unanswered=and_(i.first_response_at.is_(None), i.abandoned_at.is_(None)),
        sla=sla,
    )


def row_select(
    policies, group_by: str, abandon_rule: str | None, *, business_hours: bool, from_clause=None
):
    i = interactions.c
    x = row_exprs(policies, abandon_rule)
    calendar = (
        policy_value_expr(policies, "business_hours") if business_hours else literal(None, String)
    )
    return select(
        i.id,
        *[raw_timestamp(i[name]) for name in TIMESTAMP_COLUMNS],
        i.handle_seconds,
        i.channel_id,
        i.queue,
        i.agent_id,
        group_expr(group_by).label("group_key"),
        x.target.label("target_seconds"),
        x.short.label("short_abandon_seconds"),
        x.rule.label("abandon_rule"),
        calendar.label("calendar_id"),
    ).select_from(raw_from(group_by) if from_clause is None else from_clause)


class approx_seconds_between(FunctionElement):  # noqa: N801 - reads as a SQL function
    """Seconds from `start` to `end` within a few microseconds, cheaply: for narrowing filters
    only (with a margin), never for a met/missed decision (use `seconds_between` for those)."""

    type = Float()
    inherit_cache = True
    name = "approx_seconds_between"


@compiles(approx_seconds_between, "sqlite")
def _approx_seconds_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    # Two julianday() calls instead of the six strftime() calls of the exact form.
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(approx_seconds_between)
def _approx_seconds_default(element, compiler, **kw) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


class timestamp_wire(FunctionElement):  # noqa: N801 - reads as a SQL function
    """A timestamp in the cheapest form to move and parse in bulk (see `read_columns`).

    SQLite: the stored ISO text as it is. PostgreSQL: whole microseconds since the epoch as a
    BIGINT (exact: EXTRACT(EPOCH) of a timestamp has microsecond resolution). Either way no
    Python datetime object is made per value; numpy converts the whole column at once.
    """

    type = String()
    inherit_cache = True
    name = "timestamp_wire"


@compiles(timestamp_wire, "sqlite")
def _timestamp_wire_sqlite(element, compiler, **kw) -> str:
    (ts,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return ts


@compiles(timestamp_wire)
def _timestamp_wire_default(element, compiler, **kw) -> str:
    (ts,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM {ts}) * 1000000) AS BIGINT)"


def raw_timestamp(column: ColumnElement) -> ColumnElement:
    """`column` (a timestamp) in its wire form, labelled with its own name, for `read_columns`.

    SQLAlchemy's per-value DateTime handling dominated reading tens of thousands of rows (on
    SQLite it parses every text value in Python, on PostgreSQL psycopg2 builds a datetime each).
    """
    return timestamp_wire(column).label(column.key)


# The span pandas computes with (see queries/frames.py), as numpy values.
_EARLIEST = np.datetime64(PANDAS_EARLIEST, "us")
_LATEST = np.datetime64(PANDAS_LATEST, "us")
_NAT_MICROS = np.iinfo(np.int64).min  # the int64 pattern of NaT


def _timestamps(values: tuple) -> pd.Series:
    """A column of wire timestamps (ISO text, epoch microseconds or datetimes) as datetime64[us].

    A time outside pandas' span is clipped to its edge, so one odd stored row (a response in
    9999) reads as "far too late" instead of failing the page for every user.
    """
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, int):
        micros = np.array([_NAT_MICROS if v is None else v for v in values], dtype=np.int64)
        stamps = micros.view("datetime64[us]")
    else:
        stamps = np.array(values, dtype="datetime64[us]")
    return pd.Series(np.clip(stamps, _EARLIEST, _LATEST), dtype="datetime64[us]")


def read_columns(conn: Connection, statement: Select) -> pd.DataFrame:
    """The rows of `statement` as a DataFrame built column by column (fast for many rows).

    Columns named in TIMESTAMP_COLUMNS (selected with `raw_timestamp`) become datetime64[us],
    naive UTC, NaT for NULL.
    """
    result = conn.execute(statement)
    keys = list(result.keys())
    rows = result.all()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in keys]
    data = {}
    for key, values in zip(keys, columns, strict=True):
        if key in TIMESTAMP_COLUMNS:
            data[key] = _timestamps(values)
        else:
            data[key] = pd.Series(list(values), dtype=object if not values else None)
    return pd.DataFrame(data)


def read_rows(
    conn: Connection,
    policies,
    *,
    start: datetime,
    end: datetime,
    group_by: str,
    channel_ids: Sequence[str],
    abandon_rule: str | None,
    business_hours: bool,
    extra: ColumnElement | None = None,
) -> pd.DataFrame:
    statement = row_select(policies, group_by, abandon_rule, business_hours=business_hours)
    statement = statement.where(range_filter(start, end, channel_ids))
    if extra is not None:
        statement = statement.where(extra)
    return read_columns(conn, statement.order_by(interactions.c.id))


def normalise_group_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Group keys as text; a missing agent/team is the NO_AGENT_KEY group."""
    out = frame.copy()
    keys = out["group_key"].astype(object)
    out["group_key"] = keys.where(keys.notna(), NO_AGENT_KEY).astype(str)
    return out
