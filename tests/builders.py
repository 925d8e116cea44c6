"""Small data builders for tests: insert interactions with only the fields a test cares about."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from db.schema import interactions
from db.threads import mark_thread_starts

_ids = itertools.count(1)


def interaction(
    created_at: datetime,
    *,
    channel_id: str = "chat",
    frt: float | None = None,
    abandon_after: float | None = None,
    handle_seconds: int | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """One interaction row: answered `frt` seconds after arrival, or abandoned, or open."""
    first_response_at = created_at + timedelta(seconds=frt) if frt is not None else None
    abandoned_at = (
        created_at + timedelta(seconds=abandon_after) if abandon_after is not None else None
    )
    status = "abandoned" if abandoned_at else ("resolved" if first_response_at else "open")
    row = {
        "source": "test",
        "external_id": f"t{next(_ids)}",
        "channel_id": channel_id,
        "direction": "inbound",
        "is_public": False,
        "queue": "general",
        "priority": "normal",
        "created_at": created_at,
        "first_response_at": first_response_at,
        "resolved_at": first_response_at,
        "abandoned_at": abandoned_at,
        "handle_seconds": handle_seconds,
        "status": status,
        "updated_at": max(t for t in (created_at, first_response_at, abandoned_at) if t),
    }
    row.update(fields)
    return row


def insert_interactions(conn: Connection, rows: list[dict[str, Any]], *, mark: bool = True) -> None:
    """Insert rows built by `interaction`, then mark thread starts as every writer does (rows
    sharing a conversation_id: only the first is a contact). `mark=False` leaves the flags at
    their default (every row a start)."""
    conn.execute(interactions.insert(), rows)
    if mark:
        mark_thread_starts(conn)


def add_ana_and_whom_to_tell(conn: Connection) -> None:
    """Agent Kemi (id 1); Ana Silva (customer 1) with a phone and a Twitter handle; Priya Desai
    to tell about outages, Tom Becker about billing; the playbook's "Service outage" entry."""
    from db.schema import agents, customer_handles, customers, playbook_entries, stakeholders

    conn.execute(agents.insert(), [{"id": 1, "name": "Agent Kemi", "team": "social"}])
    conn.execute(customers.insert(), [{"id": 1, "name": "Ana Silva"}])
    conn.execute(
        customer_handles.insert(),
        [
            {"customer_id": 1, "channel_id": "phone", "handle": "+447700900001"},
            {"customer_id": 1, "channel_id": "twitter", "handle": "@ana_s"},
        ],
    )
    people = [
        ("Priya Desai", "priya@example.com", "outage", "Network operations lead"),
        ("Tom Becker", "tom@example.com", "billing", "Billing manager"),
    ]
    conn.execute(
        stakeholders.insert(),
        [{"name": n, "email": e, "topic": t, "role": r, "version": 1} for n, e, t, r in people],
    )
    conn.execute(
        playbook_entries.insert(),
        [
            {
                "issue": "Service outage",
                "topic": "outage",
                "version": 1,
                "response_template": "Engineers are on it; updates on the status page.",
            }
        ],
    )
