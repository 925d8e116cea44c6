"""The demo centre has the shape the pages rely on, is reproducible, and is never built twice."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from db.schema import (
    agent_states,
    agents,
    interactions,
    interval_stats,
    qa_reviews,
    replies,
    scorecard_criteria,
    users,
)
from db.threads import counts_as_contact, mark_thread_starts
from ingest.demo import CHANNEL_IDS, SOCIAL_CHANNELS, build_demo, qa_total

NOW = datetime(2026, 11, 26, 14, 30)  # a Thursday afternoon: most shifts are on


def _count(conn, table, *conditions) -> int:
    return conn.scalar(select(func.count()).select_from(table).where(*conditions))


def _interaction_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(interactions).order_by(interactions.c.id))]


def test_qa_total_matches_the_design_worked_example():
    criteria = [
        {"id": 1, "weight": 2.0, "max_points": 5, "critical": False},
        {"id": 2, "weight": 1.0, "max_points": 3, "critical": False},
        {"id": 3, "weight": 1.0, "max_points": 4, "critical": True},
    ]
    total, failed = qa_total(criteria, {1: 4, 2: 3, 3: None})
    assert round(total, 1) == 86.7 and not failed
    assert qa_total(criteria, {1: 4, 2: 3, 3: 0}) == (0.0, True)


def test_demo_build_is_plausible_reproducible_and_never_doubled(engine):
    # One test, so the (costly) build runs only twice per backend.
    counts = build_demo(engine, weeks=1, seed=5, now=NOW)
    _assert_plausible_shape(engine, counts)
    first = _interaction_rows(engine)
    with pytest.raises(ValueError, match="replace=True"):
        build_demo(engine, weeks=1, seed=5, now=NOW)
    assert _interaction_rows(engine) == first  # the refusal changed nothing
    rebuilt = build_demo(engine, weeks=1, seed=5, now=NOW, replace=True)
    assert rebuilt["playbook_entries"] == 0  # kept from the first build, not duplicated
    assert rebuilt["interactions"] == counts["interactions"]
    assert _interaction_rows(engine) == first


def _assert_plausible_shape(engine, counts: dict[str, int]) -> None:
    i = interactions.c
    with engine.connect() as conn:
        per_channel = dict(
            conn.execute(select(i.channel_id, func.count()).group_by(i.channel_id)).all()
        )
        assert set(per_channel) == set(CHANNEL_IDS)
        assert 7 * 1_500 <= sum(per_channel.values()) == counts["interactions"] <= 7 * 3_000

        abandoned = select(i.channel_id).where(i.status == "abandoned").distinct()
        assert set(conn.scalars(abandoned)) == {"phone", "chat"}
        assert (
            _count(conn, interactions, i.status == "abandoned", i.first_response_at.is_not(None))
            == 0
        )
        assert _count(conn, interactions, i.status == "abandoned", i.abandoned_at.is_(None)) == 0

        social = i.channel_id.in_(SOCIAL_CHANNELS)
        assert _count(conn, interactions, social, i.reach.is_(None)) == 0
        assert _count(conn, interactions, ~social, i.reach.is_not(None)) == 0
        assert _count(conn, interactions, ~social, i.is_public.is_(True)) == 0
        assert _count(conn, interactions, social, i.is_public.is_(True)) > 0

        # A live backlog: the newest contact of every channel is still waiting at NOW.
        newest = (
            select(i.channel_id, func.max(i.created_at))
            .where(counts_as_contact())
            .group_by(i.channel_id)
        )
        for channel, created in conn.execute(newest):
            assert NOW - timedelta(hours=2) < created < NOW
            row = conn.execute(
                select(i.status, i.first_response_at).where(
                    i.channel_id == channel, i.created_at == created
                )
            ).first()
            assert row == ("open", None)
        assert _count(conn, interactions, i.created_at >= NOW) == 0

        timestamps = select(
            i.created_at,
            i.first_response_at,
            i.resolved_at,
            i.abandoned_at,
            i.updated_at,
            i.agent_id,
            i.direction,
        )
        for row in conn.execute(timestamps):
            stamps = [row.created_at, row.first_response_at, row.resolved_at, row.abandoned_at]
            assert row.updated_at == max(s for s in stamps if s is not None)
            if row.direction == "inbound":  # ours are written by an agent, with no "response"
                assert (row.agent_id is not None) == (row.first_response_at is not None)
            else:
                assert row.agent_id is not None and row.first_response_at is None

        multi_message = (
            select(i.conversation_id).group_by(i.conversation_id).having(func.count() > 1)
        )
        assert conn.execute(multi_message).first() is not None
        rated = _count(conn, interactions, i.csat.is_not(None)) / counts["interactions"]
        assert 0.15 <= rated <= 0.35

        criteria = [dict(r._mapping) for r in conn.execute(select(scorecard_criteria))]
        reviews = conn.execute(select(qa_reviews)).all()
        assert len(reviews) == counts["qa_reviews"] > 0
        for review in reviews:
            scores = {int(k): v for k, v in json.loads(review.scores).items()}
            total, failed = qa_total(criteria, scores)
            assert review.total == pytest.approx(total) and review.auto_failed == failed

        reply_states = set(conn.scalars(select(replies.c.state)))
        assert {"draft", "pending_review", "approved", "rejected", "published"} <= reply_states
        reply_targets = select(i.is_public).join(replies, replies.c.interaction_id == i.id)
        assert set(conn.scalars(reply_targets)) == {True}

        latest = select(agent_states.c.agent_id, func.max(agent_states.c.since)).group_by(
            agent_states.c.agent_id
        )
        latest_since = dict(conn.execute(latest).all())
        assert set(latest_since) == set(conn.scalars(select(agents.c.id)))
        on_floor = select(func.count()).where(
            agent_states.c.state != "offline",
            agent_states.c.since.in_(list(latest_since.values())),
        )
        assert conn.scalar(on_floor) > 0

        # One start per conversation; a contact per conversation the customer started.
        conversations = conn.scalar(select(func.count(func.distinct(i.conversation_id))))
        assert _count(conn, interactions, i.is_thread_start.is_(True)) == conversations
        assert conversations < counts["interactions"]  # social threads have follow-ups
        contacts = _count(conn, interactions, counts_as_contact())
        assert conn.scalar(select(func.sum(interval_stats.c.offered))) == contacts
        _assert_centre_started_conversations_are_no_contacts(conn, conversations - contacts)
        assert mark_thread_starts(conn) == 0  # the generator's flags are the rule's
        _assert_starts_carry_the_threads_first_reply(conn)
        assert _count(conn, users) == 0


def _assert_centre_started_conversations_are_no_contacts(conn, centre_started: int) -> None:
    """Proactive outage posts with customer replies, and callbacks some customers return."""
    i = interactions.c
    openers = select(i.channel_id, func.count()).where(
        i.direction == "outbound", i.is_thread_start.is_(True)
    )
    by_channel = dict(conn.execute(openers.group_by(i.channel_id)).all())
    assert sum(by_channel.values()) == centre_started
    assert by_channel["twitter"] == by_channel["facebook"] == 3  # the outage updates
    assert by_channel["phone"] >= 10  # callbacks on the week's weekdays
    # Customers answered them: their messages are follow-ups, so not one counts.
    replies = select(func.count()).where(
        i.direction == "inbound",
        i.conversation_id.in_(select(i.conversation_id).where(i.direction == "outbound")),
    )
    assert conn.scalar(replies) > 20
    assert conn.scalar(replies.where(counts_as_contact())) == 0


def _assert_starts_carry_the_threads_first_reply(conn) -> None:
    """Each customer-started thread's start carries the first reply anywhere in its thread
    (DESIGN: FRT per conversation, from the customer's first message)."""
    i = interactions.c
    threads: dict[str, list] = {}
    query = (
        select(i.conversation_id, i.is_thread_start, i.first_response_at)
        .where(i.conversation_id.not_in(select(i.conversation_id).where(i.direction == "outbound")))
        .order_by(i.created_at, i.id)
    )
    for conversation, start, responded in conn.execute(query):
        threads.setdefault(conversation, []).append((bool(start), responded))
    multi = 0
    for messages in threads.values():
        assert [start for start, _ in messages] == [True] + [False] * (len(messages) - 1)
        replies = [responded for _, responded in messages if responded is not None]
        assert messages[0][1] == (min(replies) if replies else None)
        multi += len(messages) > 1
    assert multi > 0
