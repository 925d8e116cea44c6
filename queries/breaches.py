"""The breaches list of the Service level page and the drill-down into one interaction.

A breach is a contact (a conversation, listed by its first inbound message) that counts as
*missed* at `now` under the chosen abandon rule and clock: answered after its target, abandoned
when the rule makes that a miss, closed without a reply after its target, or still open past its
target. The list is classified with the same `classify_rows` and policy expressions as the
counts, so its length is the report's `missed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    Engine,
    Select,
    String,
    and_,
    case,
    false,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.expression import ColumnElement

from analytics.service_level import ABANDON_RULES, KINDS, STATES, outcome_of
from analytics.sl_frames import TIMESTAMP_COLUMNS, classify_rows
from db.policies import load_policies, policy_value_expr
from db.schema import agents, customers, interactions
from db.schema import channels as channel_table
from queries.frames import read_frame
from queries.sl_base import (
    RowExprs,
    approx_seconds_between,
    channel_ids_for,
    check_abandon_rule,
    load_calendars,
    range_filter,
    raw_timestamp,
    read_columns,
    row_exprs,
)
from queries.sl_read import Request, make_scope, read

BREACH_COLUMNS: tuple[str, ...] = (
    "id",
    "channel_id",
    "channel",
    "queue",
    "agent",
    "status",
    "arrival_local",
    "value_seconds",
    "target_seconds",
    "missed_by_seconds",
)
# Rows of the breaches list shown at a time (the total is counted, not fetched).
PAGE_SIZE = 100
BREACH_STATUSES: dict[str, str] = {
    "answered": "Answered late",
    "abandoned": "Abandoned",
    "closed": "Closed without reply",
    "open": "Open, past target",
}


def _row_select(policies, abandon_rule: str | None, *, business_hours: bool) -> Select:
    """The columns `classify_rows` and the list need, agent name joined."""
    i = interactions.c
    x = row_exprs(policies, abandon_rule)
    calendar = (
        policy_value_expr(policies, "business_hours") if business_hours else literal(None, String)
    )
    return select(
        i.id,
        *[raw_timestamp(i[name]) for name in TIMESTAMP_COLUMNS],
        i.channel_id,
        i.queue,
        agents.c.name.label("agent"),
        x.target.label("target_seconds"),
        x.short.label("short_abandon_seconds"),
        x.rule.label("abandon_rule"),
        calendar.label("calendar_id"),
    ).select_from(interactions.outerjoin(agents, agents.c.id == i.agent_id))


def _may_be_missed(x: RowExprs) -> ColumnElement:
    """Only rows that can be a miss: unanswered, or answered later than the target on the wall
    clock (business hours only shorten times). A cheap FRT with a second of margin narrows the
    rows before the exact decision (`classify_rows`, or `_missed_expr` in SQL)."""
    i = interactions.c
    late = approx_seconds_between(i.created_at, i.first_response_at) > x.target - 1
    return or_(i.first_response_at.is_(None), late)


def breaches(
    *,
    engine: Engine,
    start: datetime,
    end: datetime,
    tz: str,
    now: datetime,
    channels: Sequence[str] | None = None,
    abandon_rule: str | None = None,
    business_hours: bool = False,
) -> pd.DataFrame:
    """Every contact that arrived in [start, end) and counts as missed at `now`.

    That is: answered after its target, abandoned when the abandon rule makes it a miss,
    closed without a reply after its target, and still open past its target (breached now).
    Columns (BREACH_COLUMNS): id, channel_id, channel, queue, agent (name or None), status,
    arrival_local (tz-aware), value_seconds (FRT, wait before abandoning, age at closure, or
    age now), target_seconds, missed_by_seconds (value − target; NaN for an abandon before
    the target). Ordered newest arrival first, then id. Its length equals the `missed` count of
    `service_level_counts` for the same filters.
    """
    check_abandon_rule(abandon_rule)
    i = interactions.c
    with engine.connect() as conn:
        channel_ids = channel_ids_for(conn, channels)
        names = dict(conn.execute(select(channel_table.c.id, channel_table.c.name)).all())
        policies = load_policies(conn)
        calendars = load_calendars(conn) if business_hours else {}
        statement = (
            _row_select(policies, abandon_rule, business_hours=business_hours)
            .where(range_filter(start, end, channel_ids), _may_be_missed(row_exprs(policies, None)))
            .order_by(i.id)
        )
        rows = read_columns(conn, statement)
    return _breach_frame(rows, now=now, tz=tz, names=names, calendars=calendars)


def _breach_frame(
    rows: pd.DataFrame,
    *,
    now: datetime,
    tz: str,
    names: dict[str, str],
    calendars: dict[str, dict[str, Any]],
) -> pd.DataFrame:
    """The missed contacts among `rows` (read with `_row_select`) as BREACH_COLUMNS, newest
    arrival first."""
    if rows.empty:
        return pd.DataFrame(columns=list(BREACH_COLUMNS))
    classified = classify_rows(rows, now=now, calendars=calendars)
    missed = classified["outcome"] == "missed"
    rows, classified = rows[missed], classified[missed]
    target = rows["target_seconds"].astype(float)
    value = classified["value_seconds"].astype(float)
    out = pd.DataFrame(
        {
            "id": rows["id"].astype("int64"),
            "channel_id": rows["channel_id"],
            "channel": rows["channel_id"].map(names),
            "queue": rows["queue"],
            "agent": rows["agent"].where(rows["agent"].notna(), None),
            "status": classified["state"].map(BREACH_STATUSES),
            "arrival_local": pd.to_datetime(rows["created_at"])
            .dt.tz_localize("UTC")
            .dt.tz_convert(tz),
            "value_seconds": value,
            "target_seconds": target.astype("int64"),
            "missed_by_seconds": (value - target).where(value > target),
        }
    )
    return out.sort_values(["arrival_local", "id"], ascending=[False, False]).reset_index(drop=True)


@dataclass(frozen=True)
class BreachPage:
    """One page of the breaches list: `rows` (BREACH_COLUMNS, in the order asked), `total`
    missed contacts in the whole list, and the `offset` of the first row shown."""

    rows: pd.DataFrame
    total: int
    offset: int


def _missed_expr(x: RowExprs) -> ColumnElement:
    """SQL: the contact counts as missed (each kind sent where `outcome_of` says, under the
    row's abandon rule) — the condition `classify_rows` decides in pandas."""
    parts = []
    for kind in KINDS:
        rules = [r for r in ABANDON_RULES if outcome_of(kind, r) == "missed"]
        if not rules:
            continue
        condition = x.sla.kind[kind]
        parts.append(
            condition if len(rules) == len(ABANDON_RULES) else and_(condition, x.rule.in_(rules))
        )
    return or_(false(), *parts)


def _missed_by_expr(x: RowExprs) -> ColumnElement:
    """SQL: seconds past target (the wait of the contact's state − target), NULL when not past
    it (an abandon before the target)."""
    value = case(*[(x.sla.state[s], x.sla.waited[s]) for s in STATES if s in x.sla.state])
    return case((value > x.target, value - x.target), else_=None)


def breach_page(
    *,
    engine: Engine,
    start: datetime,
    end: datetime,
    tz: str,
    now: datetime,
    channels: Sequence[str] | None = None,
    abandon_rule: str | None = None,
    business_hours: bool = False,
    sort: str = "newest",
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> BreachPage:
    """`limit` rows of the breaches list from `offset` on, and how many there are in all.

    Same contacts, columns and figures as `breaches` (arguments alike); sort "newest" (arrival,
    newest first) or "late" (most seconds past target first, abandons before target last).
    On the wall clock the database picks, counts and pages the missed contacts (only the page
    travels); with business hours, where the clock is applied in pandas, the list is read
    whole and cut.
    """
    if sort not in ("newest", "late"):
        raise ValueError(f"sort must be newest or late; got {sort!r}")
    offset = max(int(offset), 0)
    if business_hours:
        full = breaches(
            engine=engine,
            start=start,
            end=end,
            tz=tz,
            now=now,
            channels=channels,
            abandon_rule=abandon_rule,
            business_hours=True,
        )
        if sort == "late":
            full = full.sort_values(
                ["missed_by_seconds", "arrival_local", "id"],
                ascending=[False, False, False],
                na_position="last",
            )
        page = full.iloc[offset : offset + limit].reset_index(drop=True)
        return BreachPage(page, len(full), offset)
    i = interactions.c
    # The total is the `missed` of the service level counts (the same contacts, by the same
    # rule), read the way the report reads them: one request over the whole period.
    counted = Request(start, end, tz, "week", "channel", now, abandon_rule, False)
    with engine.connect() as conn:
        scope = make_scope(conn, counted, channels_selected=channels, source="auto")
        names = dict(conn.execute(select(channel_table.c.id, channel_table.c.name)).all())
        x = row_exprs(scope.policies, abandon_rule, now)
        # SQLite only: PostgreSQL already walks each month's arrival index for the newest.
        walk = sort == "newest" and conn.dialect.name == "sqlite"
        period = range_filter(start, end, scope.channel_ids, in_arrival_order=walk)
        where = [period, _may_be_missed(x), _missed_expr(x)]
        newest = [i.created_at.desc(), i.id.desc()]
        order = newest if sort == "newest" else [_missed_by_expr(x).desc().nulls_last(), *newest]
        # Newest first walks the arrival index backwards and stops after the page; the total
        # comes from the service level counts (rollup where it can), not from every missed row.
        statement = _row_select(scope.policies, abandon_rule, business_hours=False).where(*where)
        rows = read_columns(conn, statement.order_by(*order).offset(offset).limit(limit))
        if offset == 0 and len(rows) < limit:
            total = len(rows)
        else:
            counts, _ = read(conn, scope, counted, frt=False)
            total = int(counts["missed"].sum()) if counts is not None and len(counts) else 0
    frame = _breach_frame(rows, now=now, tz=tz, names=names, calendars={})
    if sort == "late":
        frame = frame.sort_values(
            ["missed_by_seconds", "arrival_local", "id"],
            ascending=[False, False, False],
            na_position="last",
        ).reset_index(drop=True)
    return BreachPage(frame, total, offset)


def interaction_detail(*, engine: Engine, interaction_id: int, tz: str) -> dict[str, Any] | None:
    """One interaction for the drill-down: its fields (times local) and its conversation.

    Returns None when the id does not exist. `conversation` is a DataFrame of the messages of
    the same conversation (same source and conversation_id: the thread start and its follow-ups,
    which are stored but not counted as contacts), oldest first, at most 50.
    """
    i = interactions.c
    statement = (
        select(
            interactions,
            channel_table.c.name.label("channel"),
            agents.c.name.label("agent"),
            agents.c.team.label("team"),
            customers.c.name.label("customer"),
        )
        .select_from(
            interactions.join(channel_table, channel_table.c.id == i.channel_id)
            .outerjoin(agents, agents.c.id == i.agent_id)
            .outerjoin(customers, customers.c.id == i.customer_id)
        )
        .where(i.id == int(interaction_id))
    )
    with engine.connect() as conn:
        row = conn.execute(statement).mappings().first()
        if row is None:
            return None
        detail = dict(row)
        conversation = pd.DataFrame(columns=["id", "created_at", "status", "body"])
        if detail.get("conversation_id"):
            conversation = read_frame(
                engine=conn,
                statement=select(i.id, i.created_at, i.status, i.body)
                .where(
                    i.source == detail["source"],
                    i.conversation_id == detail["conversation_id"],
                )
                .order_by(i.created_at, i.id)
                .limit(50),
            )
    for name in ("created_at", "first_response_at", "resolved_at", "abandoned_at", "updated_at"):
        value = detail.get(name)
        detail[name] = (
            pd.Timestamp(value).tz_localize("UTC").tz_convert(tz) if value is not None else None
        )
    created = pd.Timestamp(row["created_at"])
    detail["frt_seconds"] = (
        (pd.Timestamp(row["first_response_at"]) - created).total_seconds()
        if row["first_response_at"] is not None
        else None
    )
    conversation["arrival_local"] = (
        pd.to_datetime(conversation["created_at"]).dt.tz_localize("UTC").dt.tz_convert(tz)
    )
    detail["conversation"] = conversation.drop(columns="created_at")[
        ["id", "arrival_local", "status", "body"]
    ]
    return detail
