"""Rollup refreshes running at once (the refresher process, the simulator, an import) neither
fail nor leave the rollup different from a full rebuild, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from db.engine import make_engine
from db.rollups import _rollup_transaction, refresh_interval_stats
from db.schema import interval_stats
from tests.builders import insert_interactions, interaction

T0 = datetime(2026, 11, 2, 12, 0, 0)
COLUMNS = ("interval_start", "channel_id", "queue", "offered", "answered", "met", "abandoned")


def _rollup(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(*[interval_stats.c[name] for name in COLUMNS]))
        return sorted(tuple(row) for row in rows)


def _full_rebuild(engine: Engine) -> list[tuple]:
    refresh_interval_stats(engine, full=True)
    return _rollup(engine)


def _arrivals(day: int, count: int) -> list[dict]:
    start = T0 + timedelta(days=day)
    return [
        interaction(
            start + timedelta(minutes=7 * n),
            channel_id=("chat", "phone", "email")[n % 3],
            frt=(n * 13) % 200 if n % 4 else None,
            updated_at=start + timedelta(days=1),
        )
        for n in range(count)
    ]


def _run_at_once(db_url: str, workers: int, **kwargs) -> list[BaseException]:
    """`workers` refreshes, each on its own engine (as separate processes have), released
    together; returns the errors they raised."""
    engines = [make_engine(db_url) for _ in range(workers)]
    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def refresh(engine: Engine) -> None:
        start.wait()
        try:
            refresh_interval_stats(engine, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted on
            errors.append(exc)

    threads = [threading.Thread(target=refresh, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for engine in engines:
        engine.dispose()
    return errors


def test_refreshes_at_once_succeed_and_match_a_full_rebuild(engine, db_url):
    with engine.begin() as conn:
        insert_interactions(conn, _arrivals(0, 300))
    refresh_interval_stats(engine)
    for round_ in range(1, 4):
        # New arrivals and a late change to old ones: every refresh has the same intervals to
        # rewrite, which is what made two of them collide on interval_stats' unique key.
        with engine.begin() as conn:
            insert_interactions(conn, _arrivals(round_, 200))
        assert _run_at_once(db_url, workers=4) == []
        assert _run_at_once(db_url, workers=3, full=True) == []
    incremental = _rollup(engine)
    assert len(incremental) > 100
    assert incremental == _full_rebuild(engine)


def test_a_refresh_waits_for_one_in_progress_and_then_sees_its_rows(engine):
    with engine.begin() as conn:
        insert_interactions(conn, _arrivals(0, 30))
    refresh_interval_stats(engine)
    waiting = make_engine(str(engine.url.render_as_string(hide_password=False)))
    done = threading.Event()
    errors: list[BaseException] = []

    def second_refresh() -> None:
        try:
            refresh_interval_stats(waiting)
        except BaseException as exc:  # noqa: BLE001 - asserted on below
            errors.append(exc)
        done.set()

    with _rollup_transaction(engine) as conn:
        # A refresh in progress writes rows the other one must not miss nor duplicate.
        insert_interactions(conn, _arrivals(1, 30))
        thread = threading.Thread(target=second_refresh)
        thread.start()
        assert not done.wait(timeout=1.0)  # held back by the lock, not failed
    thread.join(timeout=60)
    waiting.dispose()
    assert errors == []
    after_both = _rollup(engine)
    assert sum(row[3] for row in after_both) == 60  # offered: both days' arrivals, once each
    assert after_both == _full_rebuild(engine)
