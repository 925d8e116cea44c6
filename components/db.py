"""The app's engines (one set per server process) and the friendly handling of database outages.

`app_engine()` is the primary: every write, logins, and the form pages' reads (a form must show
the current version of what it edits). `read_engine()` is for the cached readers of every page:
the hot standby of `db_read_url` when one is configured, else the primary — db/replica.py decides
per read (read-your-writes, fallback to the primary when the standby is down).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from db.engine import make_engine
from db.replica import ReadRouter, track_writes
from db.settings import get_settings

# Set by the page run that met the outage; the retry fragment's first (inline) run takes it.
_RETRY_ARMED_KEY = "db_retry_armed"


@st.cache_resource(show_spinner=False)
def read_router() -> ReadRouter:
    """The process-wide primary engine and, with `db_read_url`, the standby's and the router."""
    settings = get_settings()
    primary = make_engine(settings.db_url)
    standby = None
    if settings.db_read_url and primary.dialect.name == "postgresql":
        standby = make_engine(settings.db_read_url)
    router = ReadRouter(primary, standby, retry_seconds=settings.refresh_seconds)
    if standby is not None:
        track_writes(primary, router)
    return router


def app_engine() -> Engine:
    """The primary: writes, logins and the reads of forms."""
    return read_router().primary


def read_engine() -> Engine:
    """The engine for a page's cached read: the standby when it is up and caught up with this
    process's writes, else the primary."""
    return read_router().engine()


def _rerun_page_on_each_tick() -> None:
    """Body of the outage's retry fragment: every tick after its first run reruns the page.

    Its first run is inline in the page run that met the outage and only starts the timer (a
    rerun there would loop). A tick reruns the whole page, which either shows the figures again
    or meets the outage and starts a new timer. It shows nothing and reads no data, so it needs
    no login check (it also runs on the login page).
    """
    if st.session_state.pop(_RETRY_ARMED_KEY, False):
        return
    st.rerun(scope="app")


def schedule_retry(every_seconds: int) -> None:
    """Rerun the page in `every_seconds`, and again after that, until it gets through."""
    st.session_state[_RETRY_ARMED_KEY] = True
    st.fragment(_rerun_page_on_each_tick, run_every=every_seconds)()


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn a database outage into a plain message and stop the run; the page retries by itself.

    The pool is disposed so a restarted server is reconnected without restarting the app.
    """
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        if read_router().note_failure():
            # The read replica is down: the rerun reads the primary instead.
            st.rerun()
        app_engine().dispose()
        every = get_settings().refresh_seconds
        st.error(
            "The interaction database is not reachable right now, so no figures can be shown. "
            f"This page tries again every {every} s on its own; use **Retry** to try at once.",
            icon=":material/cloud_off:",
        )
        st.caption(f"Details for your administrator: {type(exc.orig or exc).__name__}")
        st.button("Retry", key="db_retry")
        schedule_retry(every)
        st.stop()
