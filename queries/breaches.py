"""The breaches list of the Service level page and the drill-down into one interaction.

A breach is a contact (a conversation, listed by its first inbound message) that counts as
*missed* at `now` under the chosen abandon rule and clock: answered after its target, abandoned
when the rule makes that a miss, closed without a reply after its target, or still open past its
target. The list is classified with the same `classify_rows` and policy expressions as the
counts, so its length is the report's `missed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, String, literal, or_, select

from analytics.sl_frames import TIMESTAMP_COLUMNS, classify_rows
from db.policies import load_policies, policy_value_expr
from db.schema import agents, customers, interactions
from db.schema import channels as channel_table
from queries.frames import read_frame
from queries.sl_base import (
    approx_seconds_between,
    channel_ids_for,
    check_abandon_rule,
    load_calendars,
    range_filter,
    raw_timestamp,
    read_columns,
    row_exprs,
)

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
BREACH_STATUSES: dict[str, str] = {
    "answered": "Answered late",
    "abandoned": "Abandoned",
    "closed": "Closed without reply",
    "open": "Open, past target",
}


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
        x = row_exprs(policies, abandon_rule)
        # Only rows that can be a miss: unanswered, or answered later than the target on the
        # wall clock (business hours only shorten times). A cheap FRT with a second of margin
        # narrows the rows; classify_rows below decides exactly.
        late = approx_seconds_between(i.created_at, i.first_response_at) > x.target - 1
        calendar = (
            policy_value_expr(policies, "business_hours")
            if business_hours
            else literal(None, String)
        )
        statement = (
            select(
                i.id,
                *[raw_timestamp(i[name]) for name in TIMESTAMP_COLUMNS],
                i.channel_id,
                i.queue,
                agents.c.name.label("agent"),
                x.target.label("target_seconds"),
                x.short.label("short_abandon_seconds"),
                x.rule.label("abandon_rule"),
                calendar.label("calendar_id"),
            )
            .select_from(interactions.outerjoin(agents, agents.c.id == i.agent_id))
            .where(range_filter(start, end, channel_ids), or_(i.first_response_at.is_(None), late))
            .order_by(i.id)
        )
        rows = read_columns(conn, statement)
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
