"""The app's engine (one per server process) and the friendly handling of database outages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from db.engine import make_engine
from db.settings import get_settings


@st.cache_resource(show_spinner=False)
def app_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().db_url)


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn a database outage into a plain message and stop the run; the next run tries again.

    The pool is disposed so a restarted server is reconnected without restarting the app.
    """
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        app_engine().dispose()
        st.error(
            "The interaction database is not reachable right now, so no figures can be shown. "
            "This page retries on its own; use **Retry** to try at once.",
            icon=":material/cloud_off:",
        )
        st.caption(f"Details for your administrator: {type(exc.orig or exc).__name__}")
        st.button("Retry", key="db_retry")
        st.stop()
