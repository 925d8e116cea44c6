"""Users, roles, passwords and login bookkeeping (failed logins, lockout) — all audited.

Passwords are stored only as bcrypt hashes (cost `BCRYPT_ROUNDS`; tests lower it for speed) and
never leave this module except inside the credentials dict the authenticator needs. Usernames
are stored lower case. Admin edits go through `queries.writes.update_record` with the version
the form showed (optimistic locking); login bookkeeping is not a form edit, so it leaves the
version alone — a failed login while an admin edits that user must not make the admin's form
stale.

All times are naive UTC; aware datetimes passed in are converted.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import bcrypt
import pandas as pd
from sqlalchemy import Connection, Engine, case, or_, select, update

from db.schema import users
from queries.frames import read_frame
from queries.validation import EMAIL_PATTERN
from queries.writes import (
    NotFoundError,
    ValidationError,
    as_utc_naive,
    audit,
    conflict_as,
    insert_record,
    transaction,
    update_record,
    utcnow,
)

ROLES: tuple[str, ...] = ("supervisor", "qa_reviewer", "executive", "admin")
USERNAME_PATTERN = re.compile(r"^[a-z0-9_.-]{3,32}$")
MIN_PASSWORD_LENGTH = 10
# bcrypt reads at most 72 bytes; longer passwords would be silently cut, so they are refused.
MAX_PASSWORD_BYTES = 72
BCRYPT_ROUNDS = 12

# Every column except the hash: what pages may see.
_PUBLIC_COLUMNS = [column for column in users.c if column.key != "password_hash"]
_dummy_hash: bytes | None = None
# A change that must end every session of the user: cookies carry the version they were issued
# with and are refused once it moved on (components/auth.py).
_END_SESSIONS = {"session_version": users.c.session_version + 1}

# How many changes to users this process has committed. The login check that every fragment
# tick makes (components/session_check.py) keeps each user's row for one refresh window and keys
# it on this number, so a change made through this process (Settings, logout, a lockout) is
# seen by the very next check; a change made elsewhere (cli.py, another app server) within one
# refresh window.
_changes = 0
_changes_lock = threading.Lock()


def users_changed() -> int:
    """The number of user changes committed through this process so far."""
    return _changes


def note_users_changed() -> None:
    """Count a committed change to users. Called after the commit: a login check that read the
    row before the commit then cannot keep the old row under the new count."""
    global _changes
    with _changes_lock:
        _changes += 1


def hash_password(password: str) -> str:
    """A bcrypt hash of `password` at the configured cost."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()


def normalise_username(username: str) -> str:
    """Usernames are compared and stored trimmed and lower case."""
    return (username or "").strip().lower()


def parse_roles(roles: str | Iterable[str] | None) -> list[str]:
    """Roles from a comma string or a list, trimmed, lower case, de-duplicated, in ROLES order.

    Raises ValidationError (field "roles") for unknown roles or none at all.
    """
    if roles is None:
        items: list[str] = []
    elif isinstance(roles, str):
        items = roles.split(",")
    else:
        items = [str(role) for role in roles]
    wanted = {item.strip().lower() for item in items if item and item.strip()}
    unknown = sorted(wanted - set(ROLES))
    if unknown:
        raise ValidationError(
            {"roles": f"unknown role(s) {', '.join(unknown)}; choose from {', '.join(ROLES)}"}
        )
    if not wanted:
        raise ValidationError({"roles": "choose at least one role"})
    return [role for role in ROLES if role in wanted]


def _password_error(password: str | None) -> str | None:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return f"must be at most {MAX_PASSWORD_BYTES} bytes"
    return None


def _checked_profile(
    display_name: str, email: str | None, errors: dict[str, str]
) -> tuple[str, str | None]:
    """Display name and e-mail as stored; problems with them are added to `errors`."""
    display = (display_name or "").strip()
    if not display:
        errors["display_name"] = "is required"
    elif len(display) > 200:
        errors["display_name"] = "must be at most 200 characters"
    email_value = (email or "").strip() or None
    if email_value is not None and (len(email_value) > 200 or not EMAIL_PATTERN.match(email_value)):
        errors["email"] = "must look like name@example.com"
    return display, email_value


def _row_for(conn: Connection, username: str, *, for_update: bool = False) -> dict | None:
    statement = select(users).where(users.c.username == normalise_username(username))
    if for_update:
        statement = statement.with_for_update()
    row = conn.execute(statement).mappings().first()
    return dict(row) if row is not None else None


def _require_id(conn: Connection, username: str) -> int:
    row = _row_for(conn, username)
    if row is None:
        raise NotFoundError("users", normalise_username(username))
    return row["id"]


def _enabled_admins(conn: Connection, *, lock: bool = False) -> int:
    """How many enabled users hold the admin role; with `lock`, those rows are locked.

    Locking the admin set (in id order, so two writers never deadlock) before any row is changed
    is what keeps "at least one enabled admin" true under concurrency on PostgreSQL: two admins
    disabling each other under READ COMMITTED would each count the other as still enabled (write
    skew). The second writer now waits, re-reads the set without the first one's admin, and is
    refused. SQLite ignores FOR UPDATE; there the count after the change runs after the write
    lock is taken, so it already sees the other writer's commit.
    """
    statement = select(users.c.id, users.c.roles).where(users.c.disabled.is_(False))
    if lock:
        statement = statement.order_by(users.c.id).with_for_update()
    rows = conn.execute(statement).all()
    return sum("admin" in (row.roles or "").split(",") for row in rows)


def _update_user(
    *,
    engine: Engine | Connection,
    username: str,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: str,
    keeps_an_admin: bool = False,
) -> dict[str, Any]:
    with transaction(engine) as conn:
        admins_before = _enabled_admins(conn, lock=True) if keeps_an_admin else 0
        record_id = _require_id(conn, username)
        updated = update_record(
            engine=conn,
            table=users,
            record_id=record_id,
            expected_version=expected_version,
            changes=changes,
            user=actor,
        )
        # Checked after the change, inside the transaction: the raise rolls it back. Only a
        # change that removes the last admin is refused (a new install may have none yet).
        if keeps_an_admin and admins_before > 0 and _enabled_admins(conn) == 0:
            field = "disabled" if "disabled" in changes else "roles"
            raise ValidationError({field: "at least one enabled admin must remain"})
    note_users_changed()
    return updated


def create_user(
    *,
    engine: Engine | Connection,
    username: str,
    display_name: str,
    password: str,
    roles: str | Iterable[str],
    actor: str,
    email: str | None = None,
) -> dict[str, Any]:
    """Create a user (hash stored, never returned); ValidationError names each bad field."""
    errors: dict[str, str] = {}
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        errors["username"] = "3–32 characters: lower-case letters, digits, _ . -"
    display, email_value = _checked_profile(display_name, email, errors)
    password_problem = _password_error(password)
    if password_problem:
        errors["password"] = password_problem
    try:
        role_list = parse_roles(roles)
    except ValidationError as exc:
        errors.update(exc.field_errors)
        role_list = []

    # Two admins may create the same username at once; then the unique index decides.
    with conflict_as({"username": "is already taken"}), transaction(engine) as conn:
        if "username" not in errors and _row_for(conn, name) is not None:
            errors["username"] = "is already taken"
        if errors:
            raise ValidationError(errors)
        return insert_record(
            engine=conn,
            table=users,
            values={
                "username": name,
                "display_name": display,
                "email": email_value,
                "password_hash": hash_password(password),
                "roles": ",".join(role_list),
                "disabled": False,
                "failed_logins": 0,
                "locked_until": None,
                "created_at": utcnow(),
            },
            user=actor,
        )


def set_roles(
    *,
    engine: Engine | Connection,
    username: str,
    roles: str | Iterable[str],
    expected_version: int,
    actor: str,
) -> dict[str, Any]:
    """Replace a user's roles; the last enabled admin cannot lose the admin role."""
    role_list = parse_roles(roles)
    return _update_user(
        engine=engine,
        username=username,
        expected_version=expected_version,
        changes={"roles": ",".join(role_list), **_END_SESSIONS},
        actor=actor,
        keeps_an_admin=True,
    )


def set_profile(
    *,
    engine: Engine | Connection,
    username: str,
    display_name: str,
    email: str | None,
    expected_version: int,
    actor: str,
) -> dict[str, Any]:
    """Change a user's display name and e-mail."""
    errors: dict[str, str] = {}
    display, email_value = _checked_profile(display_name, email, errors)
    if errors:
        raise ValidationError(errors)
    return _update_user(
        engine=engine,
        username=username,
        expected_version=expected_version,
        changes={"display_name": display, "email": email_value},
        actor=actor,
    )


def reset_password(
    *,
    engine: Engine | Connection,
    username: str,
    password: str,
    expected_version: int,
    actor: str,
) -> dict[str, Any]:
    """Set a new password; also lifts a lockout (the admin has vouched for the user)."""
    problem = _password_error(password)
    if problem:
        raise ValidationError({"password": problem})
    return _update_user(
        engine=engine,
        username=username,
        expected_version=expected_version,
        changes={
            "password_hash": hash_password(password),
            "failed_logins": 0,
            "locked_until": None,
            **_END_SESSIONS,
        },
        actor=actor,
    )


def set_disabled(
    *,
    engine: Engine | Connection,
    username: str,
    disabled: bool,
    expected_version: int,
    actor: str,
) -> dict[str, Any]:
    """Disable (or re-enable) a user; the last enabled admin cannot be disabled."""
    return _update_user(
        engine=engine,
        username=username,
        expected_version=expected_version,
        # Disabling ends the user's sessions; enabling again needs a fresh login anyway.
        changes={"disabled": bool(disabled), **(_END_SESSIONS if disabled else {})},
        actor=actor,
        keeps_an_admin=bool(disabled),
    )


def unlock_user(
    *, engine: Engine | Connection, username: str, expected_version: int, actor: str
) -> dict[str, Any]:
    """Lift a lockout before it expires and clear the failed-login counter."""
    return _update_user(
        engine=engine,
        username=username,
        expected_version=expected_version,
        changes={"failed_logins": 0, "locked_until": None},
        actor=actor,
    )


def list_users(*, engine: Engine | Connection) -> pd.DataFrame:
    """Every user without the password hash; `roles` is the stored comma string."""
    return read_frame(engine=engine, statement=select(*_PUBLIC_COLUMNS).order_by(users.c.username))


def _one_user(engine: Engine | Connection, username: str) -> dict[str, Any] | None:
    """The user named `username` without the hash, `roles` as a list."""
    statement = select(*_PUBLIC_COLUMNS).where(users.c.username == normalise_username(username))
    if isinstance(engine, Connection):
        row = engine.execute(statement).mappings().first()
    else:
        with engine.connect() as conn:
            row = conn.execute(statement).mappings().first()
    if row is None:
        return None
    user = dict(row)
    user["roles"] = [role for role in (user["roles"] or "").split(",") if role]
    return user


def _not_locked(moment: datetime):
    return or_(users.c.locked_until.is_(None), users.c.locked_until <= moment)


def get_user(*, engine: Engine | Connection, username: str) -> dict[str, Any] | None:
    """One user without the hash, `roles` as a list; None when unknown."""
    return _one_user(engine, username)


def credentials_for_authenticator(
    *, engine: Engine | Connection, now: datetime | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """The streamlit-authenticator 0.4.x credentials of enabled users not locked at `now`.

    A new dict on every call: the authenticator mutates the one it is given.
    """
    moment = as_utc_naive(now) if now is not None else utcnow()
    statement = (
        select(users)
        .where(
            users.c.disabled.is_(False),
            _not_locked(moment),
        )
        .order_by(users.c.username)
    )
    if isinstance(engine, Connection):
        rows = engine.execute(statement).mappings().all()
    else:
        with engine.connect() as conn:
            rows = conn.execute(statement).mappings().all()
    return {
        "usernames": {
            row["username"]: {
                "name": row["display_name"],
                "email": row["email"],
                "password": row["password_hash"],
                "roles": [role for role in (row["roles"] or "").split(",") if role],
                "failed_login_attempts": 0,
                "logged_in": False,
            }
            for row in rows
        }
    }


def check_lockout(*, engine: Engine | Connection, username: str, now: datetime) -> datetime | None:
    """When the user's lockout ends, if they are locked out at `now`; else None."""
    moment = as_utc_naive(now)
    with transaction(engine) as conn:
        row = conn.execute(
            select(users.c.locked_until).where(users.c.username == normalise_username(username))
        ).first()
    if row is None or row.locked_until is None or row.locked_until <= moment:
        return None
    return row.locked_until


def record_login_failure(
    *,
    engine: Engine | Connection,
    username: str,
    now: datetime,
    max_failed: int,
    lockout_minutes: int,
) -> datetime | None:
    """Count a failed login; at `max_failed` lock the user until now + lockout and reset the count.

    Returns the end of the lockout when the user is (now) locked, else None. Unknown usernames
    are audited as login_failed but create nothing; attempts during a lockout do not extend it.
    Inside a caller's transaction, the caller calls `note_users_changed` after its commit when
    this returned a lockout (until then the login check may keep the row it read).
    """
    locked_until = _count_login_failure(
        engine=engine,
        username=username,
        now=now,
        max_failed=max_failed,
        lockout_minutes=lockout_minutes,
    )
    if locked_until is not None:
        note_users_changed()
    return locked_until


def _count_login_failure(
    *,
    engine: Engine | Connection,
    username: str,
    now: datetime,
    max_failed: int,
    lockout_minutes: int,
) -> datetime | None:
    """record_login_failure's transaction.

    One UPDATE counts, decides and locks, and only while the user is not locked: on SQLite
    `FOR UPDATE` does nothing, so a read-then-write let concurrent failures that had read "not
    locked" count on into a second lockout. As the first statement of the transaction it also
    takes SQLite's write lock before anything is read.
    """
    moment = as_utc_naive(now)
    typed = normalise_username(username)
    until = moment + timedelta(minutes=lockout_minutes)
    reaches_max = users.c.failed_logins + 1 >= max_failed
    with transaction(engine) as conn:
        counted = conn.execute(
            update(users)
            .where(users.c.username == typed, _not_locked(moment))
            .values(
                failed_logins=case((reaches_max, 0), else_=users.c.failed_logins + 1),
                locked_until=case((reaches_max, until), else_=users.c.locked_until),
            )
            .returning(users.c.id, users.c.failed_logins)
        ).first()
        if counted is None:
            row = _row_for(conn, typed)
            if row is None:
                _audit_failed_login(conn, typed, None, reason="unknown user")
                return None
            _audit_failed_login(
                conn, typed, row["id"], reason="locked", locked_until=row["locked_until"]
            )
            return row["locked_until"]
        if counted.failed_logins > 0:  # below the maximum: counted, not locked
            _audit_failed_login(conn, typed, counted.id, failed_logins=counted.failed_logins)
            return None
        _audit_failed_login(conn, typed, counted.id, failed_logins=max_failed)
        audit(
            conn,
            user=typed,
            action="lockout",
            table=users,
            record_id=counted.id,
            before={"failed_logins": max_failed},
            after={"failed_logins": 0, "locked_until": until},
        )
        return until


def session_allows(user: Mapping[str, Any] | None, *, session_version: int, now: datetime) -> bool:
    """Whether `user` (a row of `get_user`) may still use a login session begun at
    `session_version`: no once the user is unknown, disabled, locked at `now`, or the version is
    no longer current (logout, disabling, a role change or a password reset since it began)."""
    if user is None or user["session_version"] != session_version or user["disabled"]:
        return False
    locked_until = user["locked_until"]
    return locked_until is None or locked_until <= as_utc_naive(now)


def session_user(
    *, engine: Engine | Connection, username: str, session_version: int, now: datetime
) -> dict[str, Any] | None:
    """The user a login session stands for, read now, while `session_allows` it; else None.
    Roles are a list, as stored now."""
    user = get_user(engine=engine, username=username)
    return user if session_allows(user, session_version=session_version, now=now) else None


def end_sessions(*, engine: Engine | Connection, username: str) -> None:
    """Log the user out everywhere: every cookie issued so far is refused from now on (audited).

    Login bookkeeping, not a form edit: the record's version is left alone.
    """
    typed = normalise_username(username)
    with transaction(engine) as conn:
        row = conn.execute(
            update(users)
            .where(users.c.username == typed)
            .values(session_version=users.c.session_version + 1)
            .returning(users.c.id, users.c.session_version)
        ).first()
        if row is not None:
            audit(
                conn,
                user=typed,
                action="logout",
                table=users,
                record_id=row.id,
                after={"session_version": row.session_version},
            )
    note_users_changed()


def _audit_failed_login(conn: Connection, username: str, user_id: int | None, **after: Any) -> None:
    audit(conn, user=username, action="login_failed", table=users, record_id=user_id, after=after)


def record_login_success(*, engine: Engine | Connection, username: str, now: datetime) -> None:
    """Reset the failed-login counter after a successful login and audit the login."""
    moment = as_utc_naive(now)
    typed = normalise_username(username)
    with transaction(engine) as conn:
        row = _row_for(conn, typed, for_update=True)
        if row is None:
            raise NotFoundError("users", typed)
        conn.execute(
            update(users).where(users.c.id == row["id"]).values(failed_logins=0, locked_until=None)
        )
        audit(
            conn,
            user=typed,
            action="login",
            table=users,
            record_id=row["id"],
            before={"failed_logins": row["failed_logins"]} if row["failed_logins"] else None,
            after={"at": moment},
        )


def _dummy() -> bytes:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = bcrypt.hashpw(b"no such user", bcrypt.gensalt(rounds=BCRYPT_ROUNDS))
    return _dummy_hash


def verify_password(*, engine: Engine | Connection, username: str, password: str) -> bool:
    """True when `password` is right for an enabled user (bcrypt.checkpw, constant time).

    Unknown and disabled users are checked against a dummy hash, so the answer takes as long as
    for a real user and timing does not tell which usernames exist.
    """
    with transaction(engine) as conn:
        row = conn.execute(
            select(users.c.password_hash, users.c.disabled).where(
                users.c.username == normalise_username(username)
            )
        ).first()
    candidate = (password or "").encode("utf-8")
    if row is None or row.disabled:
        bcrypt.checkpw(candidate, _dummy())
        return False
    try:
        return bcrypt.checkpw(candidate, row.password_hash.encode("utf-8"))
    except ValueError:  # a malformed stored hash is a failed login, not a crash
        return False
