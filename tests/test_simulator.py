"""Each simulator tick is one transaction: all of its writes land together, or none do."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

import ingest.simulator as simulator
from db.schema import agent_skills, agent_states, agents, customers, interactions
from db.threads import mark_thread_starts
from ingest.simulator import run_simulator, run_tick

NOW = datetime(2026, 11, 26, 11, 0)  # Thursday 11:00 UTC = 11:00 in London: the morning peak
TICK = 600.0  # a long tick, so one tick certainly brings arrivals, answers and resolutions


@pytest.fixture
def floor(engine):
    """Two agents on shift and a few contacts waiting or in progress."""
    with engine.begin() as conn:
        for agent_id, name, channels in (
            (1, "Pat Voice", ["phone", "chat"]),
            (2, "Sam Social", ["twitter", "email"]),
        ):
            conn.execute(agents.insert().values(id=agent_id, name=name, team="T", shift="mid"))
            conn.execute(
                agent_skills.insert(), [{"agent_id": agent_id, "channel_id": c} for c in channels]
            )
            conn.execute(
                agent_states.insert().values(
                    agent_id=agent_id, state="available", since=NOW - timedelta(hours=2)
                )
            )
        waiting = [
            {
                "source": "demo",
                "external_id": f"wait-{n}",
                "channel_id": channel,
                "created_at": NOW - timedelta(seconds=40 + n),
                "updated_at": NOW - timedelta(seconds=40 + n),
                "status": "open",
            }
            for n, channel in enumerate(["phone", "chat", "twitter", "email", "chat"])
        ]
        in_progress = [
            {
                "source": "demo",
                "external_id": f"busy-{n}",
                "channel_id": "chat",
                "agent_id": 1,
                "created_at": NOW - timedelta(minutes=40),
                "first_response_at": NOW - timedelta(minutes=39),
                "updated_at": NOW - timedelta(minutes=39),
                "status": "pending",
            }
            for n in range(6)
        ]
        # Separate inserts: executemany takes its columns from the first row.
        conn.execute(interactions.insert(), waiting)
        conn.execute(interactions.insert(), in_progress)
    return engine


def _snapshot(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: [tuple(r) for r in conn.execute(select(table).order_by(table.c.id))]
            for table in (interactions, agent_states, customers)
        }


def test_a_tick_writes_arrivals_answers_and_resolutions(floor):
    counts = run_tick(floor, NOW, np.random.default_rng(11), tick_seconds=TICK)
    i = interactions.c
    with floor.connect() as conn:
        arrived = conn.scalar(
            select(func.count()).where(
                i.external_id.like("sim-%"),
                i.created_at > NOW - timedelta(seconds=TICK),
                i.created_at <= NOW,
            )
        )
        answered = conn.scalar(select(func.count()).where(i.first_response_at == NOW))
        resolved = conn.scalar(
            select(func.count()).where(i.resolved_at == NOW, i.status == "resolved")
        )
        touched = conn.scalar(select(func.count()).where(i.updated_at == NOW))
        changed = conn.scalar(
            select(func.count()).where(
                i.external_id.like("sim-%")
                | (i.first_response_at == NOW)
                | (i.abandoned_at == NOW)
                | (i.resolved_at == NOW)
            )
        )
        state_rows = conn.scalar(select(func.count()).where(agent_states.c.since == NOW))
        unhandled = conn.scalar(
            select(func.count()).where(i.status == "resolved", i.handle_seconds.is_(None))
        )
    assert counts["arrivals"] == arrived > 0
    assert counts["answered"] == answered > 0
    assert counts["resolved"] == resolved > 0
    assert counts["state_changes"] == state_rows
    assert touched == changed  # every change stamps updated_at, and nothing else does
    assert unhandled == 0


def test_a_tick_that_fails_midway_leaves_nothing_behind(floor, monkeypatch):
    before = _snapshot(floor)

    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away mid-tick")

    # Arrivals and answers are already written when resolving fails.
    monkeypatch.setattr(simulator, "_resolve", broken)
    with pytest.raises(RuntimeError, match="mid-tick"):
        run_tick(floor, NOW, np.random.default_rng(11), tick_seconds=TICK)
    assert _snapshot(floor) == before


def test_run_simulator_stops_after_max_ticks_or_when_told(floor):
    run_simulator(floor, tick_seconds=0.01, max_ticks=2, rng_seed=1)
    stop = threading.Event()
    stop.set()
    before = _snapshot(floor)
    run_simulator(floor, tick_seconds=0.01, stop=stop, rng_seed=1)
    assert _snapshot(floor) == before


def test_ticks_work_contacts_but_not_replies_to_conversations_the_centre_started(floor):
    """A customer's reply to our proactive post is a follow-up (DESIGN: the conversation is no
    contact): nobody queues it, so it is neither answered nor abandoned by the floor."""
    post = {"source": "demo", "channel_id": "twitter", "conversation_id": "post-1"}
    post |= {"is_public": True}
    opened = NOW - timedelta(minutes=30)
    replied = NOW - timedelta(minutes=10)
    ours = {"external_id": "our-post", "direction": "outbound", "status": "resolved"}
    theirs = {"external_id": "their-reply", "direction": "inbound", "status": "open"}
    with floor.begin() as conn:
        conn.execute(
            interactions.insert(),
            [
                post | ours | {"created_at": opened, "updated_at": opened},
                post | theirs | {"created_at": replied, "updated_at": replied},
            ],
        )
        mark_thread_starts(conn)
    rng = np.random.default_rng(11)
    for tick in range(8):
        run_tick(floor, NOW + timedelta(seconds=TICK * tick), rng, tick_seconds=TICK)
    i = interactions.c
    with floor.connect() as conn:
        query = select(i.external_id, i.first_response_at, i.abandoned_at, i.status)
        rows = {row.external_id: row for row in conn.execute(query)}
    assert rows["their-reply"][1:] == (None, None, "open")
    # The same wait on the same channel as a contact was answered meanwhile.
    assert rows["wait-2"].first_response_at is not None
