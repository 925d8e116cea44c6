"""The login check of a refresh tick, shared by every open session of a user in this process.

Every self-refreshing fragment re-checks its session's login before it reads any data
(components.guard.require_fresh_access). Read per session, a wall of 50 Floor screens cost 50
user lookups per tick; here each user's row (without the password hash) is read at most once per
refresh window (`cache_floor.snapshot_time`, the Floor's tick) and per count of user changes this
process committed (`queries.users.users_changed`), and each session judges its own login against
that row (`queries.users.session_allows`).

The bound this keeps, the security property: a user disabled, locked, logged out or given other
roles
- through this app process (Settings, the user's logout, a lockout by failed logins) loses
  access at the next tick, as without the cache: the change moves the count, so the next check
  reads the database;
- anywhere else (`cli.py users`, another app server, SQL) is seen by the first check of the
  next refresh window: figures may still be sent for at most one refresh interval
  (`refresh_seconds`, 10 s by default) after the change, and the page shows the login or the
  access message at its first tick after that (within two intervals).
A refusal is never taken from the shared row: it is confirmed by the database, so a row read
before the user logged in again (in another process) does not log a valid session out.
Full page runs (opening a page, any widget) do not use this: they always read the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from components.cache_floor import snapshot_time
from components.db import app_engine
from db.settings import get_settings
from queries import users as users_q

# Keyed on the window, so an entry is useless after it; the TTL only frees the memory.
_ROW_TTL_SECONDS = 2 * get_settings().refresh_seconds
# Users with open sessions x a window or two x a few change counts.
_MAX_ROWS = 1024


@st.cache_data(ttl=_ROW_TTL_SECONDS, max_entries=_MAX_ROWS, show_spinner=False)
def _user_row(username: str, window: datetime, changes: int) -> dict[str, Any] | None:
    """The user's row as stored when the first session of `window` asked (primary database: a
    standby's lag would add to the bound above)."""
    del window, changes  # cache key only
    return users_q.get_user(engine=app_engine(), username=username)


def shared_session_user(
    username: str, session_version: int, now: datetime
) -> dict[str, Any] | None:
    """The user a session's login stands for at `now` (naive UTC), or None when it has ended.

    Passes on the row shared by the user's sessions in this refresh window; refuses only after
    reading the database (module docstring).
    """
    name = users_q.normalise_username(username)
    window = snapshot_time(now, get_settings().refresh_seconds)
    user = _user_row(name, window, users_q.users_changed())
    if users_q.session_allows(user, session_version=session_version, now=now):
        return user
    return users_q.session_user(
        engine=app_engine(), username=name, session_version=session_version, now=now
    )
