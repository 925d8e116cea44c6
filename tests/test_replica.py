"""Pages read a PostgreSQL hot standby; a user's own save is read back at once; lag only delays.

The standby tests need a primary and its streaming hot standby of their own, not the shared test
server: `.ci/replica.sh start` makes them (a throwaway primary on 127.0.0.1:5434, its
pg_basebackup standby on 5433; URLs in FLOORLIGHT_TEST_REPLICA_PRIMARY / _STANDBY), and the tests
create their databases on that primary, which replicates them. `make test` starts the pair, sets
FLOORLIGHT_REQUIRE_REPLICA=1 so that a pair that could not start fails these tests with the
script's message, and stops it afterwards; plain pytest without it skips them, saying how to start
it. The router's fallback tests need no standby and run on the shared test server anyway.
Lag is made real, not mocked: replay is paused on the standby (pg_wal_replay_pause), rows are
committed on the primary, and replay resumed.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.exc import OperationalError

from db.engine import make_engine
from db.replica import ReadRouter, lsn_value
from db.schema import customers
from db.settings import get_settings
from tests.conftest import _migrate_and_seed

PRIMARY_ADMIN_URL = os.environ.get(
    "FLOORLIGHT_TEST_REPLICA_PRIMARY", "postgresql+psycopg2://postgres@127.0.0.1:5434/postgres"
)
STANDBY_ADMIN_URL = os.environ.get(
    "FLOORLIGHT_TEST_REPLICA_STANDBY", "postgresql+psycopg2://postgres@127.0.0.1:5433/postgres"
)
# Long enough for a loaded CI machine to replay a few commits; the tests poll, never sleep this.
CATCH_UP_SECONDS = 30


def _on(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _standby_admin() -> Engine:
    return create_engine(STANDBY_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _answers(url: str, recovering: bool) -> bool:
    """True when `url` accepts connections and is (or is not) a standby in recovery."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one()) is recovering
    except OperationalError:
        return False
    finally:
        engine.dispose()


def missing_pair_reason() -> str | None:
    """Why the standby tests cannot run, or None when the primary and its standby answer."""
    if _answers(PRIMARY_ADMIN_URL, False) and _answers(STANDBY_ADMIN_URL, True):
        return None
    reason = (
        "no primary and hot standby for the replica tests at "
        f"{PRIMARY_ADMIN_URL.rsplit('@', 1)[-1]} and {STANDBY_ADMIN_URL.rsplit('@', 1)[-1]}: "
        "start them with `.ci/replica.sh start` (`make test` does)"
    )
    start_log = os.environ.get("FLOORLIGHT_REPLICA_START_LOG")
    if start_log and Path(start_log).is_file():
        reason += "; `.ci/replica.sh start` said:\n" + Path(start_log).read_text()
    return reason


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {CATCH_UP_SECONDS} s")
        time.sleep(0.1)


def _standby_has(name: str) -> bool:
    probe = create_engine(_on(STANDBY_ADMIN_URL, name))
    try:
        with probe.connect():
            return True
    except OperationalError:
        return False
    finally:
        probe.dispose()


@pytest.fixture(scope="module")
def replica_template() -> Iterator[str]:
    """A migrated, seeded template database on the replica tests' own primary."""
    reason = missing_pair_reason()
    if reason is not None:
        if os.environ.get("FLOORLIGHT_REQUIRE_REPLICA") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    name = f"floorlight_tmpl_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PRIMARY_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _migrate_and_seed(_on(PRIMARY_ADMIN_URL, name))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def replica_urls(replica_template: str) -> Iterator[tuple[str, str]]:
    """(primary URL, standby URL) of a fresh migrated database, once the standby has it."""
    name = f"floorlight_replica_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PRIMARY_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{replica_template}"'))
    _until(lambda: _standby_has(name), "the standby did not replay CREATE DATABASE")
    try:
        yield _on(PRIMARY_ADMIN_URL, name), _on(STANDBY_ADMIN_URL, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def app_reading_standby(primary: str, standby: str) -> Iterator[None]:
    """The app's settings pointed at `primary` for writes and `standby` for reads."""
    saved = {k: os.environ.get(k) for k in ("FLOORLIGHT_DB_URL", "FLOORLIGHT_DB_READ_URL")}
    os.environ.update({"FLOORLIGHT_DB_URL": primary, "FLOORLIGHT_DB_READ_URL": standby})
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield
    finally:
        from components.db import read_router

        router = read_router()
        router.primary.dispose()
        if router.standby is not None:
            router.standby.dispose()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        st.cache_data.clear()
        st.cache_resource.clear()


@contextmanager
def replay_paused() -> Iterator[None]:
    """Replication lag on demand: the standby receives WAL but applies none of it."""
    admin = _standby_admin()
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
        admin.dispose()


def _in_recovery(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one())


def _add_customer(url: str, name: str) -> None:
    """A row committed on the primary by another process (the simulator, an import)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(customers).values(name=name, created_at=datetime(2026, 11, 30, 9)))
    engine.dispose()


def _customer_count(url: str, name: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(customers.c.id).where(customers.c.name == name)).all()
    engine.dispose()
    return len(found)


def test_page_readers_read_the_standby_and_writes_go_to_the_primary(replica_urls) -> None:
    primary, standby = replica_urls
    with app_reading_standby(primary, standby):
        from components.db import app_engine, read_engine

        assert _in_recovery(read_engine()) is True
        assert _in_recovery(app_engine()) is False


def test_lag_delays_what_a_page_shows_but_never_loses_it(replica_urls) -> None:
    primary, standby = replica_urls
    with app_reading_standby(primary, standby):
        from components import cache_topics

        with replay_paused():
            _add_customer(primary, "Ada Lagged")
            # Committed on the primary, not yet replayed: the page's reader cannot see it yet,
            # which also proves the reader reads the standby.
            assert cache_topics.find_customers("Ada Lagged").empty
            assert _customer_count(primary, "Ada Lagged") == 1
        _until(
            lambda: _customer_count(standby, "Ada Lagged") == 1,
            "the standby did not replay the new customer",
        )
        cache_topics.find_customers.clear()  # what the cache TTL does on its own
        assert cache_topics.find_customers("Ada Lagged")["name"].tolist() == ["Ada Lagged"]


def test_a_form_write_is_read_back_at_once_while_the_standby_lags(replica_urls) -> None:
    primary, standby = replica_urls
    values = {"topic": "billing", "period": "2026-W48", "stakeholders": ["Finance lead"]}
    with app_reading_standby(primary, standby):
        from components import cache_topics
        from components.db import read_engine, read_router
        from components.topic_panels import record_for

        assert cache_topics.informed_log("billing").empty
        with replay_paused():
            record_for("supervisor")(values, "form-key-1")
            # The form's own write shows at once: this process reads the primary until the
            # standby has replayed it.
            log = cache_topics.informed_log("billing")
            assert log[["topic", "period", "stakeholders", "informed_by"]].values.tolist() == [
                ["billing", "2026-W48", "Finance lead", "supervisor"]
            ]
            assert _in_recovery(read_engine()) is False
        # Replayed: reads go back to the standby, and it has the record.
        _until(lambda: read_router().engine() is read_router().standby, "reads stayed pinned")
        cache_topics.informed_log.clear()
        assert cache_topics.informed_log("billing")["stakeholders"].tolist() == ["Finance lead"]


def test_a_read_only_transaction_does_not_pin_reads_to_the_primary(replica_urls) -> None:
    primary, standby = replica_urls
    with app_reading_standby(primary, standby):
        from components.db import app_engine, read_router

        with app_engine().begin() as conn:
            conn.execute(text("SELECT 1"))
        assert read_router().engine() is read_router().standby


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pg_primary(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    from tests.conftest import _fresh_db_url

    for url in _fresh_db_url("postgresql", request, tmp_path):
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_a_replica_outage_falls_back_to_the_primary_and_retries_later(pg_primary) -> None:
    # Nothing listens on port 9: the standby is "down".
    down = make_engine("postgresql+psycopg2://postgres@127.0.0.1:9/floorlight")
    clock = _Clock()
    router = ReadRouter(pg_primary, down, retry_seconds=10, clock=clock)
    assert router.engine() is down  # no probe while all is well: reads cost no extra round trip
    with pytest.raises(OperationalError), router.engine().connect():
        pass
    # What components.db.database_errors does with the failure: the page reruns on the primary.
    assert router.note_failure() is True
    assert router.standby_down
    assert _in_recovery(router.engine()) is False
    clock.now = 9.9
    assert router.engine() is pg_primary
    clock.now = 10.0  # retried after retry_seconds: still down, so still the primary
    assert router.engine() is pg_primary
    # A second failure while already on the primary is the primary's: the page says so.
    assert router.note_failure() is False
    down.dispose()


def test_wal_positions_compare_by_segment_then_offset() -> None:
    assert lsn_value("1/0") > lsn_value("0/FFFFFFFF") > lsn_value("0/10") > lsn_value("0/F")


def test_without_a_standby_every_read_uses_the_primary(pg_primary) -> None:
    router = ReadRouter(pg_primary, None, retry_seconds=10)
    router.note_write("0/10")
    assert router.engine() is pg_primary
    assert router.note_failure() is False


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_page_shows_its_figures_from_the_primary_when_the_replica_is_down(
    db_url, monkeypatch
) -> None:
    from tests.apphelpers import add_role_users, app_environment, logged_in_app, texts

    add_role_users(db_url)
    with app_environment(db_url):
        monkeypatch.setenv(
            "FLOORLIGHT_DB_READ_URL", "postgresql+psycopg2://postgres@127.0.0.1:9/nowhere"
        )
        get_settings.cache_clear()
        st.cache_resource.clear()
        at = logged_in_app("supervisor")
        at.switch_page("pages/channels.py").run()
        assert not at.exception
        assert "database is not reachable" not in texts(at)
        assert at.metric
        from components.db import read_router

        assert read_router().standby_down


def test_without_the_pair_the_reason_says_how_to_start_it_and_what_the_script_said(
    monkeypatch, tmp_path
) -> None:
    start_log = tmp_path / "replica-start.log"
    start_log.write_text("replica.sh: pg_basebackup failed\n")
    monkeypatch.setenv("FLOORLIGHT_REPLICA_START_LOG", str(start_log))
    # Nothing listens on port 9.
    monkeypatch.setattr(
        sys.modules[__name__], "PRIMARY_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:9/x"
    )
    reason = missing_pair_reason()
    assert reason is not None
    assert "127.0.0.1:9/x" in reason
    assert "`.ci/replica.sh start`" in reason
    assert reason.endswith("said:\nreplica.sh: pg_basebackup failed\n")
