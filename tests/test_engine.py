"""The engine's per-connection settings on PostgreSQL: a statement timeout and no JIT."""

from __future__ import annotations

import pytest


def test_postgresql_connections_time_out_and_skip_jit(engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("connection options are PostgreSQL's")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() != "0"
