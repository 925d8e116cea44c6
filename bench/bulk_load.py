"""Bulk-load benchmark: how fast `ingest.bulk.bulk_insert` stores interactions on each backend.

    python -m bench.bulk_load [--rows 1000000] [--backend sqlite|postgresql|both]

Rows come from the demo generator (so they have the real shape: text bodies, nullable
timestamps, foreign keys), are built in memory first, and only the insert and commit are timed.
Every run uses a fresh database of its own: a temporary SQLite file, or a PostgreSQL database
`floorlight_bench_<random>` created on the server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, create_engine, func, select, text

from db.engine import make_engine
from db.migrate import upgrade_to_head
from db.reference import seed_reference_data
from db.schema import customer_handles, customers, interactions
from db.settings import get_settings
from ingest.bulk import bulk_insert
from ingest.demo import (
    DemoInteractions,
    GenerationContext,
    active_topic_names,
    ensure_demo_agents,
    generate_interactions,
    utc_now,
)

PG_ADMIN_URL = os.environ.get(
    "FLOORLIGHT_BENCH_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
ROWS_PER_DAY_ESTIMATE = 2_000  # the demo's volume; a little headroom is added below


@contextmanager
def sqlite_database() -> Iterator[str]:
    """URL of a fresh SQLite file, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="floorlight_bench_") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgresql_database(admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """URL of a fresh PostgreSQL database of our own, dropped afterwards."""
    name = f"floorlight_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            # The name is generated above, never user input; DDL cannot take bound parameters.
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_size(engine: Engine, url: str) -> int:
    """Bytes the database occupies on disk."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with engine.connect() as conn:
        return int(conn.scalar(select(func.pg_database_size(func.current_database()))))


def demo_context(
    engine: Engine, rows: int, *, headroom: float, extra_days: int
) -> GenerationContext:
    """Seed `engine` (reference data, demo agents) and return a generation context ending now,
    long enough for `rows` interactions at ROWS_PER_DAY_ESTIMATE × `headroom`, + `extra_days`."""
    with engine.begin() as conn:
        seed_reference_data(conn)
        roster = tuple(ensure_demo_agents(conn))
        topic_names = active_topic_names(conn)
    now = utc_now()
    days = math.ceil(rows / ROWS_PER_DAY_ESTIMATE * headroom) + extra_days
    return GenerationContext(
        start=now - timedelta(days=days),
        now=now,
        tz=ZoneInfo(get_settings().timezone),
        topic_names=topic_names,
        agents=roster,
    )


def generate_at_least(ctx: GenerationContext, rows: int, seed: int) -> DemoInteractions:
    """The demo interactions of `ctx`; RuntimeError if there are fewer than `rows`."""
    data = generate_interactions(np.random.default_rng(seed), ctx)
    if len(data) < rows:
        raise RuntimeError(f"generated only {len(data):,} rows; raise ROWS_PER_DAY_ESTIMATE")
    return data


def run_backend(url: str, rows: int, seed: int = 7) -> dict[str, float]:
    """Migrate `url`, generate `rows` interactions, time their bulk insert; returns figures."""
    upgrade_to_head(url)
    engine = make_engine(url)
    try:
        ctx = demo_context(engine, rows, headroom=1.15, extra_days=1)
        started = time.perf_counter()
        data = generate_at_least(ctx, rows, seed)
        batch = list(data.rows(0, rows))
        generate_seconds = time.perf_counter() - started
        with engine.begin() as conn:  # customers the rows refer to; not timed
            bulk_insert(conn, customers, data.customers)
            bulk_insert(conn, customer_handles, data.handles)
        started = time.perf_counter()
        with engine.begin() as conn:
            inserted = bulk_insert(conn, interactions, batch)
        load_seconds = time.perf_counter() - started
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(interactions))
        if stored != inserted:
            raise RuntimeError(f"inserted {inserted:,} rows but {stored:,} are stored")
        return {
            "rows": inserted,
            "generate_seconds": generate_seconds,
            "load_seconds": load_seconds,
            "rows_per_second": inserted / load_seconds,
            "size_bytes": database_size(engine, url),
        }
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bulk_load", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="interactions to load")
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both", help="database"
    )
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL, help="server to create on")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        database = (
            sqlite_database() if backend == "sqlite" else postgresql_database(args.pg_admin_url)
        )
        with database as url:
            figures = run_backend(url, args.rows)
        print(
            f"{backend:<10} {figures['rows']:>10,} rows  load {figures['load_seconds']:7.1f} s  "
            f"{figures['rows_per_second']:>9,.0f} rows/s  "
            f"(generate {figures['generate_seconds']:.1f} s, "
            f"database {figures['size_bytes'] / 1e6:,.0f} MB)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
