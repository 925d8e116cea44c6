"""AppTest of the QA sampling page: the preview counts per agent × channel and the agents short of
the quota, a run stored and dealt evenly to reviewers, a double submit stores one run, the re-draw
check, validation messages, and roles."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from components.report_filters import period_label
from db.engine import make_engine
from db.schema import qa_assignments, qa_samples
from tests.apphelpers import open_page, texts
from tests.qa_pages import seed_contacts

PAGE = "pages/qa_sampling.py"


def _table(at, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _count(url, table) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.scalar(select(func.count()).select_from(table))
    engine.dispose()
    return value


@pytest.fixture
def contacts(app_db):
    return {**seed_contacts(app_db), "url": app_db}


def test_preview_counts_per_agent_and_channel_and_short_agents(contacts):
    at = open_page("qa", PAGE)
    assert not at.exception
    at.number_input(key="qa_sample_quota").set_value(4).run()
    at.number_input(key="qa_sample_seed").set_value(11).run()
    grid = _table(at, "Eligible contacts").set_index("Agent")
    # Ada: 3 email + 3 chat + 1 public tweet = 7 eligible; Bo: 3 + 3 = 6. Quota 4 stratified:
    # Bo 4 over 3/3 → exactly 2 and 2.
    assert grid.loc["Ada", "Eligible contacts"] == 7 and grid.loc["Ada", "Drawn"] == 4
    assert grid.loc["Bo", "Eligible contacts"] == 6 and grid.loc["Bo", "Drawn"] == 4
    assert grid.loc["Bo", "Chat"] == "2 of 3" and grid.loc["Bo", "Email"] == "2 of 3"
    assert grid.loc["Bo", "Twitter / X"] == "—"
    assert "8 contacts drawn for 2 agents" in texts(at)
    assert "Every agent in scope has at least the quota" in texts(at)
    at.number_input(key="qa_sample_quota").set_value(7).run()
    short = _table(at, "Quota")
    assert short[["Agent", "Eligible contacts", "Quota"]].values.tolist() == [["Bo", 6, 7]]
    assert "1 agents have fewer eligible contacts than the quota" in texts(at)


def test_run_is_stored_once_even_when_submitted_twice(contacts):
    at = open_page("qa", PAGE)
    at.number_input(key="qa_sample_quota").set_value(2).run()
    at.button(key="qa_sample_submit").click().run()
    assert not at.exception
    assert "Run 1 stored: 4 contacts assigned (qa 4)" in texts(at)
    at.button(key="qa_sample_submit").click().run()  # the same form again
    assert "already submitted as run 1" in texts(at)
    assert _count(contacts["url"], qa_samples) == 1
    assert _count(contacts["url"], qa_assignments) == 4
    runs = _table(at, "Rule")
    assert runs["Contacts"].tolist() == [4] and "quota 2" in runs["Rule"].iloc[0]
    at.button(key="qa_sample_redraw").click().run()
    assert "Re-drawn identically: the same 4 contacts." in texts(at)
    # A new form instance draws a new run; already drawn contacts are excluded.
    at.button(key="qa_sample_new").click().run()
    at.number_input(key="qa_sample_quota").set_value(2).run()
    at.button(key="qa_sample_submit").click().run()
    assert "Run 2 stored: 4 contacts assigned" in texts(at)
    assert _count(contacts["url"], qa_samples) == 2


def test_assignments_are_shared_evenly_between_reviewers(contacts):
    engine = make_engine(contacts["url"])
    from db.schema import users

    with engine.begin() as conn:
        conn.execute(
            users.update().where(users.c.username == "admin").values(roles="admin,qa_reviewer")
        )
    engine.dispose()
    at = open_page("qa", PAGE)
    at.number_input(key="qa_sample_quota").set_value(3).run()
    at.multiselect(key="qa_sample_reviewers").select("admin").run()
    at.button(key="qa_sample_submit").click().run()
    assert not at.exception
    assert "6 contacts assigned (admin 3, qa 3)" in texts(at)


def test_no_reviewer_or_bad_shares_are_refused_with_the_form_kept(contacts):
    at = open_page("qa", PAGE)
    at.multiselect(key="qa_sample_reviewers").unselect("qa").run()
    at.button(key="qa_sample_submit").click().run()
    assert "Nothing was stored" in texts(at) and "choose at least one reviewer" in texts(at)
    assert _count(contacts["url"], qa_samples) == 0
    at.number_input(key="qa_sample_share_negative").set_value(60).run()
    at.number_input(key="qa_sample_share_csat").set_value(60).run()
    assert "add up to more than the whole quota" in texts(at)
    assert at.number_input(key="qa_sample_share_negative").value == 60


def test_seed_is_prefilled_and_a_new_run_gets_a_new_form_key(contacts):
    at = open_page("qa", PAGE)
    assert isinstance(at.number_input(key="qa_sample_seed").value, int)
    token = at.session_state["qa_sample_form_token"]
    at.button(key="qa_sample_new").click().run()
    assert at.session_state["qa_sample_form_token"] != token


def test_admin_can_sample(contacts):
    at = open_page("admin", PAGE)
    assert not at.exception
    assert "contacts drawn" in texts(at)


def test_past_runs_read_in_local_time_with_the_zone_named(contacts):
    """A run stored at 13:05 UTC on 1 July reads 14:05 BST (London, the default zone), in the
    table and in the re-draw caption; its period reads as the local days picked."""
    at = open_page("qa", PAGE)
    first, last = at.date_input(key="qa_sample_period").value
    at.number_input(key="qa_sample_quota").set_value(2).run()
    at.button(key="qa_sample_submit").click().run()
    engine = make_engine(contacts["url"])
    with engine.begin() as conn:
        conn.execute(qa_samples.update().values(created_at=datetime(2026, 7, 1, 13, 5)))
    engine.dispose()
    at = open_page("qa", PAGE)
    runs = _table(at, "Rule")
    assert runs["At"].tolist() == ["Wed 1 Jul 2026, 14:05 BST"]
    assert f"ended {period_label(first, last)}," in runs["Rule"].iloc[0]
    assert "UTC" not in runs["Rule"].iloc[0]
    at.button(key="qa_sample_redraw").click().run()
    assert (
        f"contacts that ended {period_label(first, last)}, drawn as of Wed 1 Jul 2026, 14:05 BST."
        in texts(at)
    )
