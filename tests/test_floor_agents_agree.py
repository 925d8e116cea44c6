"""Agents on the floor and contacts answered agree, in the demo history and on simulator ticks:
whoever answered a contact was on the floor (available, busy or after-contact work) from its
first response until their work on it ended, and an agent's current contacts are the ones they
are working now (so that agent is busy)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select

from analytics.floor import ON_FLOOR_STATES
from db.schema import agent_states, agents, interactions
from ingest.demo import build_demo
from ingest.simulator import run_tick
from queries import floor
from tests.builders import insert_interactions, interaction

NOW = datetime(2026, 11, 26, 14, 30)  # a Thursday afternoon: early and late shifts overlap
TICK = 30.0


def off_floor_work(engine, *, since: datetime, now: datetime) -> pd.DataFrame:
    """Answered contacts (first response in [since, now]) whose agent was not on the floor at
    some moment between the first response and the end of the work on it: first response +
    handle time, or `now` while the agent still works it (status open, no handle time yet), or
    the answer alone when nothing says how long the work took."""
    i = interactions.c
    with engine.connect() as conn:
        work = pd.read_sql(
            select(i.id, i.agent_id, i.status, i.first_response_at, i.handle_seconds).where(
                i.agent_id.is_not(None),
                i.first_response_at >= since,
                i.first_response_at <= now,
            ),
            conn,
        )
        states = pd.read_sql(
            select(agent_states).order_by(
                agent_states.c.agent_id, agent_states.c.since, agent_states.c.id
            ),
            conn,
        )
    start = pd.to_datetime(work["first_response_at"])
    # Work with no handle time yet: still in hand when open, else only the answer is known.
    unfinished = start.where(work["status"] != "open", pd.Timestamp(now))
    end = start + pd.to_timedelta(work["handle_seconds"], unit="s")
    end = end.where(work["handle_seconds"].notna(), unfinished)
    bad = []
    for agent, rows in work.groupby("agent_id"):
        mine = states[states["agent_id"] == agent]
        since_values = pd.to_datetime(mine["since"]).to_numpy()
        off = np.cumsum(~mine["state"].isin(ON_FLOOR_STATES).to_numpy())
        first = np.searchsorted(since_values, start[rows.index].to_numpy(), side="right") - 1
        last = np.searchsorted(since_values, end[rows.index].to_numpy(), side="left") - 1
        last = np.maximum(first, last)
        before = np.where(first > 0, off[np.maximum(first - 1, 0)], 0)
        unseen = first < 0  # no state recorded yet: not on the floor
        off_in_between = off[np.maximum(last, 0)] - before > 0
        bad.append(rows[unseen | off_in_between])
    return pd.concat(bad) if bad else work.iloc[:0]


def assert_current_contacts_are_worked(engine, now: datetime) -> None:
    """The agent list's current contacts are open contacts in an agent's hands, and every
    agent holding one is busy."""
    agents = floor.latest_agent_states(engine=engine, now=now)
    i = interactions.c
    with engine.connect() as conn:
        open_work = pd.read_sql(
            select(i.agent_id, i.first_response_at, i.handle_seconds).where(
                i.status == "open", i.agent_id.is_not(None), i.is_thread_start.is_(True)
            ),
            conn,
        )
    assert open_work["first_response_at"].notna().all()  # in an agent's hands = answered
    assert open_work["handle_seconds"].isna().all()  # the work has not ended
    holding = agents[agents["current_contacts"] > 0]
    assert len(holding) > 0  # the check below checks something
    assert set(holding["state"]) == {"busy"}
    assert int(agents["current_contacts"].sum()) == len(open_work)
    # Nobody answered outside the agent list's reach, and the floor's count covers the holders.
    assert (agents["state"].isin(ON_FLOOR_STATES)).sum() >= len(holding)


def test_demo_history_and_simulator_ticks_keep_agents_and_answers_in_step(engine):
    build_demo(engine, weeks=1, seed=3, now=NOW)
    with engine.connect() as conn:
        window_start = conn.scalar(select(agent_states.c.since).order_by(agent_states.c.since))
        answered_in_window = conn.scalar(
            select(interactions.c.id)
            .where(interactions.c.first_response_at >= window_start)
            .limit(1)
        )
    assert answered_in_window is not None
    assert off_floor_work(engine, since=window_start, now=NOW).empty
    assert_current_contacts_are_worked(engine, NOW)

    rng = np.random.default_rng(5)
    moment = NOW
    answered = 0
    for _ in range(60):  # half an hour of ticks
        moment += timedelta(seconds=TICK)
        answered += run_tick(engine, moment, rng, tick_seconds=TICK)["answered"]
    assert answered > 20
    assert off_floor_work(engine, since=NOW, now=moment).empty
    assert_current_contacts_are_worked(engine, moment)


def test_the_check_finds_a_contact_answered_by_an_agent_on_a_break(engine):
    """The invariant check itself can fail: an answer given during a break is reported."""
    with engine.begin() as conn:
        conn.execute(agents.insert().values(id=1, name="Ann", team="Chat", active=True))
        conn.execute(
            agent_states.insert(),
            [
                {"agent_id": 1, "state": "available", "since": NOW - timedelta(hours=2)},
                {"agent_id": 1, "state": "break", "since": NOW - timedelta(minutes=30)},
                {"agent_id": 1, "state": "available", "since": NOW - timedelta(minutes=15)},
            ],
        )
        insert_interactions(
            conn,
            [
                # answered an hour ago, handled in 5 min: fine
                interaction(NOW - timedelta(hours=1), frt=10, agent_id=1, handle_seconds=300),
                # answered before the break, still handled 20 min into it: reported
                interaction(NOW - timedelta(minutes=40), frt=60, agent_id=1, handle_seconds=900),
                # answered during the break: reported
                interaction(NOW - timedelta(minutes=25), frt=60, agent_id=1, handle_seconds=60),
            ],
        )
    found = off_floor_work(engine, since=NOW - timedelta(hours=3), now=NOW)
    assert sorted(found["handle_seconds"].tolist()) == [60, 900]
