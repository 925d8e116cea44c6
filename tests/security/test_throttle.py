"""Logins that tell nothing and cannot be tried for ever (issue 9, item 11)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from db.engine import make_engine
from queries import login as login_q
from queries import users as users_q
from queries.login import MISSING_FIELDS, failure_message
from tests.security.conftest import BOB_PASSWORD as PASSWORD

NOW = datetime(2026, 11, 30, 12, 0, 0)
REFUSED = failure_message(15)


@pytest.fixture
def bcrypt_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The usernames whose password was actually checked, in order."""
    checked: list[str] = []
    real = users_q.verify_password

    def counting(**kwargs) -> bool:
        checked.append(kwargs["username"])
        return real(**kwargs)

    monkeypatch.setattr(users_q, "verify_password", counting)
    return checked


def _login(engine: Engine, username: str, password: str, *, client="198.51.100.1", now=NOW):
    return login_q.attempt_login(
        engine=engine,
        username=username,
        password=password,
        client=client,
        now=now,
        max_failed=5,
        lockout_minutes=15,
        max_failed_per_client=20,
    )


def test_unknown_name_wrong_password_and_locked_account_get_the_same_message(engine, bob):
    unknown = _login(engine, "nobody", PASSWORD).message
    wrong = _login(engine, "bob", "wrong password", client="198.51.100.2").message
    for _ in range(5):
        _login(engine, "bob", "wrong password", client="198.51.100.3")
    locked = _login(engine, "bob", PASSWORD, client="198.51.100.4")  # right password, locked
    assert not locked.ok
    assert unknown == wrong == locked.message == REFUSED
    assert _login(engine, "bob", "").message == MISSING_FIELDS


def test_an_unknown_name_and_a_real_one_are_answered_alike_attempt_by_attempt(engine, bob):
    # Each from its own client; attempt n of each gets the same answer.
    answers = {
        name: [_login(engine, name, "wrong password", client=name).message for _ in range(8)]
        for name in ("bob", "nobody")
    }
    assert answers["bob"] == answers["nobody"] == [REFUSED] * 8


def test_unknown_usernames_are_throttled_after_the_maximum(engine, bcrypt_checks):
    for _ in range(25):
        assert _login(engine, "ghost", "guess").message == REFUSED
    # Only the first five attempts were worth a password check; the rest were turned away.
    assert bcrypt_checks == ["ghost"] * 5


def test_one_client_trying_many_names_is_throttled(engine, bob, bcrypt_checks):
    for index in range(20):
        _login(engine, f"name{index}", "guess", client="203.0.113.66")
    assert len(bcrypt_checks) == 20
    # Its next attempt, even with a real account's right password, is refused unchecked...
    assert _login(engine, "bob", PASSWORD, client="203.0.113.66").message == REFUSED
    assert len(bcrypt_checks) == 20
    # ...while the same account from another client logs in.
    assert _login(engine, "bob", PASSWORD, client="198.51.100.9").ok


def test_the_throttle_survives_a_restart_and_ends_with_its_window(db_url, bcrypt_checks):
    engine = make_engine(db_url)
    for _ in range(5):
        _login(engine, "ghost", "guess")
    engine.dispose()  # the server restarts
    restarted = make_engine(db_url)
    _login(restarted, "ghost", "guess", now=NOW + timedelta(minutes=14))
    assert len(bcrypt_checks) == 5
    _login(restarted, "ghost", "guess", now=NOW + timedelta(minutes=15))
    assert len(bcrypt_checks) == 6  # a new window: checked again
    restarted.dispose()


def test_a_successful_login_clears_the_usernames_failures(engine, bob):
    for _ in range(4):
        _login(engine, "bob", "wrong password")
    assert _login(engine, "bob", PASSWORD).ok
    for _ in range(4):  # four more failures do not reach the limit of five
        _login(engine, "bob", "wrong password")
    assert _login(engine, "bob", PASSWORD).ok
