"""Build (once) the large benchmark databases of `bench.scale`: N demo interactions ending now,
as a centre several times the demo's size, generated and stored chunk by chunk so memory stays
flat however many rows are asked for.

    python -m bench.scale_build [--rows 10000000] [--backend postgresql|sqlite]

PostgreSQL: database `floorlight_bench_10m` (name fixed; reused when a finished build of the same
size is there, rebuilt when a build was interrupted). SQLite: a file under the system temp dir,
reused the same way. Each chunk is `COPIES` independent demo generations of the same
`CHUNK_DAYS` days (seeds differ), so each day carries COPIES × the demo's traffic; chunks go
back from now until N rows are stored (the oldest chunk is cut to fit). Ids, external ids,
conversation and customer ids are offset per generation so nothing collides. Each generation
leaves its newest contacts waiting at its own end, so a few contacts at every chunk boundary
stay open: a small oddity that makes the breach lists a little longer, not shorter.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, create_engine, event, func, select, text

from bench.bulk_load import PG_ADMIN_URL
from db.engine import make_engine
from db.migrate import upgrade_to_head
from db.reference import seed_reference_data
from db.rollups import refresh_interval_stats
from db.schema import customer_handles, customers, interactions, job_state
from db.settings import get_settings
from ingest.bulk import bulk_insert, reset_id_sequence
from ingest.demo import (
    GenerationContext,
    active_topic_names,
    ensure_demo_agents,
    generate_interactions,
    utc_now,
)

PG_DATABASE = "floorlight_bench_10m"
SQLITE_PATH = Path(tempfile.gettempdir()) / "floorlight_bench_1m.db"
# The demo makes ~2,250 rows a day (~1,950 contacts); six of it is ~13,500 rows a day, so
# 10M rows span about two years.
COPIES = 6
CHUNK_DAYS = 30
# job_state row whose presence marks a finished build; `watermark` holds when it finished.
BUILT_MARK = "bench_scale_built"


def pg_url(admin_url: str = PG_ADMIN_URL) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + PG_DATABASE


def sqlite_url() -> str:
    return f"sqlite:///{SQLITE_PATH}"


def _finished_rows(url: str) -> int | None:
    """Rows of a finished build at `url`, or None when there is none."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, "job_state"):
                return None
            mark = conn.scalar(select(job_state.c.name).where(job_state.c.name == BUILT_MARK))
            if mark is None:
                return None
            return int(conn.scalar(select(func.count()).select_from(interactions)) or 0)
    finally:
        engine.dispose()


def _fresh_database(backend: str, admin_url: str) -> str:
    if backend == "sqlite":
        for path in SQLITE_PATH.parent.glob(SQLITE_PATH.name + "*"):
            path.unlink()
        return sqlite_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            # A fixed name of ours; DDL cannot take bound parameters.
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    finally:
        admin.dispose()
    return pg_url(admin_url)


def _exists(backend: str, admin_url: str) -> bool:
    if backend == "sqlite":
        return SQLITE_PATH.exists()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": PG_DATABASE}
            )
        return found is not None
    finally:
        admin.dispose()


def _renamed(rows: Iterator[dict[str, Any]], tag: str) -> Iterator[dict[str, Any]]:
    # Every generation numbers its rows from 0; a tag per generation keeps them unique.
    for row in rows:
        row["external_id"] = tag + row["external_id"]
        row["conversation_id"] = tag + row["conversation_id"]
        yield row


def _load(engine: Engine, rows: int, seed: int, progress: bool) -> int:
    with engine.begin() as conn:
        seed_reference_data(conn)
        roster = tuple(ensure_demo_agents(conn))
        topic_names = active_topic_names(conn)
    tz = ZoneInfo(get_settings().timezone)
    end = utc_now()
    stored = 0
    next_id = next_customer = next_handle = 1
    chunk = 0
    started = time.perf_counter()
    while stored < rows:
        chunk_start = end - timedelta(days=CHUNK_DAYS)
        for copy in range(COPIES):
            if stored >= rows:
                break
            ctx = GenerationContext(
                start=chunk_start,
                now=end,
                tz=tz,
                topic_names=topic_names,
                agents=roster,
                id_base=next_id,
                customer_id_base=next_customer,
                handle_id_base=next_handle,
            )
            data = generate_interactions(np.random.default_rng([seed, chunk, copy]), ctx)
            take = min(len(data), rows - stored)
            tag = f"s{chunk}c{copy}-"
            # Each generation's customers are its own: handles get the tag to stay unique.
            handles = [{**h, "handle": h["handle"] + "~" + tag} for h in data.handles]
            with engine.begin() as conn:
                bulk_insert(conn, customers, data.customers)
                bulk_insert(conn, customer_handles, handles)
                # The newest rows of the chunk when it is cut (the oldest chunk only).
                batch = data.rows(len(data) - take, len(data))
                stored += bulk_insert(conn, interactions, _renamed(batch, tag))
            next_id += len(data)
            next_customer += len(data.customers)
            next_handle += len(data.handles)
        chunk += 1
        end = chunk_start
        if progress:
            rate = stored / (time.perf_counter() - started)
            print(f"  {stored:>12,} rows stored ({rate:,.0f} rows/s)", flush=True)
    with engine.begin() as conn:
        for table in (customers, customer_handles, interactions):
            reset_id_sequence(conn, table)
    return stored


def _no_statement_timeout(engine: Engine) -> Engine:
    """The app's statement timeout (a page fails rather than hangs) would cancel a big COPY
    chunk or the full rollup refresh on a busy machine: the builder's connections have none."""
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _unlimited(dbapi_connection, _record) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
            dbapi_connection.commit()  # else the pool's reset rolls the SET back

    return engine


def ensure_database(
    backend: str, rows: int, *, admin_url: str = PG_ADMIN_URL, seed: int = 7, progress: bool = True
) -> str:
    """URL of a finished build of `rows` interactions, building it when there is none.

    Always upgrades to the newest migration and brings the rollup up to date (a full refresh
    when the build is new, or when `FLOORLIGHT_BENCH_FULL_REFRESH=1`, e.g. after a migration
    added a rollup column)."""
    url = sqlite_url() if backend == "sqlite" else pg_url(admin_url)
    have = _finished_rows(url) if _exists(backend, admin_url) else None
    fresh = have != rows
    if fresh:
        if progress:
            print(f"building {rows:,} interactions on {backend} (once)", flush=True)
        url = _fresh_database(backend, admin_url)
    upgrade_to_head(url)
    engine = _no_statement_timeout(make_engine(url))
    try:
        if fresh:
            _load(engine, rows, seed, progress)
            if backend == "postgresql":
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))
            # Marked before the rollup: a refresh cut short is redone, the load is not.
            with engine.begin() as conn:
                conn.execute(job_state.insert().values(name=BUILT_MARK, watermark=utc_now()))
        full = fresh or os.environ.get("FLOORLIGHT_BENCH_FULL_REFRESH") == "1"
        started = time.perf_counter()
        refresh_interval_stats(engine, full=full)
        if progress:
            kind = "full" if full else "incremental"
            print(f"rollup {kind} refresh {time.perf_counter() - started:.1f} s", flush=True)
        if fresh and backend == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_build", description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000, help="interactions to store")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL, help="server to build on")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    url = ensure_database(args.backend, args.rows, admin_url=args.pg_admin_url)
    print(f"ready in {time.perf_counter() - started:.0f} s: {url}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
