"""Which SLA policy judges a contact, on SQLite and PostgreSQL through every route (rollup, raw
SQL, pandas rows, breaches list, live floor): the earliest policy also covers history from
before it; a channel with no policy gives no verdict — never an invented target.

Seeded policies start 2000-01-01: chat 60 s (rule fail), phone 20 s (exclude_short).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete

from db.policies import load_policies, policy_for
from db.rollups import refresh_interval_stats
from db.schema import interval_stats, sla_policies
from queries.breaches import breaches
from queries.floor import channel_policies, todays_service_level
from queries.service_level import service_level_counts
from tests.builders import insert_interactions, interaction

UTC = "UTC"
# 1999: before every seeded policy (imported history).
DAY = (datetime(1999, 6, 1), datetime(1999, 6, 2))
NOW = datetime(1999, 6, 1, 12, 0)


def _history(engine) -> None:
    """Two 1999 chat contacts: answered exactly at 60 s and one second past it."""
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(datetime(1999, 6, 1, 9, 0), frt=60),
                interaction(datetime(1999, 6, 1, 9, 5), frt=61),
            ],
        )
    refresh_interval_stats(engine)


def _chat(engine, source: str) -> dict:
    counts = service_level_counts(
        engine=engine, start=DAY[0], end=DAY[1], tz=UTC, granularity="day",
        group_by="channel", now=NOW, source=source,
    )  # fmt: skip
    return counts.set_index("group_key").loc["chat"].to_dict()


@pytest.mark.parametrize("source", ["rollup", "raw", "rows"])
def test_arrivals_before_the_first_policy_are_judged_by_it(engine, source):
    _history(engine)
    chat = _chat(engine, source)
    # 60 s is met, 61 s missed against the 2000 policy's 60 s target.
    assert (chat["offered"], chat["met"], chat["missed"], chat["excluded"]) == (2, 1, 1, 0)


def test_history_before_the_first_policy_in_the_rollup_breaches_and_floor(engine):
    _history(engine)
    with engine.connect() as conn:
        rollup = conn.execute(
            interval_stats.select().where(interval_stats.c.channel_id == "chat")
        ).all()
    assert sum(r.met for r in rollup) == 1
    listed = breaches(engine=engine, start=DAY[0], end=DAY[1], tz=UTC, now=NOW, channels=["chat"])
    assert listed[["value_seconds", "target_seconds"]].values.tolist() == [[61.0, 60]]
    today = todays_service_level(engine=engine, start=DAY[0], end=DAY[1], tz=UTC, now=NOW)
    assert today.set_index("channel_id").loc["chat", ["met", "missed"]].tolist() == [1, 1]
    floor_policy = channel_policies(engine=engine, at=NOW).set_index("channel_id")
    assert floor_policy.loc["chat", "target_seconds"] == 60.0


@pytest.mark.parametrize("source", ["auto", "raw", "rows"])
def test_a_channel_without_any_policy_gets_no_verdict(engine, source):
    with engine.begin() as conn:
        conn.execute(delete(sla_policies).where(sla_policies.c.channel_id == "chat"))
    _history(engine)
    chat = _chat(engine, source)
    # Answered in 60 and 61 s: neither met nor missed without a target; no service level.
    assert (chat["offered"], chat["answered"]) == (2, 2)
    assert (chat["met"], chat["missed"], chat["excluded"]) == (0, 0, 2)
    assert chat["service_level_percent"] != chat["service_level_percent"]  # NaN: no data
    assert breaches(engine=engine, start=DAY[0], end=DAY[1], tz=UTC, now=NOW).empty
    with pytest.raises(ValueError, match="rollup"):
        _chat(engine, "rollup")  # it has no "no policy" column, so it is never asked


def test_the_policy_in_force_wins_over_an_earlier_variants_backfill(engine):
    # A high-priority phone policy from 2020: a 2010 high-priority call is judged by the
    # generic 2000 policy then in force; a 1999 one (nothing in force yet) by the earliest of
    # its own variant.
    with engine.begin() as conn:
        conn.execute(
            sla_policies.insert().values(
                channel_id="phone", priority="high", target_seconds=5, goal_percent=90,
                abandon_rule="fail", short_abandon_seconds=5, active_from=datetime(2020, 1, 1),
                version=1,
            )
        )  # fmt: skip
        policies = load_policies(conn)

    def target(at: datetime) -> int:
        found = policy_for(policies, channel_id="phone", priority="high", is_public=False, at=at)
        return found["target_seconds"]

    assert (target(datetime(1999, 1, 1)), target(datetime(2010, 1, 1))) == (5, 20)
    assert target(datetime(2021, 1, 1)) == 5
    # The SQL lookup agrees: a 10 s answer is missed in 1999 (5 s) and met in 2010 (20 s).
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(datetime(1999, 6, 1, 9), channel_id="phone", priority="high", frt=10),
                interaction(datetime(2010, 6, 1, 9), channel_id="phone", priority="high", frt=10),
            ],
        )
    counts = service_level_counts(
        engine=engine, start=datetime(1999, 1, 1), end=datetime(2011, 1, 1), tz=UTC,
        granularity="week", group_by="channel", now=NOW, channels=["phone"], source="raw",
    )  # fmt: skip
    seen = counts[counts["offered"] > 0]
    by_year = seen.set_index(seen["period_start"].dt.year)
    assert by_year.loc[1999, ["met", "missed"]].tolist() == [0, 1]
    assert by_year.loc[2010, ["met", "missed"]].tolist() == [1, 0]
