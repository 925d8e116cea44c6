"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

Each backend is migrated once per session into a template (a file for SQLite, a template
database for PostgreSQL); every test then gets its own copy, so tests never share state and
never touch the machine's shared databases.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from db.engine import make_engine
from db.migrate import upgrade_to_head
from db.reference import seed_reference_data
from db.settings import get_settings

PG_ADMIN_URL = os.environ.get(
    "FLOORLIGHT_TEST_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _migrate_and_seed(url: str) -> None:
    upgrade_to_head(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_reference_data(conn)
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    name = f"floorlight_tmpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _migrate_and_seed(_pg_url(name))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "floorlight.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"floorlight_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh migrated and seeded database, once per backend."""
    yield from _fresh_db_url(request.param, request, tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """Engine on a fresh database, once per backend."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh migrated SQLite database (for app-level tests that need only one backend)."""
    yield from _fresh_db_url("sqlite", request, tmp_path)


@pytest.fixture(scope="session")
def app_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SQLite template with one user per role (see tests/apphelpers.py)."""
    from tests.apphelpers import add_role_users

    path = tmp_path_factory.mktemp("app_template") / "app.db"
    shutil.copy(sqlite_template, path)
    add_role_users(f"sqlite:///{path}")
    return path


@pytest.fixture
def app_db(app_template: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite database with role users, and the app pointed at it."""
    from tests.apphelpers import app_environment

    path = tmp_path / "app.db"
    shutil.copy(app_template, path)
    url = f"sqlite:///{path}"
    with app_environment(url):
        yield url


@pytest.fixture
def centre_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Set FLOORLIGHT_* settings for one test: centre_settings(TIMEZONE="Asia/Kolkata")."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"FLOORLIGHT_{name}", value)
        get_settings.cache_clear()

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()
