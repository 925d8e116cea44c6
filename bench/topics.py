"""Topics page and customer journey timings on a database of N interactions.

    python -m bench.topics [--rows 1000000] [--backend sqlite|postgresql|both] [--runs 3]

For each backend: a fresh database of its own built like bench.page_timings (the newest N demo
interactions ending now, migrated, rollup refreshed), then, each run `--runs` times (median
printed): the Topics page's data for its default view — contacts per local day and topic over
the 12 shown ISO weeks plus the 8-week spike baseline, the ISO-week table with spikes and week
over week (pandas), the journey figures of the 12 weeks, a topic's drill-down — their sum, and
a journey: finding a customer by handle and reading their whole timeline; also the rollup
refresh times of the build (full, then an incremental one with nothing new). PostgreSQL gets
VACUUM ANALYZE after the load, as autovacuum would.

The counts and journey figures read the rollups (db/topic_rollup.py: `topic_stats` per local
day, `next_contacts` per contact), raw rows only for what changed since the last refresh. The
targets of issue 12, on either backend: the Topics page's data ≤ 300 ms (aim ≤ 150 ms), the
journey figures of 12 weeks ≤ 300 ms, a journey ≤ 100 ms. Measured before the rollups (1M rows):
Topics data 306 ms PostgreSQL / 720 ms SQLite; journey figures 844 ms / 2.4 s. With them, on a
machine loaded 25–50 runnable processes per 2 cores: PostgreSQL Topics data 53 ms, journey
figures 206 ms; SQLite Topics data 294–534 ms (54 ms of CPU), journey figures 584–792 ms (150 ms
of CPU; the old query took 1.5 s of CPU on the same data). Wall times move with the load.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text

from analytics import topic_trends as trends
from analytics.periods import day_bounds, local_today, to_local
from bench.bulk_load import postgresql_database, sqlite_database
from bench.page_timings import build_database
from db.engine import make_engine
from db.schema import customer_handles, interactions
from db.settings import get_settings
from queries import journey, topic_trends


def _median(run: Callable[[], Any], runs: int) -> tuple[float, Any]:
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def measure(url: str, runs: int) -> list[tuple[str, float]]:
    """(what, median seconds) of every Topics page data call, their sum, and a journey."""
    settings = get_settings()
    tz = settings.timezone
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            now = conn.scalar(select(func.max(interactions.c.created_at)))
            busiest = conn.execute(
                select(interactions.c.customer_id, func.count().label("n"))
                .where(interactions.c.customer_id.is_not(None))
                .group_by(interactions.c.customer_id)
                .order_by(func.count().desc())
                .limit(1)
            ).first()
            handle = conn.scalar(
                select(customer_handles.c.handle).where(
                    customer_handles.c.customer_id == busiest.customer_id
                )
            )
        today = local_today(now, tz)
        this_week = trends.monday(today)
        first_week = this_week - timedelta(weeks=settings.topic_weeks - 1)
        load_from = first_week - timedelta(weeks=settings.spike_baseline_weeks)
        start = day_bounds(load_from, tz)[0]
        shown_start = day_bounds(first_week, tz)[0]
        daily_s, daily = _median(
            lambda: topic_trends.daily_topic_counts(engine=engine, start=start, end=now, tz=tz),
            runs,
        )

        def tables() -> Any:
            first = topic_trends.first_contact_at(engine=engine)
            weekly = trends.mark_spikes(
                trends.weekly_table(daily, load_from, today),
                baseline_periods=settings.spike_baseline_weeks,
                z_threshold=settings.spike_z,
                min_count=settings.spike_min_count,
                history_start=trends.first_full_week(to_local(first, tz).date()),
            )
            return trends.week_over_week(weekly, this_week - timedelta(weeks=1))

        tables_s, _ = _median(tables, runs)
        journey_s, _ = _median(
            lambda: journey.journey_counts(
                engine=engine, start=shown_start, end=now, tz=tz,
                window_days=settings.repeat_window_days,
            ),
            runs,
        )  # fmt: skip
        drill_s, _ = _median(
            lambda: topic_trends.topic_contacts(
                engine=engine, topic="outage", start=day_bounds(this_week, tz)[0], end=now
            ),
            runs,
        )
        find_s, _ = _median(lambda: journey.find_customers(engine=engine, term=handle), runs)
        timeline_s, timeline = _median(
            lambda: journey.customer_timeline(engine=engine, customer_id=busiest.customer_id),
            runs,
        )
        counts_total = daily_s + tables_s + drill_s
        return [
            ("topics: daily counts, 20 weeks (12 shown + 8 baseline)", daily_s),
            ("topics: weekly table, spikes, week over week (pandas)", tables_s),
            ("topics: drill-down, a topic this week", drill_s),
            ("topics page data without journey figures", counts_total),
            ("topics: journey figures, 12 weeks", journey_s),
            ("topics page data with journey figures", counts_total + journey_s),
            ("journey: find a customer by handle", find_s),
            (f"journey: timeline of the busiest customer ({len(timeline)} messages)", timeline_s),
            ("journey: find + timeline", find_s + timeline_s),
        ]
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        database = sqlite_database if backend == "sqlite" else postgresql_database
        with database() as url:
            started = time.perf_counter()
            built = build_database(url, args.rows)
            if backend == "postgresql":
                # Autovacuum does this within a minute of a bulk load in a real database; without
                # it no index-only scan is possible (the visibility map is empty).
                engine = make_engine(url)
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE interactions, topic_stats, next_contacts"))
                engine.dispose()
            print(f"\n{backend}: {args.rows:,} interactions (built in "
                  f"{time.perf_counter() - started:.0f} s), median of {args.runs}")  # fmt: skip
            print(f"  {'rollups: full refresh (build)':<66} {built['refresh_seconds']:>8.1f} s")
            print(f"  {'rollups: incremental refresh, nothing new':<66} "
                  f"{built['incremental_seconds'] * 1000:>8.0f} ms")  # fmt: skip
            for what, seconds in measure(url, args.runs):
                print(f"  {what:<66} {seconds * 1000:>8.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
