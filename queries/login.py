"""The login decision: lockout first, then the bcrypt check, then the stored counters and audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from queries import users as users_q

GENERIC_FAILURE = "Username or password is incorrect."


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to, and the message the user is shown."""

    ok: bool
    username: str
    message: str


def _locked_message(until: datetime) -> str:
    return (
        f"This account is locked after too many failed attempts until {until:%H:%M} UTC. "
        "Try again then, or ask an admin to reset your password."
    )


def attempt_login(
    *,
    engine: Engine,
    username: str,
    password: str,
    now: datetime,
    max_failed: int,
    lockout_minutes: int,
) -> LoginOutcome:
    """Check one login attempt and record it (failures count towards a stored lockout)."""
    username = (username or "").strip().lower()
    if not username or not password:
        return LoginOutcome(False, username, "Enter your username and password.")
    locked_until = users_q.check_lockout(engine=engine, username=username, now=now)
    if locked_until is not None:
        return LoginOutcome(False, username, _locked_message(locked_until))
    if users_q.verify_password(engine=engine, username=username, password=password):
        users_q.record_login_success(engine=engine, username=username, now=now)
        return LoginOutcome(True, username, "")
    locked_until = users_q.record_login_failure(
        engine=engine,
        username=username,
        now=now,
        max_failed=max_failed,
        lockout_minutes=lockout_minutes,
    )
    if locked_until is not None:
        return LoginOutcome(False, username, _locked_message(locked_until))
    return LoginOutcome(False, username, GENERIC_FAILURE)
