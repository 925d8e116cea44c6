"""The 15-minute rollup counts exactly what the raw rows say, and refreshes incrementally."""

from datetime import datetime, timedelta

from sqlalchemy import select, update

from db.rollups import refresh_interval_stats
from db.schema import interactions, interval_stats
from tests.builders import insert_interactions, interaction

T0 = datetime(2026, 11, 2, 12, 0, 0)  # a Monday, 12:00 UTC


def _stats(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(interval_stats).order_by(interval_stats.c.interval_start))
        return [dict(r._mapping) for r in rows]


def test_rollup_counts_match_the_worked_example(engine):
    # Chat policy: target 60 s, short abandon 5 s (seeded defaults).
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(T0, frt=60, handle_seconds=300),  # met: exactly at target
                interaction(T0 + timedelta(minutes=1), frt=61, handle_seconds=100),  # missed
                interaction(T0 + timedelta(minutes=2)),  # open
                interaction(T0 + timedelta(minutes=3), abandon_after=10),
                interaction(T0 + timedelta(minutes=4), abandon_after=3),  # short abandon
                interaction(T0 + timedelta(minutes=15), channel_id="phone", frt=5),
            ],
        )
    assert refresh_interval_stats(engine) == 2
    first, second = _stats(engine)
    assert first["interval_start"] == T0
    assert (first["offered"], first["answered"], first["met"]) == (5, 2, 1)
    assert (first["abandoned"], first["abandoned_short"]) == (2, 1)
    assert first["sum_frt_seconds"] == 121
    assert (first["sum_handle_seconds"], first["handled"]) == (400, 2)
    assert second["interval_start"] == T0 + timedelta(minutes=15)
    assert (second["channel_id"], second["offered"], second["met"]) == ("phone", 1, 1)


def test_incremental_refresh_picks_up_a_late_answer(engine):
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(T0, frt=30), interaction(T0 + timedelta(seconds=5))])
    refresh_interval_stats(engine)
    assert _stats(engine)[0]["answered"] == 1
    answered_at = T0 + timedelta(seconds=50)
    with engine.begin() as conn:
        conn.execute(
            update(interactions)
            .where(interactions.c.first_response_at.is_(None))
            .values(first_response_at=answered_at, updated_at=answered_at + timedelta(hours=1))
        )
    assert refresh_interval_stats(engine) == 1  # only the one touched interval
    (row,) = _stats(engine)
    assert (row["answered"], row["met"]) == (2, 2)


def test_refresh_with_no_interactions_is_empty(engine):
    assert refresh_interval_stats(engine) == 0
    assert _stats(engine) == []


def test_a_late_change_to_an_old_interaction_recounts_only_its_interval(engine):
    old = T0 - timedelta(days=20)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [interaction(old), interaction(T0 - timedelta(days=10), frt=5), interaction(T0)],
        )
    refresh_interval_stats(engine)
    middle = T0 - timedelta(days=10)
    with engine.begin() as conn:
        # Mark the middle interval's row: a refresh that recounted it would overwrite this.
        conn.execute(
            update(interval_stats)
            .where(interval_stats.c.interval_start == middle)
            .values(offered=99)
        )
        conn.execute(
            update(interactions)
            .where(interactions.c.created_at == old)
            .values(first_response_at=old + timedelta(hours=2), updated_at=T0 + timedelta(hours=1))
        )
    # The old interval, and the newest one (inside the look-back for late commits); not the middle.
    assert refresh_interval_stats(engine) == 2
    rows = {r["interval_start"]: r for r in _stats(engine)}
    assert (rows[old]["answered"], rows[old]["met"]) == (1, 0)
    assert rows[middle]["offered"] == 99
