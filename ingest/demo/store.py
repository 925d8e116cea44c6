"""The demo's database side: the roster's agent rows, the active topics, the next free ids,
storing QA work, replies, playbook and stakeholders, and deleting an earlier demo."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, delete, func, select

from db.schema import (
    agent_skills,
    agent_states,
    agents,
    customer_handles,
    customers,
    interactions,
    playbook_entries,
    replies,
    stakeholders,
    topics,
)
from ingest.bulk import bulk_insert
from ingest.demo.content import PLAYBOOK, STAKEHOLDERS, TOPIC_SENTIMENT
from ingest.demo.context import SOURCE, GenerationContext
from ingest.demo.interactions import DemoInteractions
from ingest.demo.qa import delete_demo_qa, store_demo_qa
from ingest.demo.replies import generate_replies
from ingest.demo.review import store_review_rules
from ingest.demo.roster import DemoAgent, demo_roster


def store_qa_and_replies(
    conn: Connection, rng: np.random.Generator, ctx: GenerationContext, data: DemoInteractions
) -> dict[str, int]:
    counts = {
        "playbook_entries": insert_missing(conn, playbook_entries, "issue", PLAYBOOK),
        "stakeholders": insert_missing(
            conn,
            stakeholders,
            "email",
            [
                {"name": n, "email": e, "topic": t, "role": r, "version": 1}
                for n, e, t, r in STAKEHOLDERS
            ],
        ),
    }
    templates = {
        row.topic: (row.id, row.response_template)
        for row in conn.execute(select(playbook_entries).order_by(playbook_entries.c.id))
    }
    rules = store_review_rules(conn)
    counts["replies"] = bulk_insert(
        conn, replies, generate_replies(rng, ctx, data, templates, rules)
    )
    counts.update(store_demo_qa(conn, rng, ctx, data))
    return counts


def insert_missing(conn: Connection, table: Table, key: str, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose `key` value is not in the table yet (an admin's edits stay)."""
    have = set(conn.scalars(select(table.c[key])))
    new = [{"version": 1, **row} for row in rows if row[key] not in have]
    if new:
        conn.execute(table.insert(), new)
    return len(new)


def ensure_demo_agents(conn: Connection) -> list[DemoAgent]:
    """The demo roster, reusing agents of the same name so ids stay stable across rebuilds."""
    roster = demo_roster()
    existing = dict(
        conn.execute(
            select(agents.c.name, agents.c.id).where(agents.c.name.in_([r[0] for r in roster]))
        ).all()
    )
    result = []
    for name, team, shift, channels in roster:
        values = {"name": name, "team": team, "shift": shift, "active": True}
        if name in existing:
            agent_id = existing[name]
            conn.execute(agents.update().where(agents.c.id == agent_id).values(values))
        else:
            agent_id = conn.execute(agents.insert().values(values)).inserted_primary_key[0]
        have = set(conn.scalars(select(agent_skills.c.channel_id).where(
            agent_skills.c.agent_id == agent_id)))  # fmt: skip
        missing = [{"agent_id": agent_id, "channel_id": c} for c in channels if c not in have]
        if missing:
            conn.execute(agent_skills.insert(), missing)
        result.append(DemoAgent(agent_id, name, team, shift, channels))
    return result


def active_topic_names(conn: Connection) -> tuple[str, ...]:
    """The taxonomy's active topics (the built-in ones when an admin has emptied it)."""
    query = select(topics.c.name).where(topics.c.active.is_(True)).order_by(topics.c.id)
    return tuple(conn.scalars(query)) or tuple(TOPIC_SENTIMENT)


def next_id(conn: Connection, table: Table) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def delete_demo(conn: Connection) -> None:
    """Remove demo interactions and everything hanging off them (reviews, replies, customers
    nobody else refers to) and the demo agents' state history."""
    demo_ids = select(interactions.c.id).where(interactions.c.source == SOURCE)
    conn.execute(delete(replies).where(replies.c.interaction_id.in_(demo_ids)))
    delete_demo_qa(conn, demo_ids)
    demo_customers = set(
        conn.scalars(
            select(interactions.c.customer_id)
            .where(interactions.c.source == SOURCE, interactions.c.customer_id.is_not(None))
            .distinct()
        )
    )
    conn.execute(delete(interactions).where(interactions.c.source == SOURCE))
    still_used = select(interactions.c.customer_id).where(interactions.c.customer_id.is_not(None))
    ids = sorted(demo_customers)
    for start in range(0, len(ids), 5_000):
        chunk = ids[start : start + 5_000]
        orphan = customer_handles.c.customer_id.in_(chunk) & ~customer_handles.c.customer_id.in_(
            still_used
        )
        conn.execute(delete(customer_handles).where(orphan))
        conn.execute(
            delete(customers).where(customers.c.id.in_(chunk), ~customers.c.id.in_(still_used))
        )
    roster_ids = select(agents.c.id).where(agents.c.name.in_([r[0] for r in demo_roster()]))
    conn.execute(delete(agent_states).where(agent_states.c.agent_id.in_(roster_ids)))
