"""Reply review reads: the queue, one reply with its context, and the waiting count for Floor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, or_, select

from db.policies import load_policies, policy_value_expr
from db.schema import (
    agents,
    customers,
    interactions,
    playbook_entries,
    replies,
    stakeholders,
)
from queries.authors import author_expr
from queries.frames import read_frame

CONTACT_HISTORY_LIMIT = 20


def review_queue(*, engine: Engine) -> pd.DataFrame:
    """Replies waiting for review, one row each, with the post they answer and its SLA target.

    Columns: reply_id, version, interaction_id, channel_id, author, reach, sentiment, topic,
    created_at (the post's arrival), submitted_at, rules, agent, target_seconds, body.
    """
    with engine.connect() as conn:
        target = policy_value_expr(load_policies(conn), "target_seconds")
    r, i = replies.c, interactions.c
    statement = (
        select(
            r.id.label("reply_id"),
            r.version,
            r.interaction_id,
            i.channel_id,
            author_expr().label("author"),
            i.reach,
            i.sentiment,
            i.topic,
            i.created_at,
            r.submitted_at,
            r.rules,
            agents.c.name.label("agent"),
            target.label("target_seconds"),
            r.body,
        )
        .select_from(
            replies.join(interactions, i.id == r.interaction_id)
            .outerjoin(customers, customers.c.id == i.customer_id)
            .outerjoin(agents, agents.c.id == r.author_agent_id)
        )
        .where(r.state == "pending_review")
        .order_by(i.created_at, r.id)
    )
    frame = read_frame(engine=engine, statement=statement)
    for column in ("created_at", "submitted_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame.astype({"target_seconds": "float64", "sentiment": "float64"})


def waiting_replies(*, engine: Engine) -> tuple[int, datetime | None]:
    """How many replies wait for review and when the longest-waiting one was submitted."""
    statement = select(func.count(), func.min(replies.c.submitted_at)).where(
        replies.c.state == "pending_review"
    )
    with engine.connect() as conn:
        count, oldest = conn.execute(statement).one()
    return int(count), oldest


def reply_context(*, engine: Engine, reply_id: int) -> dict[str, Any] | None:
    """One reply with its post, the conversation, the customer's other contacts across channels,
    and the playbook entries and stakeholders for the post's topic (None: no such reply)."""
    r, i = replies.c, interactions.c
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(replies, agents.c.name.label("agent"))
                .select_from(replies.outerjoin(agents, agents.c.id == r.author_agent_id))
                .where(r.id == reply_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        post = (
            conn.execute(
                select(interactions, author_expr().label("author"))
                .select_from(interactions.outerjoin(customers, customers.c.id == i.customer_id))
                .where(i.id == row["interaction_id"])
            )
            .mappings()
            .one()
        )
    columns = (i.id, i.channel_id, i.direction, i.is_public, i.created_at, i.status, i.topic)
    thread = (
        read_frame(
            engine=engine,
            statement=select(*columns, i.body)
            .where(i.source == post["source"], i.conversation_id == post["conversation_id"])
            .order_by(i.created_at, i.id),
        )
        if post["conversation_id"]
        else pd.DataFrame([{k: post[k] for k in [c.key for c in columns] + ["body"]}])
    )
    other = (
        read_frame(
            engine=engine,
            statement=select(*columns, i.body)
            .where(
                i.customer_id == post["customer_id"],
                or_(i.conversation_id.is_(None), i.conversation_id != post["conversation_id"])
                if post["conversation_id"]
                else i.id != post["id"],
            )
            .order_by(i.created_at.desc(), i.id.desc())
            .limit(CONTACT_HISTORY_LIMIT),
        )
        if post["customer_id"] is not None
        else pd.DataFrame(columns=[c.key for c in columns] + ["body"])
    )
    topic_match = or_(playbook_entries.c.topic == post["topic"], playbook_entries.c.topic.is_(None))
    playbook = read_frame(
        engine=engine,
        statement=select(playbook_entries).where(topic_match).order_by(playbook_entries.c.id),
    )
    people = read_frame(
        engine=engine,
        statement=select(stakeholders)
        .where(or_(stakeholders.c.topic == post["topic"], stakeholders.c.topic.is_(None)))
        .order_by(stakeholders.c.name),
    )
    return {
        "reply": dict(row),
        "post": dict(post),
        "thread": thread,
        "other_contacts": other,
        "playbook": playbook,
        "stakeholders": people,
    }


def playbook_with_stakeholders(*, engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every playbook entry and every stakeholder, by topic (the Playbook page)."""
    entries = read_frame(
        engine=engine,
        statement=select(playbook_entries).order_by(
            playbook_entries.c.topic, playbook_entries.c.issue
        ),
    )
    people = read_frame(
        engine=engine,
        statement=select(stakeholders).order_by(stakeholders.c.topic, stakeholders.c.name),
    )
    return entries, people
