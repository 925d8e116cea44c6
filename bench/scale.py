"""Page data at scale: p50/p95 of every page's data call on 10M interactions (PostgreSQL) and
1M (SQLite), and how much faster than reading the period's rows into pandas.

    python -m bench.scale [--backend postgresql|sqlite|both] [--runs 7] [--no-build]
                          [--naive-runs 5]

Wall p50/p95 and the median CPU time of this process (on SQLite that is all the work; on
PostgreSQL the client's share) are printed with the load average, because on a shared
machine waiting for a core can dominate the wall time.

The databases are built once by `bench.scale_build` and reused (`make bench-scale`). Each call
is the query function a page's cached reader calls, uncached: what a viewer waits for with the
Streamlit cache cold. Every page is timed for its default filters and for a 90-day range.
"naive vs ours": the Service level report for 7 and 30 days computed by the rows route (every
contact of the period read into pandas and classified there) against the normal route,
measured alternately in one run; the ratio of the medians is printed. On PostgreSQL the
slowest SQL statement of the slowest call is shown with EXPLAIN (ANALYZE, BUFFERS).
`--no-build` times whatever the database holds (e.g. with an older checkout, for a before).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, event

from analytics.periods import day_bounds, local_today, week_bounds
from bench.page_timings import Call, floor_calls, result_size
from bench.scale_build import ensure_database, pg_url, sqlite_url
from db.engine import make_engine
from db.settings import get_settings
from ingest.demo import utc_now
from queries import breaches as breach_queries
from queries import channels as channel_queries
from queries import service_level as sl_queries
from queries import topic_trends, volume
from queries import weekly as weekly_queries

ROWS = {"postgresql": 10_000_000, "sqlite": 1_000_000}
BUDGET_MS = {"postgresql": 150.0, "sqlite": 300.0}


def _sl_calls(engine: Engine, now: datetime, tz: str, today: date) -> list[Call]:
    end = day_bounds(today, tz)[1]
    week = day_bounds(today - timedelta(days=6), tz)[0]
    quarter = day_bounds(today - timedelta(days=89), tz)[0]
    page = "Service level"

    def report(start: datetime, **extra: Any) -> Callable[[], Any]:
        return lambda: sl_queries.service_level_report(
            engine=engine, start=start, end=end, tz=tz, now=now, **extra
        )

    def listed(start: datetime) -> Callable[[], Any]:
        # What the page draws: one page of the list and its total (the whole list is read
        # only when "Download CSV" is clicked).
        return lambda: breach_queries.breach_page(
            engine=engine, start=start, end=end, tz=tz, now=now
        ).rows

    return [
        Call(
            page,
            "7 d per day by channel (default)",
            report(week, granularity="day", group_by="channel"),
        ),
        Call(page, "breaches 7 d, first page (default)", listed(week)),
        Call(
            page, "7 d per 15 min by queue", report(week, granularity="interval", group_by="queue")
        ),
        Call(page, "7 d per hour by agent", report(week, granularity="hour", group_by="agent")),
        Call(
            page,
            "7 d business-hours FRT",
            report(week, granularity="day", group_by="channel", business_hours=True),
        ),
        Call(
            page,
            "90 d per week by channel",
            report(quarter, granularity="week", group_by="channel"),
        ),
        Call(page, "breaches 90 d, first page", listed(quarter)),
    ]


def _channel_calls(engine: Engine, now: datetime, tz: str, today: date) -> list[Call]:
    page = "Channels"
    week_start, week_end = week_bounds(today, tz)
    quarter = day_bounds(today - timedelta(days=89), tz)[0]
    end = day_bounds(today, tz)[1]
    return [
        Call(
            page,
            "offered this week (default)",
            lambda: volume.offered_by_channel(engine=engine, start=week_start, end=week_end),
        ),
        Call(
            page,
            "mix this week per day (default)",
            lambda: channel_queries.channel_mix(
                engine=engine, start=week_start, end=week_end, tz=tz, granularity="day"
            ),
        ),
        Call(
            page,
            "side by side this week (default)",
            lambda: channel_queries.channel_comparison(
                engine=engine, start=week_start, end=week_end, tz=tz, now=now
            ),
        ),
        Call(
            page,
            "mix 90 d per week",
            lambda: channel_queries.channel_mix(
                engine=engine, start=quarter, end=end, tz=tz, granularity="week"
            ),
        ),
        Call(
            page,
            "side by side 90 d",
            lambda: channel_queries.channel_comparison(
                engine=engine, start=quarter, end=end, tz=tz, now=now
            ),
        ),
    ]


def _topic_and_weekly_calls(engine: Engine, now: datetime, tz: str, today: date) -> list[Call]:
    settings = get_settings()
    this_week = today - timedelta(days=today.weekday())
    load_from = this_week - timedelta(
        weeks=settings.topic_weeks - 1 + settings.spike_baseline_weeks
    )
    quarter = day_bounds(today - timedelta(days=89), tz)[0]
    mondays = tuple(
        this_week - timedelta(weeks=w) for w in range(settings.weekly_weeks - 1, -1, -1)
    )
    return [
        Call(
            "Topics",
            "daily topic counts (default)",
            lambda: topic_trends.daily_topic_counts(
                engine=engine, start=day_bounds(load_from, tz)[0], end=now, tz=tz
            ),
        ),
        Call(
            "Topics",
            "daily topic counts 90 d",
            lambda: topic_trends.daily_topic_counts(engine=engine, start=quarter, end=now, tz=tz),
        ),
        Call(
            "Weekly trends",
            f"{len(mondays)} weeks (default)",
            lambda: weekly_queries.weekly_figures(engine=engine, tz=tz, mondays=mondays, now=now),
        ),
    ]


def _percentile_ms(seconds: list[float], q: float) -> float:
    return float(np.percentile(seconds, q)) * 1000 if seconds else float("nan")


def time_calls(calls: list[Call], runs: int) -> list[dict[str, Any]]:
    """Each call `runs` times (one untimed warm-up of the database's own caches first)."""
    results = []
    for call in calls:
        seconds: list[float] = []
        cpu: list[float] = []
        returned: Any = None
        error = ""
        try:
            returned = call.run()
            for _ in range(runs):
                started, cpu_started = time.perf_counter(), time.process_time()
                call.run()
                seconds.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
        except Exception as exc:  # noqa: BLE001 - a broken call is reported, not fatal
            error = f"{type(exc).__name__}: {exc}"[:90]
        results.append(
            {
                "call": call,
                "p50": _percentile_ms(seconds, 50),
                "p95": _percentile_ms(seconds, 95),
                "cpu": _percentile_ms(cpu, 50),
                "returned": error or result_size(returned),
            }
        )
    return results


def naive_vs_ours(engine: Engine, now: datetime, tz: str, today: date, runs: int) -> None:
    """The rows route (pandas) against the normal route, alternately, for 7 and 30 days."""
    end = day_bounds(today, tz)[1]
    print("\nnaive (rows read into pandas) vs ours, Service level report per day by channel")
    for days in (7, 30):
        start = day_bounds(today - timedelta(days=days - 1), tz)[0]
        args = dict(  # noqa: C408
            engine=engine,
            start=start,
            end=end,
            tz=tz,
            now=now,
            granularity="day",
            group_by="channel",
        )
        wall: dict[str, list[float]] = {"rows": [], "auto": []}
        cpu: dict[str, list[float]] = {"rows": [], "auto": []}
        for _ in range(runs):
            for source in ("rows", "auto"):
                started, cpu_started = time.perf_counter(), time.process_time()
                report = sl_queries.service_level_report(**args, source=source)
                wall[source].append(time.perf_counter() - started)
                cpu[source].append(time.process_time() - cpu_started)
        figures = report.overall
        naive, ours = statistics.median(wall["rows"]), statistics.median(wall["auto"])
        naive_cpu, ours_cpu = statistics.median(cpu["rows"]), statistics.median(cpu["auto"])
        print(
            f"  {days:>2} days: wall naive {naive * 1000:6.0f} ms, ours {ours * 1000:5.0f} ms: "
            f"{naive / ours:5.1f}x | cpu naive {naive_cpu * 1000:6.0f} ms, ours "
            f"{ours_cpu * 1000:5.0f} ms: {naive_cpu / ours_cpu:5.1f}x   "
            f"({figures['offered']:,} offered)",
            flush=True,
        )


def explain_slowest(engine: Engine, call: Call) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest SQL statement `call` runs (PostgreSQL)."""
    seen: list[tuple[float, str, Any]] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        started = conn.info["bench_started"].pop()
        seen.append((time.perf_counter() - started, statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        call.run()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    if not seen:
        return
    seconds, statement, parameters = max(seen, key=lambda s: s[0])
    print(f"\nslowest statement of '{call.page}: {call.name}' ({seconds * 1000:.0f} ms):")
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            # The statement and its parameters exactly as the call sent them.
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            for (line,) in cursor.fetchall():
                print("   " + line)
        finally:
            cursor.close()


def run_backend(
    backend: str, runs: int, naive_runs: int, build: bool, url: str | None = None
) -> None:
    if url is None:
        url = (
            ensure_database(backend, ROWS[backend])
            if build
            else (pg_url() if backend == "postgresql" else sqlite_url())
        )
    engine = make_engine(url)
    try:
        tz = get_settings().timezone
        now = utc_now()
        today = local_today(now, tz)
        calls = (
            floor_calls(engine, now, tz, today)
            + _sl_calls(engine, now, tz, today)
            + _channel_calls(engine, now, tz, today)
            + _topic_and_weekly_calls(engine, now, tz, today)
        )
        if backend == "sqlite":
            naive_vs_ours(engine, now, tz, today, naive_runs)
        budget = BUDGET_MS[backend]
        print(f"\n== {backend}, {ROWS[backend]:,} interactions, {runs} runs a call, cache cold")
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        print(f"(load average {load} on {os.cpu_count()} cores: wall times include waiting)")
        print(f"{'page':<14} {'call':<38} {'p50':>8} {'p95':>8} {'cpu p50':>8}  returned")
        results = []
        for call in calls:  # printed as each is done: a slow machine still shows progress
            row = time_calls([call], runs)[0]
            results.append(row)
            flag = f"  << over {budget:.0f} ms" if row["p95"] > budget else ""
            print(
                f"{call.page:<14} {call.name:<38} {row['p50']:>6.0f}ms {row['p95']:>6.0f}ms "
                f"{row['cpu']:>6.0f}ms  {row['returned']}{flag}",
                flush=True,
            )
        if backend == "postgresql":
            slowest = max((r for r in results if not np.isnan(r["p50"])), key=lambda r: r["p50"])
            explain_slowest(engine, slowest["call"])
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per call")
    parser.add_argument("--naive-runs", type=int, default=5, help="alternating runs, each way")
    parser.add_argument("--no-build", action="store_true", help="time the database as it is")
    parser.add_argument("--url", help="time this database instead (no build)")
    args = parser.parse_args(argv)
    if args.url:
        backend = "postgresql" if args.url.startswith("postgresql") else "sqlite"
        run_backend(backend, args.runs, args.naive_runs, build=False, url=args.url)
        return 0
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    for backend in backends:
        run_backend(backend, args.runs, args.naive_runs, build=not args.no_build)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
