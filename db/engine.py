"""One SQLAlchemy engine per process for the configured database URL."""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from db.settings import get_settings


def create_private_file(path: Path) -> None:
    """Create `path` (and its folder) readable by its owner only, unless it exists already.

    The SQLite file holds password hashes. Created with mode 0600 from the start rather than
    chmod-ed after, so it is never readable by others, not even briefly; SQLite gives its -wal
    and -shm files the database file's permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str) -> Engine:
    """A new engine for `url`; SQLite gets WAL and foreign keys (the simulator writes alongside)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            create_private_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            # WAL lets the dashboard read while the simulator writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # A statement that runs past the timeout fails (and the page says so) instead of hanging.
    # JIT off: the dashboard's aggregates run once per filter set, so compiling them costs more
    # than it saves (measured: 2.7 s of a 7.0 s Weekly trends statement, and the breach list
    # 1.4x slower with it on).
    timeout_ms = get_settings().statement_timeout_ms
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={
            "options": f"-c statement_timeout={int(timeout_ms)} -c jit=off",
            "connect_timeout": 5,
        },
    )


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the configured database)."""
    return make_engine(url or get_settings().db_url)
