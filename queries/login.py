"""The login decision: throttle and lockout first, then the bcrypt check, then the stored counters.

Every refusal gets the same message, whether the username exists, the password was wrong, the
account is locked or the attempt was throttled: the answer never tells which usernames exist.
Failed attempts are counted per typed username (also for names that do not exist, so guessing
them is slowed down like guessing a real one's password) and per client address, in a window of
`lockout_minutes`; the counters are stored, so a restart does not reset them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, case, delete, select

from db.schema import login_throttle
from queries import users as users_q
from queries.writes import as_utc_naive, transaction, upsert

MISSING_FIELDS = "Enter your username and password."


def failure_message(lockout_minutes: int) -> str:
    """The one message every refused login gets (no hint whether the username exists)."""
    return (
        "Login failed: the username or password is wrong, or there were too many attempts. "
        f"After repeated failures wait {lockout_minutes} minutes, or ask an admin."
    )


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to, and the message the user is shown."""

    ok: bool
    username: str
    message: str


@dataclass(frozen=True)
class ThrottleRule:
    """How many failed logins a username and a client may have within `window`."""

    per_username: int
    per_client: int
    window: timedelta


def _limits(username: str, client: str, rule: ThrottleRule) -> dict[str, int]:
    return {f"user:{username}": rule.per_username, f"client:{client}": rule.per_client}


def is_throttled(
    conn: Connection, *, username: str, client: str, now: datetime, rule: ThrottleRule
) -> bool:
    """Whether the username or the client has used up its failed attempts in the current window."""
    limits = _limits(username, client, rule)
    rows = conn.execute(
        select(login_throttle).where(
            login_throttle.c.key.in_(limits),
            login_throttle.c.window_start > as_utc_naive(now) - rule.window,
        )
    ).mappings()
    return any(row["failures"] >= limits[row["key"]] for row in rows)


def count_failure(
    conn: Connection, *, username: str, client: str, now: datetime, rule: ThrottleRule
) -> None:
    """Count one failed login for the username and the client (a new window once one expired).

    One upsert per key: concurrent failures each count, on both databases.
    """
    moment = as_utc_naive(now)
    expired = login_throttle.c.window_start <= moment - rule.window
    for key in _limits(username, client, rule):
        statement = upsert(conn, login_throttle).values(key=key, failures=1, window_start=moment)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "failures": case((expired, 1), else_=login_throttle.c.failures + 1),
                    "window_start": case((expired, moment), else_=login_throttle.c.window_start),
                },
            )
        )


def check_database(*, engine: Engine) -> None:
    """Raise the driver's error when the database cannot be reached (the login form needs it)."""
    with engine.connect() as conn:
        conn.execute(select(1))


def attempt_login(
    *,
    engine: Engine,
    username: str,
    password: str,
    client: str,
    now: datetime,
    max_failed: int,
    lockout_minutes: int,
    max_failed_per_client: int,
) -> LoginOutcome:
    """Check one login attempt from `client` (its address) and record it."""
    username = users_q.normalise_username(username)
    if not username or not password:
        return LoginOutcome(False, username, MISSING_FIELDS)
    refused = LoginOutcome(False, username, failure_message(lockout_minutes))
    rule = ThrottleRule(max_failed, max_failed_per_client, timedelta(minutes=lockout_minutes))
    with transaction(engine) as conn:
        throttled = is_throttled(conn, username=username, client=client, now=now, rule=rule)
    # A throttled or locked attempt is answered without the bcrypt check: the same (fast) answer
    # for a real locked account and for a name that was tried too often.
    if throttled or users_q.check_lockout(engine=engine, username=username, now=now):
        return refused
    if users_q.verify_password(engine=engine, username=username, password=password):
        with transaction(engine) as conn:
            users_q.record_login_success(engine=conn, username=username, now=now)
            conn.execute(delete(login_throttle).where(login_throttle.c.key == f"user:{username}"))
        return LoginOutcome(True, username, "")
    with transaction(engine) as conn:
        locked_until = users_q.record_login_failure(
            engine=conn,
            username=username,
            now=now,
            max_failed=max_failed,
            lockout_minutes=lockout_minutes,
        )
        count_failure(conn, username=username, client=client, now=now, rule=rule)
    if locked_until is not None:
        # Committed now: the login checks of the user's open sessions see the lockout at once.
        users_q.note_users_changed()
    return refused
