"""Freshness benchmark: how long a contact another system writes takes to reach the Floor.

    python -m bench.freshness [--rows 100000] [--seconds 120] [--backend sqlite|postgresql|both]

A fresh database gets `rows` demo interactions and a built rollup. Then, for `seconds`:
- the refresher process runs (`cli.py refresh-rollups --follow`, every `refresh_seconds`);
- an "external system" inserts one open chat contact by plain SQL every 0.5-1.5 s (no refresh);
- a viewer makes the Floor's data calls every `refresh_seconds`, at a random phase, as the
  Floor's refresh tick does (`as_of` = the time of the read): today's service level per channel
  (the tiles), offered per interval (the chart) and the open backlog.
For every inserted contact it prints how long after its commit the first data call that counted
it finished (p50 / p95 / max), per figure, and, for comparison, when a read of the rollup
alone (what the chart read before) first counted it. 'seen': contacts counted before the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, bindparam, func, select, text

from analytics.periods import day_bounds, local_today
from bench.bulk_load import PG_ADMIN_URL, postgresql_database, sqlite_database
from bench.page_timings import build_database
from db.engine import make_engine
from db.schema import interval_stats
from db.settings import PROJECT_ROOT, get_settings
from queries import floor

EXTERNAL_INSERT = text(
    "INSERT INTO interactions (source, external_id, channel_id, direction, is_public, queue, "
    "priority, created_at, status, updated_at) VALUES ('bench-crm', :external_id, 'chat', "
    "'inbound', false, 'general', 'normal', :at, 'open', :at)"
).bindparams(bindparam("at", type_=DateTime))


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _figures(engine: Engine, now: datetime, tz: str) -> dict[str, int]:
    """The Floor's arrival counts at `now`, read as the Floor reads them."""
    start, end = day_bounds(local_today(now, tz), tz)
    levels = floor.todays_service_level(engine=engine, start=start, end=end, tz=tz, now=now)
    intervals = floor.offered_per_interval(engine=engine, ranges=[(start, end)])
    backlog = floor.open_unanswered(engine=engine, now=now)
    with engine.connect() as conn:
        rolled = conn.scalar(
            select(func.coalesce(func.sum(interval_stats.c.offered), 0)).where(
                interval_stats.c.interval_start >= start, interval_stats.c.interval_start < end
            )
        )
    return {
        "tiles: offered today": int(levels["offered"].sum()),
        "chart: offered per interval": int(intervals["offered"].sum()),
        "backlog: open unanswered": len(backlog),
        "(rollup only, no raw rows)": int(rolled),
    }


def run_backend(url: str, rows: int, seconds: float, refresh_seconds: int) -> dict[str, list]:
    """Latencies (seconds) per figure for every contact inserted during the run."""
    build_database(url, rows)
    engine = make_engine(url)
    tz = get_settings().timezone
    env = {**os.environ, "FLOORLIGHT_DB_URL": url}
    refresher = subprocess.Popen(
        [sys.executable, "cli.py", "refresh-rollups", "--follow", "--every", str(refresh_seconds)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    committed: list[float] = []  # perf_counter at each probe's commit, in order
    stop = threading.Event()

    def external_writer() -> None:
        n = 0
        while not stop.wait(random.uniform(0.5, 1.5)):
            with engine.begin() as conn:
                conn.execute(EXTERNAL_INSERT, {"external_id": f"probe-{n}", "at": _utc_now()})
            committed.append(time.perf_counter())
            n += 1

    try:
        time.sleep(2)  # the refresher's first round
        baseline = _figures(engine, _utc_now(), tz)
        reads: list[tuple[float, dict[str, int]]] = []  # (finished, probes counted per figure)
        writer = threading.Thread(target=external_writer)
        writer.start()
        time.sleep(random.uniform(0, refresh_seconds))  # the viewer's phase
        ends = time.perf_counter() + seconds
        while time.perf_counter() < ends:
            tick = time.perf_counter()
            figures = _figures(engine, _utc_now(), tz)
            seen = {name: figures[name] - baseline[name] for name in figures}
            reads.append((time.perf_counter(), seen))
            time.sleep(max(0.0, refresh_seconds - (time.perf_counter() - tick)))
        stop.set()
        writer.join()
    finally:
        refresher.terminate()
        refresher.wait(timeout=60)
        engine.dispose()
    latencies: dict[str, list] = {name: [] for name in baseline}
    for k, at in enumerate(committed):
        for name in latencies:
            shown = next((done for done, seen in reads if seen[name] > k), None)
            if shown is not None:
                latencies[name].append(shown - at)
    latencies["contacts inserted"] = [len(committed)]
    return latencies


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0


def print_report(backend: str, refresh_seconds: int, latencies: dict[str, list]) -> None:
    inserted = latencies.pop("contacts inserted")[0]
    print(
        f"\n{backend}: {inserted} contacts inserted by plain SQL; Floor refresh "
        f"{refresh_seconds} s; goal p95 <= {refresh_seconds + 2} s"
    )
    print(f"  {'figure':<32} {'seen':>5} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for name, values in latencies.items():
        if not values:
            print(f"  {name:<32} {0:>5} {'-':>7} {'-':>7} {'-':>7}")
            continue
        print(
            f"  {name:<32} {len(values):>5} {statistics.median(values):>7.1f} "
            f"{_percentile(values, 95):>7.1f} {max(values):>7.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.freshness", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="history to store first")
    parser.add_argument("--seconds", type=float, default=120.0, help="how long to watch")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL, help="server to create on")
    args = parser.parse_args(argv)
    refresh_seconds = get_settings().refresh_seconds
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        database = (
            sqlite_database() if backend == "sqlite" else postgresql_database(args.pg_admin_url)
        )
        with database as url:
            latencies = run_backend(url, args.rows, args.seconds, refresh_seconds)
        print_report(backend, refresh_seconds, latencies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
