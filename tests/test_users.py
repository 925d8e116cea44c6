"""Users: bcrypt hashes, roles, optimistic locking, login failures and lockout, no leaked hashes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import bcrypt
import pytest
from sqlalchemy import Engine, func, select

from db.engine import make_engine
from db.schema import audit_log, users
from queries import users as user_queries
from queries.audit import list_audit
from queries.users import (
    check_lockout,
    create_user,
    credentials_for_authenticator,
    get_user,
    list_users,
    record_login_failure,
    record_login_success,
    reset_password,
    set_disabled,
    set_profile,
    set_roles,
    unlock_user,
    verify_password,
)
from queries.writes import NotFoundError, StaleWriteError, ValidationError

NOW = datetime(2026, 3, 2, 12, 0, 0)
PASSWORD = "correct horse battery"
INJECTIONS = ["x'; DROP TABLE users; --", "' OR '1'='1", 'Robert"); DELETE FROM audit_log; --']


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cost 4 instead of 12: the same code path, a thousandth of the time."""
    monkeypatch.setattr(user_queries, "BCRYPT_ROUNDS", 4)
    monkeypatch.setattr(user_queries, "_dummy_hash", None)


def _make(engine: Engine, username: str = "alice", roles: str = "supervisor", **extra) -> dict:
    return create_user(
        engine=engine,
        username=username,
        display_name=extra.pop("display_name", username.title()),
        password=extra.pop("password", PASSWORD),
        roles=roles,
        actor="root",
        **extra,
    )


def _stored(engine: Engine, username: str) -> dict:
    with engine.connect() as conn:
        return dict(
            conn.execute(select(users).where(users.c.username == username)).mappings().one()
        )


def _fail(engine: Engine, username: str, now: datetime = NOW, max_failed: int = 3):
    return record_login_failure(
        engine=engine, username=username, now=now, max_failed=max_failed, lockout_minutes=15
    )


def test_production_hashes_use_cost_12(monkeypatch):
    monkeypatch.undo()  # drop the speed-up of the fixture
    assert user_queries.BCRYPT_ROUNDS == 12
    assert user_queries.hash_password(PASSWORD).startswith("$2b$12$")


def test_create_user_stores_lower_case_name_bcrypt_hash_and_roles(engine):
    created = _make(engine, username="  Alice.Smith ", roles=["admin", "Supervisor", "admin"])

    assert created["username"] == "alice.smith"
    assert "password_hash" not in created
    stored = _stored(engine, "alice.smith")
    assert stored["password_hash"].startswith("$2b$04$")
    assert bcrypt.checkpw(PASSWORD.encode(), stored["password_hash"].encode())
    assert stored["roles"] == "supervisor,admin"  # canonical order, no repeats
    assert (stored["version"], stored["failed_logins"], stored["disabled"]) == (1, 0, False)


def test_create_user_reports_every_bad_field(engine):
    with pytest.raises(ValidationError) as caught:
        create_user(
            engine=engine,
            username="a b",
            display_name="  ",
            password="short",
            roles=["supervisor", "janitor"],
            actor="root",
            email="not-an-address",
        )
    errors = caught.value.field_errors
    assert set(errors) == {"username", "display_name", "password", "roles", "email"}
    assert "janitor" in errors["roles"]
    assert "10" in errors["password"]


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("username", {"username": "ab"}),
        ("username", {"username": "x" * 33}),
        ("username", {"username": "bad/name"}),
        ("password", {"password": "123456789"}),
        ("password", {"password": "é" * 40}),  # 80 bytes: bcrypt would silently cut it
        ("roles", {"roles": ""}),
        ("roles", {"roles": []}),
    ],
)
def test_create_user_single_field_errors(engine, field, kwargs):
    values = {
        "username": "bob",
        "display_name": "Bob",
        "password": PASSWORD,
        "roles": "supervisor",
        **kwargs,
    }
    with pytest.raises(ValidationError) as caught:
        create_user(engine=engine, actor="root", **values)
    assert set(caught.value.field_errors) == {field}


def test_username_is_unique_whatever_the_case(engine):
    _make(engine, username="alice")
    with pytest.raises(ValidationError) as caught:
        _make(engine, username="ALICE")
    assert caught.value.field_errors == {"username": "is already taken"}
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(users)) == 1


def test_injection_strings_are_stored_verbatim_and_change_nothing_else(engine):
    _make(engine, username="admin", roles="admin")
    for index, text in enumerate(INJECTIONS):
        _make(engine, username=f"user{index}", display_name=text)

    for index, text in enumerate(INJECTIONS):
        assert get_user(engine=engine, username=f"user{index}")["display_name"] == text
    assert len(list_users(engine=engine)) == len(INJECTIONS) + 1
    # Typed into the login form, they are just unknown usernames.
    for text in INJECTIONS:
        assert verify_password(engine=engine, username=text, password=text) is False
        assert _fail(engine, text) is None
    assert len(list_users(engine=engine)) == len(INJECTIONS) + 1
    assert get_user(engine=engine, username="' OR '1'='1") is None


def test_set_roles_with_a_stale_version_names_who_changed_it(engine):
    _make(engine, username="admin", roles="admin")
    user = _make(engine, username="bob")
    set_roles(engine=engine, username="bob", roles="qa_reviewer", expected_version=1, actor="admin")

    with pytest.raises(StaleWriteError) as caught:
        set_roles(
            engine=engine,
            username="bob",
            roles="executive",
            expected_version=user["version"],
            actor="root",
        )
    assert caught.value.changed_by == "admin"
    assert caught.value.current["roles"] == "qa_reviewer"
    assert "password_hash" not in caught.value.current
    assert get_user(engine=engine, username="bob")["roles"] == ["qa_reviewer"]


def test_set_roles_validates_and_unknown_user_is_not_found(engine):
    _make(engine, username="bob")
    with pytest.raises(ValidationError) as caught:
        set_roles(engine=engine, username="bob", roles="boss", expected_version=1, actor="root")
    assert set(caught.value.field_errors) == {"roles"}
    with pytest.raises(NotFoundError):
        set_roles(engine=engine, username="nobody", roles="admin", expected_version=1, actor="root")


def test_the_last_enabled_admin_cannot_be_demoted_or_disabled(engine):
    _make(engine, username="admin", roles="admin")
    with pytest.raises(ValidationError) as caught:
        set_roles(
            engine=engine, username="admin", roles="supervisor", expected_version=1, actor="admin"
        )
    assert "admin" in caught.value.field_errors["roles"]
    with pytest.raises(ValidationError):
        set_disabled(engine=engine, username="admin", disabled=True, expected_version=1, actor="x")
    assert get_user(engine=engine, username="admin")["version"] == 1  # rolled back

    _make(engine, username="admin2", roles="admin,supervisor")
    set_disabled(engine=engine, username="admin", disabled=True, expected_version=1, actor="admin2")
    assert get_user(engine=engine, username="admin")["disabled"] is True


def test_set_profile_validates_and_updates(engine):
    _make(engine, username="bob")
    with pytest.raises(ValidationError) as caught:
        set_profile(
            engine=engine,
            username="bob",
            display_name="",
            email="x@",
            expected_version=1,
            actor="r",
        )
    assert set(caught.value.field_errors) == {"display_name", "email"}
    updated = set_profile(
        engine=engine,
        username="bob",
        display_name="Bob Jones",
        email="bob@example.com",
        expected_version=1,
        actor="r",
    )
    assert (updated["display_name"], updated["email"], updated["version"]) == (
        "Bob Jones",
        "bob@example.com",
        2,
    )


def test_reset_password_replaces_the_hash_and_lifts_a_lockout(engine):
    _make(engine, username="bob")
    for _ in range(3):
        _fail(engine, "bob")
    assert check_lockout(engine=engine, username="bob", now=NOW) is not None

    with pytest.raises(ValidationError):
        reset_password(
            engine=engine, username="bob", password="short", expected_version=1, actor="root"
        )
    reset_password(
        engine=engine, username="bob", password="a new long password", expected_version=1, actor="r"
    )

    assert verify_password(engine=engine, username="bob", password="a new long password")
    assert not verify_password(engine=engine, username="bob", password=PASSWORD)
    assert check_lockout(engine=engine, username="bob", now=NOW) is None


def test_verify_password_is_false_for_unknown_disabled_and_wrong(engine):
    _make(engine, username="admin", roles="admin")
    _make(engine, username="bob")
    assert verify_password(engine=engine, username="BOB", password=PASSWORD) is True
    assert verify_password(engine=engine, username="bob", password=PASSWORD + "x") is False
    assert verify_password(engine=engine, username="nobody", password=PASSWORD) is False
    set_disabled(engine=engine, username="bob", disabled=True, expected_version=1, actor="admin")
    assert verify_password(engine=engine, username="bob", password=PASSWORD) is False


def test_credentials_for_authenticator_lists_enabled_unlocked_users(engine):
    _make(engine, username="admin", roles="admin,supervisor", email="admin@example.com")
    _make(engine, username="bob")
    _make(engine, username="carol", roles="qa_reviewer")
    set_disabled(engine=engine, username="bob", disabled=True, expected_version=1, actor="admin")
    for _ in range(3):
        _fail(engine, "carol")

    credentials = credentials_for_authenticator(engine=engine, now=NOW)

    assert list(credentials["usernames"]) == ["admin"]
    entry = credentials["usernames"]["admin"]
    assert entry == {
        "name": "Admin",
        "email": "admin@example.com",
        "password": _stored(engine, "admin")["password_hash"],
        "roles": ["supervisor", "admin"],
        "failed_login_attempts": 0,
        "logged_in": False,
    }
    # Once carol's lockout has passed she can log in again.
    later = credentials_for_authenticator(engine=engine, now=NOW + timedelta(minutes=16))
    assert sorted(later["usernames"]) == ["admin", "carol"]


def test_failed_logins_lock_the_user_after_the_maximum(engine):
    _make(engine, username="bob")

    assert _fail(engine, "bob") is None
    assert _fail(engine, "Bob") is None
    assert _stored(engine, "bob")["failed_logins"] == 2
    locked_until = _fail(engine, "bob")

    assert locked_until == NOW + timedelta(minutes=15)
    stored = _stored(engine, "bob")
    assert (stored["failed_logins"], stored["locked_until"]) == (0, locked_until)
    assert stored["version"] == 1  # login bookkeeping never makes an admin's form stale
    assert check_lockout(engine=engine, username="bob", now=NOW + timedelta(minutes=14)) == (
        locked_until
    )
    assert check_lockout(engine=engine, username="bob", now=locked_until) is None
    actions = list(list_audit(engine=engine, username="bob")["action"])
    assert actions == ["lockout", "login_failed", "login_failed", "login_failed"]


def test_attempts_during_a_lockout_do_not_extend_it(engine):
    _make(engine, username="bob")
    for _ in range(3):
        locked_until = _fail(engine, "bob")
    again = _fail(engine, "bob", now=NOW + timedelta(minutes=5))
    assert again == locked_until
    assert _stored(engine, "bob")["failed_logins"] == 0


def test_lockout_persists_across_engines(engine, db_url):
    _make(engine, username="bob")
    for _ in range(3):
        locked_until = _fail(engine, "bob")
    engine.dispose()

    fresh = make_engine(db_url)  # another process / a restarted app
    try:
        assert check_lockout(engine=fresh, username="bob", now=NOW) == locked_until
        assert "bob" not in credentials_for_authenticator(engine=fresh, now=NOW)["usernames"]
    finally:
        fresh.dispose()


def test_aware_times_are_taken_as_utc(engine):
    _make(engine, username="bob")
    aware = datetime(2026, 3, 2, 13, 0, tzinfo=UTC).astimezone()  # same instant, local offset
    for _ in range(3):
        locked_until = _fail(engine, "bob", now=aware)
    assert locked_until == datetime(2026, 3, 2, 13, 15)


def test_success_resets_the_counter_and_is_audited(engine):
    _make(engine, username="bob")
    _fail(engine, "bob")
    _fail(engine, "bob")
    record_login_success(engine=engine, username="bob", now=NOW)

    assert _stored(engine, "bob")["failed_logins"] == 0
    # The count starts again: two more failures do not lock.
    assert _fail(engine, "bob") is None
    assert _fail(engine, "bob") is None
    assert list(list_audit(engine=engine, username="bob", action="login")["action"]) == ["login"]
    with pytest.raises(NotFoundError):
        record_login_success(engine=engine, username="ghost", now=NOW)


def test_unknown_usernames_are_audited_but_create_nothing(engine):
    assert _fail(engine, "ghost") is None
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(users)) == 0
    [row] = list_audit(engine=engine, username="ghost").to_dict("records")
    assert (row["action"], row["table_name"], row["record_id"]) == ("login_failed", "users", None)
    assert json.loads(row["after"]) == {"reason": "unknown user"}


def test_very_long_typed_usernames_are_audited_not_crashing(engine):
    assert _fail(engine, "x" * 500) is None
    assert len(list_audit(engine=engine, action="login_failed")) == 1


def test_unlock_user_clears_the_lockout(engine):
    _make(engine, username="bob")
    for _ in range(3):
        _fail(engine, "bob")
    unlock_user(engine=engine, username="bob", expected_version=1, actor="root")
    assert check_lockout(engine=engine, username="bob", now=NOW) is None


def test_passwords_never_appear_in_list_users_or_audit(engine):
    _make(engine, username="admin", roles="admin")
    _make(engine, username="bob")
    reset_password(
        engine=engine, username="bob", password="another long one", expected_version=1, actor="x"
    )
    _fail(engine, "bob")
    record_login_success(engine=engine, username="bob", now=NOW)

    frame = list_users(engine=engine)
    assert "password_hash" not in frame.columns
    assert list(frame["username"]) == ["admin", "bob"]
    with engine.connect() as conn:
        audit_text = " ".join(
            f"{before} {after}"
            for before, after in conn.execute(select(audit_log.c.before, audit_log.c.after))
        )
        hashes = list(conn.scalars(select(users.c.password_hash)))
    for secret in [PASSWORD, "another long one", *hashes]:
        assert secret not in frame.to_string()
        assert secret not in audit_text
    assert "$2b$" not in audit_text


def _session_version(engine: Engine, username: str = "alice") -> int:
    return _stored(engine, username)["session_version"]


@pytest.mark.parametrize(
    "change, values, ends_sessions",
    [
        (set_roles, {"roles": "executive"}, True),
        (reset_password, {"password": "x" * 12}, True),
        (set_disabled, {"disabled": True}, True),
        (set_profile, {"display_name": "A", "email": None}, False),
        (unlock_user, {}, False),
    ],
    ids=["roles", "password", "disable", "profile", "unlock"],
)
def test_changes_that_end_sessions_move_the_session_version(engine, change, values, ends_sessions):
    _make(engine)
    assert _session_version(engine) == 1
    change(engine=engine, username="alice", expected_version=1, actor="root", **values)
    assert _session_version(engine) == (2 if ends_sessions else 1)


def test_logout_ends_sessions_without_staling_an_admins_form(engine):
    _make(engine)
    user_queries.end_sessions(engine=engine, username="Alice")
    stored = _stored(engine, "alice")
    assert (stored["session_version"], stored["version"]) == (2, 1)
    logout = [row for row in list_audit(engine=engine).itertuples() if row.action == "logout"]
    assert len(logout) == 1 and json.loads(logout[0].after) == {"session_version": 2}
    kwargs = {"engine": engine, "username": "alice", "now": NOW}
    assert user_queries.session_user(session_version=1, **kwargs) is None
    assert user_queries.session_user(session_version=2, **kwargs)["username"] == "alice"
