"""Fixtures shared by the security tests: cheap bcrypt and one ordinary user."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from queries import users as users_q

BOB_PASSWORD = "long enough password"


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cost 4 instead of 12: the same code path, a thousandth of the time."""
    monkeypatch.setattr(users_q, "BCRYPT_ROUNDS", 4)
    monkeypatch.setattr(users_q, "_dummy_hash", None)


@pytest.fixture
def bob(engine: Engine) -> None:
    """A supervisor "bob" with password BOB_PASSWORD."""
    users_q.create_user(
        engine=engine,
        username="bob",
        display_name="Bob",
        password=BOB_PASSWORD,
        roles=["supervisor"],
        actor="setup",
    )
