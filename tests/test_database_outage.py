"""An unreachable database: pages say so plainly (no traceback) and recover by themselves."""

import pytest
import streamlit as st
from sqlalchemy import create_engine, text

from db.settings import get_settings
from tests.apphelpers import add_role_users, app_environment, logged_in_app, new_app, texts
from tests.conftest import PG_ADMIN_URL

UNREACHABLE = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere"


def test_unreachable_database_shows_a_message_not_a_traceback():
    with app_environment(UNREACHABLE):
        at = new_app().run()
        assert not at.exception
        assert "database is not reachable" in texts(at)
        assert not at.text_input  # no login form over a dead database


def _admin_sql(statement: str, **params: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement), params)
    engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_page_recovers_when_the_database_comes_back(db_url):
    add_role_users(db_url)
    name = db_url.rsplit("/", 1)[1]
    with app_environment(db_url):
        at = logged_in_app("supervisor")
        at.switch_page("pages/channels.py").run()
        assert at.metric and not at.exception

        # The database goes away: its sessions are killed and new connections are refused.
        _admin_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()",
            name=name,
        )
        _admin_sql(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"')
        try:
            st.cache_data.clear()  # the next refresh has to reach the database
            at.run()
            assert not at.exception
            assert "database is not reachable" in texts(at)
            assert not at.metric
        finally:
            _admin_sql(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')
        at.run()  # same app process, no restart
        assert not at.exception
        assert "database is not reachable" not in texts(at)
        assert at.metric


def test_the_outage_page_schedules_its_own_retry(monkeypatch):
    # The page's promise: it tries again by itself every refresh interval.
    scheduled: list[float] = []
    real_fragment = st.fragment

    def recording_fragment(func=None, *, run_every=None, **kwargs):
        scheduled.append(run_every)
        return real_fragment(func, run_every=run_every, **kwargs)

    monkeypatch.setattr(st, "fragment", recording_fragment)
    with app_environment(UNREACHABLE):
        at = new_app().run()
        every = get_settings().refresh_seconds
    assert f"tries again every {every} s on its own" in texts(at)
    assert scheduled == [every]


def _page_that_meets_an_outage() -> None:
    """Meets an outage on its first run only; `tick` models the retry timer firing once."""
    import streamlit as st

    from components.db import _rerun_page_on_each_tick, schedule_retry

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    if st.session_state["runs"] == 1:
        schedule_retry(10)  # the inline first run: starts the timer, must not rerun
        if st.session_state.get("tick"):
            _rerun_page_on_each_tick()  # what each later tick of the timer runs
    st.write(f"page runs: {st.session_state['runs']}")


@pytest.mark.parametrize("tick, runs", [(False, 1), (True, 2)])
def test_the_retry_timer_reruns_the_page_on_a_tick_only(tick, runs):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page_that_meets_an_outage, default_timeout=30)
    at.session_state["tick"] = tick
    at.run()
    assert not at.exception
    assert f"page runs: {runs}" in texts(at)
