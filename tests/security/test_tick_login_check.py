"""The login check of every Floor tick: what it costs the database and how soon it bites.

A wall of screens logged in as one user costs one user lookup per refresh window, however many
of its sessions tick; a user disabled, locked, logged out or demoted elsewhere (another process,
written here by plain SQL) gets no figures later than one refresh interval after the change; a
change made through this process (Settings, a logout, a lockout) is refused at the very next
tick (components/session_check.py states the bound).

A run with `tick` set stands for a fragment tick: only the fragment runs, as in the app, where a
tick does not rerun the page's top (AppTest cannot tick a `run_every` fragment by itself).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from components.auth import SESSION_VERSION_KEY
from components.cache_floor import snapshot_time
from db.engine import make_engine
from db.schema import users
from db.settings import get_settings
from queries import login as login_q
from queries import users as users_q
from tests.apphelpers import texts

REFRESH = timedelta(seconds=get_settings().refresh_seconds)
_USERS_TABLE = re.compile(r"\bFROM\s+users\b", re.IGNORECASE)


def _ticking_floor() -> None:
    """The Floor's guards around a fragment: the page guard on page runs, then the tick's."""
    import streamlit as st

    from components.auth import current_user
    from components.guard import require_fresh_access
    from components.navigation import page_spec
    from db.settings import PROJECT_ROOT

    floor = str(PROJECT_ROOT / "pages" / "floor.py")
    if not st.session_state.pop("tick", False):
        user = current_user()
        if user is None:
            st.write("LOGIN FORM")
            st.stop()
        if not user.has_any(page_spec(floor).roles):
            st.write("NO ACCESS")
            st.stop()

    @st.fragment(run_every=60)
    def live() -> None:
        require_fresh_access(floor)
        st.write("LIVE DATA")

    live()


@pytest.fixture
def clock(monkeypatch):
    """The app's clock (naive UTC), starting at the beginning of a refresh window."""
    now = {"at": snapshot_time(datetime.now(UTC).replace(tzinfo=None), REFRESH.seconds)}
    monkeypatch.setattr("components.auth._utcnow", lambda: now["at"])
    return now


@pytest.fixture
def user_lookups():
    """How many statements read the users table, app-wide, from now on."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if _USERS_TABLE.search(statement):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    yield seen
    event.remove(Engine, "before_cursor_execute", count)


def _session(username: str = "supervisor", version: int = 1) -> AppTest:
    """A session of `username` that has opened the page (its first, full run)."""
    at = AppTest.from_function(_ticking_floor, default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state[SESSION_VERSION_KEY] = version
    at.run()
    assert "LIVE DATA" in texts(at)
    return at


def _tick(at: AppTest) -> str:
    """One fragment tick; what the session then shows."""
    at.session_state["tick"] = True
    at.run()
    assert not at.exception
    return texts(at)


def test_every_session_of_a_user_shares_one_lookup_per_refresh_window(app_db, clock, user_lookups):
    screens = [_session("supervisor") for _ in range(5)] + [_session("admin")]
    user_lookups.clear()
    clock["at"] += REFRESH  # a window none of them has checked in yet
    for _ in range(3):  # three ticks of six screens in one window
        clock["at"] += REFRESH / 4
        for at in screens:
            assert "LIVE DATA" in _tick(at)
    assert len(user_lookups) == 2  # one per user

    clock["at"] += REFRESH  # the next window reads each user again, once
    for at in screens:
        assert "LIVE DATA" in _tick(at)
    assert len(user_lookups) == 4


def _change_elsewhere(app_db: str, how: str, at: datetime) -> None:
    """The change as another process makes it: plain SQL, unseen by this process's count."""
    changes = {
        "disable": {"disabled": True},
        "lock": {"locked_until": at + timedelta(minutes=15)},
        "demote": {"roles": "executive"},
        "logout elsewhere": {"session_version": users.c.session_version + 1},
    }[how]
    engine = make_engine(app_db)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == "supervisor").values(**changes))
    engine.dispose()


@pytest.mark.parametrize("how", ["disable", "lock", "demote", "logout elsewhere"])
def test_a_change_made_elsewhere_stops_the_figures_within_one_refresh_interval(app_db, clock, how):
    screen = _session()
    window_start = clock["at"]
    assert "LIVE DATA" in _tick(screen)  # the window's row is read here
    changed_at = window_start + timedelta(milliseconds=1)  # the worst case: just after
    _change_elsewhere(app_db, how, changed_at)

    # Within the bound the shared row may still pass (this is what saves the lookups) ...
    clock["at"] = changed_at + REFRESH - timedelta(milliseconds=2)
    assert "LIVE DATA" in _tick(screen)
    # ... and one refresh interval after the change the figures have stopped.
    clock["at"] = changed_at + REFRESH
    shown = _tick(screen)
    assert "LIVE DATA" not in shown
    assert ("NO ACCESS" if how == "demote" else "LOGIN FORM") in shown


def _change_here(app_db: str, how: str) -> None:
    """The change through this process's own code, as Settings, a logout or failed logins."""
    engine = make_engine(app_db)
    version = users_q.get_user(engine=engine, username="supervisor")["version"]
    common = {"engine": engine, "username": "supervisor", "actor": "admin"}
    if how == "disable":
        users_q.set_disabled(**common, disabled=True, expected_version=version)
    elif how == "demote":
        users_q.set_roles(**common, roles=["executive"], expected_version=version)
    elif how == "logout elsewhere":
        users_q.end_sessions(engine=engine, username="supervisor")
    else:  # lock: failed logins up to the limit
        settings = get_settings()
        for _ in range(settings.max_failed_logins):
            login_q.attempt_login(
                engine=engine,
                username="supervisor",
                password="not the password",
                client="198.51.100.9",
                now=datetime.now(UTC).replace(tzinfo=None),
                max_failed=settings.max_failed_logins,
                lockout_minutes=settings.lockout_minutes,
                max_failed_per_client=settings.max_failed_logins_per_client,
            )
        assert users_q.check_lockout(
            engine=engine, username="supervisor", now=datetime.now(UTC).replace(tzinfo=None)
        )
    engine.dispose()


@pytest.mark.parametrize("how", ["disable", "lock", "demote", "logout elsewhere"])
def test_a_change_made_through_this_process_stops_the_figures_at_the_next_tick(app_db, clock, how):
    clock["at"] = datetime.now(UTC).replace(tzinfo=None)  # the lockout is judged at real time
    screen = _session()
    assert "LIVE DATA" in _tick(screen)  # the window's row is read here
    _change_here(app_db, how)
    shown = _tick(screen)  # the same refresh window
    assert "LIVE DATA" not in shown
    assert "LOGIN FORM" in shown  # a role change through the app ends the sessions too


def test_a_login_newer_than_the_shared_row_is_not_refused(app_db, clock):
    old = _session(version=1)
    assert "LIVE DATA" in _tick(old)  # the window's row (session version 1) is read here
    # The user logs out and in again through another app server: version 2.
    _change_elsewhere(app_db, "logout elsewhere", clock["at"])
    new = _session(version=2)
    assert "LIVE DATA" in _tick(new)  # the database is asked before a refusal
    clock["at"] += REFRESH
    assert "LIVE DATA" in _tick(new)
    assert "LOGIN FORM" in _tick(old)  # while the logged-out session is refused
