"""Page data timings: how long each page's data calls take on a database of N interactions.

    python -m bench.page_timings [--rows 1000000] [--backend sqlite|postgresql|both] [--runs 3]

For each backend: a fresh database of its own (a temporary SQLite file, or a PostgreSQL database
`floorlight_bench_<random>` created on the server and dropped afterwards), migrated and seeded;
N demo interactions ending now (the newest N the demo generator makes, so "today" and "this
week" have their normal traffic) stored with `ingest.bulk.bulk_insert`; the rollup refreshed
(timed); then every data call of the Service level, Channels and Floor pages with a typical
filter set, each run `--runs` times, printing the median. The calls are the query functions the
pages' cached readers call, uncached, so the figures are what a viewer waits for on a cache miss.

PostgreSQL gets ANALYZE after the load (autovacuum would do it within a minute of a real bulk
load); SQLite does not, because the app never runs it there.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select, text

from analytics.periods import day_bounds, local_today, week_bounds
from bench.bulk_load import (
    PG_ADMIN_URL,
    demo_context,
    generate_at_least,
    postgresql_database,
    sqlite_database,
)
from db.engine import make_engine
from db.migrate import upgrade_to_head
from db.rollups import refresh_interval_stats
from db.schema import customer_handles, customers, interactions
from db.settings import get_settings
from db.threads import mark_thread_starts
from ingest.bulk import bulk_insert, reset_id_sequence
from ingest.demo import (
    SOURCE,
    utc_now,
)
from queries import breaches as breach_queries
from queries import channels as channel_queries
from queries import service_level as sl_queries
from queries import volume


@dataclass(frozen=True)
class Call:
    """One page data call: which page, a short description, and the call itself."""

    page: str
    name: str
    run: Callable[[], Any]


def build_database(url: str, rows: int, seed: int = 7) -> dict[str, float]:
    """Migrate and seed `url`, store the newest `rows` demo interactions, refresh the rollup."""
    upgrade_to_head(url)
    engine = make_engine(url)
    try:
        ctx = demo_context(engine, rows, headroom=1.1, extra_days=2)
        now = ctx.now
        started = time.perf_counter()
        data = generate_at_least(ctx, rows, seed)
        generate_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with engine.begin() as conn:
            bulk_insert(conn, customers, data.customers)
            bulk_insert(conn, customer_handles, data.handles)
            # The newest rows, so the pages' default periods (today, this week) are full.
            stored = bulk_insert(conn, interactions, data.rows(len(data) - rows, len(data)))
            for table in (customers, customer_handles, interactions):
                reset_id_sequence(conn, table)
            # A thread cut at the window's edge: its first stored message is the start.
            mark_thread_starts(conn, source=SOURCE, now=now)
        load_seconds = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        started = time.perf_counter()
        intervals = refresh_interval_stats(engine, full=True)
        refresh_seconds = time.perf_counter() - started
        started = time.perf_counter()
        refresh_interval_stats(engine)
        incremental_seconds = time.perf_counter() - started
        with engine.connect() as conn:
            count = conn.scalar(select(func.count()).select_from(interactions))
        if count != rows or stored != rows:
            raise RuntimeError(f"expected {rows:,} interactions, found {count:,}")
        return {
            "rows": float(count),
            "generate_seconds": generate_seconds,
            "load_seconds": load_seconds,
            "refresh_seconds": refresh_seconds,
            "incremental_seconds": incremental_seconds,
            "intervals": float(intervals),
        }
    finally:
        engine.dispose()


def _service_level_calls(engine: Engine, now: datetime, tz: str, today: date) -> list[Call]:
    start, end = day_bounds(today - timedelta(days=6), tz)[0], day_bounds(today, tz)[1]
    month_start = day_bounds(today - timedelta(days=29), tz)[0]
    page = "Service level"
    report = dict(engine=engine, start=start, end=end, tz=tz, now=now)  # noqa: C408
    detail_id: list[int] = []

    def breaches() -> pd.DataFrame:
        frame = breach_queries.breaches(engine=engine, start=start, end=end, tz=tz, now=now)
        detail_id[:] = frame["id"].head(1).tolist()
        return frame

    def detail() -> Any:
        return breach_queries.interaction_detail(
            engine=engine, interaction_id=detail_id[0] if detail_id else 1, tz=tz
        )

    return [
        Call(page, "channel policies", lambda: sl_queries.channel_policies(engine=engine, at=now)),
        Call(
            page,
            "report: 7 days, per day, by channel (default)",
            lambda: sl_queries.service_level_report(
                **report, granularity="day", group_by="channel"
            ),
        ),
        Call(page, "breaches list: 7 days", breaches),
        Call(page, "interaction drill-down", detail),
        Call(
            page,
            "report: 7 days, per 15 min, by queue",
            lambda: sl_queries.service_level_report(
                **report, granularity="interval", group_by="queue"
            ),
        ),
        Call(
            page,
            "report: 7 days, per hour, by agent (raw)",
            lambda: sl_queries.service_level_report(**report, granularity="hour", group_by="agent"),
        ),
        Call(
            page,
            "report: 7 days, business-hours FRT",
            lambda: sl_queries.service_level_report(
                **report, granularity="day", group_by="channel", business_hours=True
            ),
        ),
        Call(
            page,
            "report: 30 days, per week, by channel",
            lambda: sl_queries.service_level_report(
                **{**report, "start": month_start}, granularity="week", group_by="channel"
            ),
        ),
        Call(
            page,
            "breaches list: 30 days",
            lambda: breach_queries.breaches(
                engine=engine, start=month_start, end=end, tz=tz, now=now
            ),
        ),
    ]


def _channels_calls(engine: Engine, now: datetime, tz: str, today: date) -> list[Call]:
    page = "Channels"
    week_start, week_end = week_bounds(today, tz)
    day_start, day_end = day_bounds(today, tz)
    return [
        Call(
            page,
            "offered today (tiles)",
            lambda: volume.offered_by_channel(engine=engine, start=day_start, end=day_end),
        ),
        Call(
            page,
            "offered this week (tiles)",
            lambda: volume.offered_by_channel(engine=engine, start=week_start, end=week_end),
        ),
        Call(
            page,
            "channel mix: this week per day",
            lambda: channel_queries.channel_mix(
                engine=engine, start=week_start, end=week_end, tz=tz, granularity="day"
            ),
        ),
        Call(
            page,
            "channel mix: 12 weeks per week",
            lambda: channel_queries.channel_mix(
                engine=engine,
                start=week_start - timedelta(weeks=11),
                end=week_end,
                tz=tz,
                granularity="week",
            ),
        ),
        Call(
            page,
            "channels side by side: this week",
            lambda: channel_queries.channel_comparison(
                engine=engine, start=week_start, end=week_end, tz=tz, now=now
            ),
        ),
    ]


def floor_calls(engine: Engine, now: datetime, tz: str, today: date) -> list[Call]:
    """The Floor page's queries, when queries/floor.py exists (another engineer's module)."""
    try:
        from queries import floor
    except ImportError:
        return []
    page = "Floor"
    start, end = day_bounds(today, tz)
    same_day_before = [
        day_bounds(today - timedelta(weeks=w), tz) for w in range(1, 5)
    ]  # the expected-volume curve's reference days
    hour = timedelta(hours=1)
    windows = [(now - (n + 1) * hour, now - n * hour) for n in range(24)]
    calls = [
        ("channel catalogue", lambda: floor.channel_catalogue(engine=engine)),
        (
            "today's service level",
            lambda: floor.todays_service_level(engine=engine, start=start, end=end, tz=tz, now=now),
        ),
        (
            "today's intervals",
            lambda: floor.offered_per_interval(engine=engine, ranges=[(start, end)]),
        ),
        (
            "reference intervals (4 weeks)",
            lambda: floor.offered_per_interval(engine=engine, ranges=same_day_before),
        ),
        (
            "handle time by channel",
            lambda: floor.handle_time_by_channel(engine=engine, start=start, end=end),
        ),
        ("channel policies", lambda: floor.channel_policies(engine=engine, at=now)),
        ("open unanswered", lambda: floor.open_unanswered(engine=engine, now=now)),
        ("negative public posts", lambda: floor.negative_public_posts(engine=engine, now=now)),
        ("agent states", lambda: floor.latest_agent_states(engine=engine, now=now)),
        (
            "topic counts (24 hourly windows)",
            lambda: floor.topic_counts_in_windows(engine=engine, windows=windows),
        ),
    ]
    return [Call(page, name, run) for name, run in calls]


def result_size(result: Any) -> str:
    if isinstance(result, pd.DataFrame):
        return f"{len(result):,} rows"
    if isinstance(result, sl_queries.ServiceLevelReport):
        return f"{len(result.series):,} points"
    return "1 record" if result is not None else "-"


def time_calls(calls: list[Call], runs: int) -> list[dict[str, Any]]:
    """Each call `runs` times: median and slowest seconds, and what it returned."""
    results = []
    for call in calls:
        seconds = []
        returned: Any = None
        error = ""
        for _ in range(runs):
            started = time.perf_counter()
            try:
                returned = call.run()
            except Exception as exc:  # noqa: BLE001 - a broken call is reported, not fatal
                error = f"{type(exc).__name__}: {exc}"[:80]
                break
            seconds.append(time.perf_counter() - started)
        results.append(
            {
                "page": call.page,
                "call": call.name,
                "median_s": statistics.median(seconds) if seconds else float("nan"),
                "max_s": max(seconds) if seconds else float("nan"),
                "returned": error or result_size(returned),
            }
        )
    return results


def run_backend(url: str, rows: int, runs: int) -> tuple[dict[str, float], list[dict]]:
    """Build the database at `url` and time every page call on it."""
    build = build_database(url, rows)
    engine = make_engine(url)
    try:
        tz = get_settings().timezone
        now = utc_now()
        today = local_today(now, tz)
        calls = (
            _service_level_calls(engine, now, tz, today)
            + _channels_calls(engine, now, tz, today)
            + floor_calls(engine, now, tz, today)
        )
        return build, time_calls(calls, runs)
    finally:
        engine.dispose()


def print_report(backend: str, build: dict[str, float], timings: list[dict]) -> None:
    print(
        f"\n== {backend}: {int(build['rows']):,} interactions  "
        f"(load {build['load_seconds']:.1f} s; rollup full refresh "
        f"{build['refresh_seconds']:.1f} s for {int(build['intervals']):,} interval rows; "
        "incremental, nothing changed "
        f"{build['incremental_seconds'] * 1000:.0f} ms)",
        flush=True,
    )
    print(f"{'page':<14} {'call':<46} {'median':>9} {'slowest':>9}  returned")
    for row in timings:
        flag = "  << over 1 s" if row["median_s"] > 1.0 else ""
        print(
            f"{row['page']:<14} {row['call']:<46} {row['median_s'] * 1000:>7.0f} ms "
            f"{row['max_s'] * 1000:>6.0f} ms  {row['returned']}{flag}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_timings", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="interactions to store")
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both", help="database"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per call (median reported)")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL, help="server to create on")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        database = (
            sqlite_database() if backend == "sqlite" else postgresql_database(args.pg_admin_url)
        )
        with database as url:
            build, timings = run_backend(url, args.rows, args.runs)
        print_report(backend, build, timings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
