"""An unreachable database: pages say so plainly (no traceback) and recover by themselves."""

import pytest
import streamlit as st
from sqlalchemy import create_engine, text

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
