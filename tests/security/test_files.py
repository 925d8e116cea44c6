"""Files holding secrets are private from the moment they exist (issue 9, item 18)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import cli
from db.engine import make_engine
from db.migrate import upgrade_to_head


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask():
    """A umask that would leave new files world-readable (0644)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_demo_logins_file_is_private_before_anything_is_written(tmp_path, monkeypatch):
    target = tmp_path / "data" / "demo-logins.txt"
    seen: list[int] = []
    real_fdopen = os.fdopen

    def watching_fdopen(descriptor, *args, **kwargs):
        seen.append(_mode(target))  # the file exists, nothing is in it yet
        return real_fdopen(descriptor, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", watching_fdopen)
    cli.write_private_text(target, "admin  s3cret\n")
    assert seen == [0o600]
    assert (_mode(target), target.read_text()) == (0o600, "admin  s3cret\n")


def test_demo_logins_file_left_world_readable_is_replaced_by_a_private_one(tmp_path):
    target = tmp_path / "demo-logins.txt"
    target.write_text("old logins\n")
    target.chmod(0o644)
    cli.write_private_text(target, "new logins\n")
    assert (_mode(target), target.read_text()) == (0o600, "new logins\n")


def test_a_new_sqlite_database_file_is_private(tmp_path):
    path = tmp_path / "data" / "floorlight.db"
    upgrade_to_head(f"sqlite:///{path}")  # init-db on a fresh install
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM users")
    assert _mode(path) == 0o600
    # SQLite gives its write-ahead log the database file's mode.
    assert all(_mode(p) == 0o600 for p in tmp_path.glob("data/floorlight.db-*"))
    engine.dispose()
