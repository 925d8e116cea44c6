"""Faults while the centre runs: a refresher process that follows writes and stops cleanly, an
import killed mid-file, a refresher killed mid-run, and the database dropping the app's
connections. Each is repaired by running again, with nothing lost and nothing counted twice."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import DateTime, Engine, bindparam, create_engine, func, select, text

from db.rollups import refresh_interval_stats
from db.schema import interactions, interval_stats
from db.settings import PROJECT_ROOT
from tests.apphelpers import add_role_users, app_environment, logged_in_app, texts
from tests.conftest import PG_ADMIN_URL

T0 = datetime(2026, 11, 2, 8, 0, 0)
WAIT_SECONDS = 60  # generous upper bound for a loaded machine; never asserted as a duration


def _cli(db_url: str, *args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "FLOORLIGHT_DB_URL": db_url, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "cli.py"), *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def _rollup(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(select(interval_stats)))


def _offered(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.coalesce(func.sum(interval_stats.c.offered), 0)))


def _external_insert(engine: Engine, first: int, count: int) -> None:
    """Rows written by another system: plain SQL, no refresh (timestamps typed, so SQLite stores
    them in the text form every other writer uses)."""
    statement = text(
        "INSERT INTO interactions (source, external_id, channel_id, direction, is_public, queue, "
        "priority, created_at, status, updated_at) VALUES ('crm', :external_id, 'chat', "
        "'inbound', false, 'general', 'normal', :created_at, 'open', :updated_at)"
    ).bindparams(*[bindparam(name, type_=DateTime) for name in ("created_at", "updated_at")])
    now = datetime.utcnow()  # noqa: DTZ003 - the schema stores naive UTC
    rows = [
        {"external_id": f"crm-{n}", "created_at": T0 + timedelta(minutes=n), "updated_at": now}
        for n in range(first, first + count)
    ]
    with engine.begin() as conn:
        conn.execute(statement, rows)


def _terminate_connections(db_url: str) -> None:
    """What a primary restart does to the app's pooled connections."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": db_url.rsplit("/", 1)[1]},
        )
    admin.dispose()


# -- the refresher process ---------------------------------------------------------------------


def test_the_refresher_follows_other_writers_and_stops_cleanly_on_sigterm(engine, db_url):
    refresher = _cli(db_url, "refresh-rollups", "--follow", "--every", "0.2")
    try:
        _external_insert(engine, 0, 30)
        _wait_for(lambda: _offered(engine) == 30, "the refresher to count 30 contacts")
        if db_url.startswith("postgresql"):
            _terminate_connections(db_url)  # the primary restarts under the refresher
        _external_insert(engine, 30, 20)
        _wait_for(lambda: _offered(engine) == 50, "the refresher to count 20 more")
    finally:
        refresher.send_signal(signal.SIGTERM)
        output, _ = refresher.communicate(timeout=WAIT_SECONDS)
    assert refresher.returncode == 0, output
    assert "Refresher stopped." in output
    assert "Traceback" not in output
    assert _rollup(engine) == _full_rebuild(engine)


def _full_rebuild(engine: Engine) -> list[tuple]:
    refresh_interval_stats(engine, full=True)
    return _rollup(engine)


# Runs a refresh whose process dies after rewriting the intervals, before committing them.
_DIES_MID_REFRESH = """
import sys, time
import db.rollups as rollups
from db.engine import get_engine

def hang(conn, watermark):
    print("rebuilt, not committed", flush=True)
    time.sleep(600)

rollups._set_watermark = hang
rollups.refresh_interval_stats(get_engine())
"""


def test_a_refresher_killed_mid_run_is_repaired_by_the_next_refresh(engine, db_url):
    _external_insert(engine, 0, 40)
    refresh_interval_stats(engine)
    before = _rollup(engine)
    _external_insert(engine, 40, 40)  # the next refresh has intervals to rewrite

    env = {**os.environ, "FLOORLIGHT_DB_URL": db_url, "PYTHONUNBUFFERED": "1"}
    dying = subprocess.Popen(
        [sys.executable, "-c", _DIES_MID_REFRESH],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert dying.stdout.readline().strip() == "rebuilt, not committed"
    finally:
        dying.kill()
        dying.wait(timeout=WAIT_SECONDS)

    assert _rollup(engine) == before  # nothing half-written: the old rollup, whole
    refresh_interval_stats(engine)  # waits for the dead one's lock to go, then repairs
    assert _offered(engine) == 80
    assert _rollup(engine) == _full_rebuild(engine)


# -- the importer ------------------------------------------------------------------------------

IMPORT_ROWS = 40_000


def _write_export(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "channel", "created_at", "first_response_at", "csat"])
        for n in range(IMPORT_ROWS):
            created = T0 + timedelta(seconds=20 * n)
            writer.writerow(
                [
                    f"ext-{n}",
                    ("chat", "phone", "email")[n % 3],
                    f"{created:%Y-%m-%dT%H:%M:%S}Z",
                    f"{created + timedelta(seconds=n % 90):%Y-%m-%dT%H:%M:%S}Z",
                    1 + n % 5,
                ]
            )


def _stored(engine: Engine) -> tuple[int, int, int]:
    """(rows, distinct external ids, sum of csat) of the imported rows."""
    i = interactions.c
    with engine.connect() as conn:
        row = conn.execute(
            select(func.count(), func.count(i.external_id.distinct()), func.sum(i.csat)).where(
                i.source == "export"  # the file name without its extension
            )
        ).one()
    return row[0], row[1], row[2] or 0


def test_an_import_killed_mid_file_completes_on_rerun_without_duplicates(engine, db_url, tmp_path):
    export = tmp_path / "export.csv"
    _write_export(export)
    expected_csat = sum(1 + n % 5 for n in range(IMPORT_ROWS))

    killed = _cli(db_url, "import", str(export))
    try:
        _wait_for(lambda: _stored(engine)[0] > 0, "the first batches to be stored")
    finally:
        killed.kill()
        killed.wait(timeout=WAIT_SECONDS)
    partial = _stored(engine)[0]
    assert 0 < partial < IMPORT_ROWS  # it died mid-file

    rerun = _cli(db_url, "import", str(export))
    output, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, output
    assert f"Loaded {IMPORT_ROWS - partial:,} rows; {partial:,} already present" in output
    assert _stored(engine) == (IMPORT_ROWS, IMPORT_ROWS, expected_csat)
    assert _offered(engine) == IMPORT_ROWS  # the rerun's refresh counted every contact once
    assert _rollup(engine) == _full_rebuild(engine)


# -- the app's connections dropped ---------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_pages_carry_on_when_the_primary_drops_the_apps_connections(db_url):
    add_role_users(db_url)
    with app_environment(db_url):
        at = logged_in_app("supervisor")
        at.switch_page("pages/floor.py").run()
        assert not at.exception
        shown = texts(at)
        assert "Floor (live)" in shown and "not reachable" not in shown

        _terminate_connections(db_url)  # every pooled connection of the app is now dead
        st.cache_data.clear()  # the next refresh has to reach the database
        at.run()  # same app process, no restart
        assert not at.exception
        assert "not reachable" not in texts(at)
        assert "Waiting now, by queue" in texts(at)  # drawn only after the reads succeeded
