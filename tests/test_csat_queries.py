"""CSAT on SQLite and PostgreSQL, hand-worked: share of 4–5 among rated contacts, the mean, the
number rated; unrated contacts and follow-up messages are not in it; no ratings is not 0 %."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from db.rollups import refresh_interval_stats
from db.schema import agents
from queries.channels import channel_comparison
from queries.service_level import service_level_report
from tests.builders import insert_interactions, interaction

LONDON = "Europe/London"
NOW = datetime(2026, 6, 1, 12, 0)
DAY = (datetime(2026, 5, 31, 23, 0), datetime(2026, 6, 1, 23, 0))  # local Mon 1 Jun 2026
ARRIVAL = datetime(2026, 6, 1, 9, 0)


def _rated(engine) -> int:
    """Chat ratings 5, 4, 3, 1 and one unrated contact, all answered by one agent; a follow-up
    message rated 1 (not a contact); a phone call rated 5 with no agent; email unrated."""
    with engine.begin() as conn:
        agent_id = conn.execute(
            agents.insert().values(name="Ann", team="Blue", active=True)
        ).inserted_primary_key[0]
        rows = [
            interaction(ARRIVAL, frt=30, csat=rating, agent_id=agent_id, conversation_id=thread)
            for rating, thread in ((5, "thread-1"), (4, None), (3, None), (1, None), (None, None))
        ]
        rows.append(
            interaction(
                ARRIVAL + timedelta(minutes=5),
                frt=30,
                csat=1,
                agent_id=agent_id,
                conversation_id="thread-1",
            )
        )
        other = {"agent_id": None, "conversation_id": None}
        rows.append(interaction(ARRIVAL, channel_id="phone", abandon_after=30, csat=5, **other))
        rows.append(interaction(ARRIVAL, channel_id="email", frt=600, csat=None, **other))
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)
    return int(agent_id)


def _report(engine, group_by: str):
    return service_level_report(
        engine=engine,
        start=DAY[0],
        end=DAY[1],
        tz=LONDON,
        granularity="day",
        group_by=group_by,
        now=NOW,
    )


def test_csat_per_channel_is_the_share_of_4_and_5_among_rated(engine):
    _rated(engine)
    table = _report(engine, "channel").by_group.set_index("group_key")
    # chat 5, 4, 3, 1 (+ unrated, + the follow-up's 1 that is not a contact): 2 of 4 -> 50 %
    assert table.loc["chat", "csat_rated"] == 4
    assert table.loc["chat", "csat_percent"] == pytest.approx(50.0)
    assert table.loc["chat", "csat_mean"] == pytest.approx(3.25)  # (5 + 4 + 3 + 1) / 4
    assert table.loc["phone", "csat_percent"] == pytest.approx(100.0)
    assert table.loc["email", "csat_rated"] == 0
    assert math.isnan(table.loc["email", "csat_percent"])  # no ratings, not 0 %


def test_overall_csat_and_by_agent(engine):
    agent_id = _rated(engine)
    report = _report(engine, "agent")
    overall = report.overall
    assert (overall["csat_rated"], overall["csat_satisfied"]) == (5, 3)  # 5, 4, 3, 1 and 5
    assert overall["csat_percent"] == pytest.approx(60.0)
    assert overall["csat_mean"] == pytest.approx(3.6)  # 18 / 5
    table = report.by_group.set_index("group_key")
    assert table.loc[str(agent_id), "csat_percent"] == pytest.approx(50.0)
    assert table.loc["-", "csat_rated"] == 1  # the phone abandon carries no agent


def test_period_without_ratings_has_no_csat(engine):
    _rated(engine)
    week_later = (DAY[0] + timedelta(days=7), DAY[1] + timedelta(days=7))
    report = service_level_report(
        engine=engine,
        start=week_later[0],
        end=week_later[1],
        tz=LONDON,
        granularity="day",
        group_by="team",
        now=NOW + timedelta(days=7),
    )
    assert report.overall["csat_rated"] == 0
    assert report.overall["csat_percent"] is None and report.overall["csat_mean"] is None


def test_channels_side_by_side_carry_the_same_csat(engine):
    _rated(engine)
    table = channel_comparison(
        engine=engine, start=DAY[0], end=DAY[1], tz=LONDON, now=NOW
    ).set_index("channel_id")
    assert table.loc["chat", "csat_percent"] == pytest.approx(50.0)
    assert table.loc["chat", "csat_mean"] == pytest.approx(3.25)
    assert table.loc["chat", "csat_rated"] == 4
    assert math.isnan(table.loc["twitter", "csat_percent"])
