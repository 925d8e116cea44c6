"""Which SLA policy judges a contact, on SQLite and PostgreSQL through every route (rollup, raw
SQL, pandas rows, breaches list, live floor): the earliest policy also covers history from
before it; a channel with no policy gives no verdict — never an invented target. And changing
a policy: from now by default (history keeps its policy), back-dated only with the count of
contacts it re-judges, recounting only that channel's rollup from the first of them.

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
from queries.rollup_jobs import recount_after_policy_change
from queries.service_level import service_level_counts
from queries.sla_policies import policy_change_impact, save_policy_version
from queries.writes import StaleWriteError
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


def _may_history(engine) -> None:
    """Chat answered in 45 s on 4, 5 and 6 May 2026; one phone call on 5 May; rolled up."""
    rows = [interaction(datetime(2026, 5, d, 10), frt=45) for d in (4, 5, 6)]
    rows.append(interaction(datetime(2026, 5, 5, 10), channel_id="phone", frt=5))
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)


def _chat_policy(engine) -> dict:
    with engine.connect() as conn:
        return next(p for p in load_policies(conn) if p["channel_id"] == "chat")


def test_a_change_from_now_re_judges_nothing_and_a_second_submit_is_stale(engine):
    _may_history(engine)
    old = _chat_policy(engine)
    now = datetime(2026, 6, 1, 12, 0)
    args = {"policy_id": old["id"], "values": {"target_seconds": 30}, "now": now}
    impact = policy_change_impact(engine=engine, effective_from=None, **args)
    assert (impact.contacts, impact.first_arrival) == (0, None)
    saved, recount_from = save_policy_version(
        engine=engine, expected_version=old["version"], effective_from=None, actor="a", **args
    )
    assert (saved["target_seconds"], saved["active_from"], recount_from) == (30, now, None)
    assert saved["goal_percent"] == old["goal_percent"]  # unchanged fields carried over
    with pytest.raises(StaleWriteError):
        save_policy_version(
            engine=engine, expected_version=old["version"], effective_from=None, actor="a", **args
        )
    may = service_level_counts(
        engine=engine, start=datetime(2026, 5, 1), end=datetime(2026, 6, 1), tz=UTC,
        granularity="day", group_by="channel", now=now, channels=["chat"],
    )  # fmt: skip
    assert (may["met"].sum(), may["missed"].sum()) == (3, 0)  # May keeps its 60 s target


def test_back_dating_counts_what_it_re_judges_and_recounts_only_that(engine):
    _may_history(engine)
    old = _chat_policy(engine)
    with engine.begin() as conn:  # mark rollup rows the recount must not touch
        conn.execute(
            interval_stats.update()
            .where(interval_stats.c.interval_start < datetime(2026, 5, 5))
            .values(resolved=99)
        )
        conn.execute(
            interval_stats.update()
            .where(interval_stats.c.channel_id == "phone")
            .values(resolved=99)
        )
    args = {
        "policy_id": old["id"],
        "values": {"target_seconds": 30},
        "effective_from": "2026-05-05 00:00",
        "now": datetime(2026, 6, 1, 12, 0),
    }
    impact = policy_change_impact(engine=engine, **args)
    assert impact.contacts == 2  # 5 and 6 May; the phone call is another channel
    assert (impact.first_arrival, impact.last_arrival) == (
        datetime(2026, 5, 5, 10),
        datetime(2026, 5, 6, 10),
    )
    saved, recount_from = save_policy_version(
        engine=engine, expected_version=old["version"], actor="a", **args
    )
    assert recount_from == datetime(2026, 5, 5, 10)
    assert recount_after_policy_change(engine=engine, channel_id="chat", start=recount_from) == 2
    with engine.connect() as conn:
        stats = {
            (r.channel_id, r.interval_start.day): (r.met, r.resolved)
            for r in conn.execute(interval_stats.select())
        }
    # Recounted (45 s > 30 s: missed): chat on 5 and 6 May. Untouched: 4 May and phone.
    assert stats == {
        ("chat", 4): (1, 99),
        ("chat", 5): (0, 1),
        ("chat", 6): (0, 1),
        ("phone", 5): (1, 99),
    }
