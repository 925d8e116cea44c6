"""AppTest of the Weekly trends page per role, on known data in the last two complete weeks:
tiles with week-over-week change, charts, "not yet available" panels without QA or topic data,
the report (live, then frozen by the admin, then restated after late data, then re-issued), its
CSV equal to the table on screen, and no freeze button for the executive."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import streamlit as st

from analytics.periods import local_today, to_utc_naive
from analytics.weekly import monday_of, week_label
from db.engine import make_engine
from tests.apphelpers import csv_downloads, open_page, texts
from tests.builders import insert_interactions, interaction

PAGE = "pages/weekly_trends.py"
TZ = "Europe/London"


def _local(day, hour: int) -> datetime:
    return to_utc_naive(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour), TZ)


@pytest.fixture
def known_weeks(app_db: str) -> dict:
    """Last complete week: chats met (30 s, rated 5) and missed (90 s); the week before: one
    chat met. So service level 50 % against 100 %, offered 2 against 1."""
    today = local_today(datetime.now(UTC).replace(tzinfo=None), TZ)
    last = monday_of(today) - timedelta(days=7)
    before = last - timedelta(days=7)
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(
            conn, [interaction(_local(last + timedelta(days=1), 10), frt=30, csat=5)]
        )
        insert_interactions(conn, [interaction(_local(last + timedelta(days=2), 10), frt=90)])
        insert_interactions(conn, [interaction(_local(before + timedelta(days=2), 10), frt=30)])
    engine.dispose()
    return {"url": app_db, "week": week_label(last), "monday": last}


def _metric(at, label: str):
    return next(m for m in at.metric if label in m.label)


def _report(at) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "Live now" in df.value.columns)


@pytest.mark.parametrize("username", ["exec", "supervisor"])
def test_readers_see_the_last_complete_week_with_changes(known_weeks, username):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    assert at.selectbox(key="wk_week").value == known_weeks["week"]
    sl = _metric(at, "Service level, all channels")
    assert (sl.value, sl.delta) == ("50.0 %", "-50.0 pts")
    offered = _metric(at, "Offered, all channels")
    assert (offered.value, offered.delta) == ("2", "+100.0 %")
    assert _metric(at, "CSAT").value == "100.0 %"
    assert "n = 1" in _metric(at, "CSAT").help
    assert "FRT median — phone and chat" in [m.label.replace("\\", "") for m in at.metric]
    shown = texts(at)
    assert "QA average: not yet available" in shown
    assert "Top and rising topics: not yet available" in shown
    assert "(partial)" in str(at.get("plotly_chart")[0].proto.spec)
    assert len(at.get("plotly_chart")) == 7  # no QA chart without reviews
    assert "has not been frozen" in shown
    assert not [b for b in at.button if b.key in ("wk_freeze",)]


def test_qa_reviewer_gets_no_data(known_weeks):
    at = open_page("qa", PAGE)
    assert "You don't have access to **Weekly trends**" in "\n".join(e.value for e in at.error)
    assert not at.metric and not at.get("plotly_chart")


def test_admin_freezes_then_late_data_is_restated_then_reissued(known_weeks, monkeypatch):
    downloads = csv_downloads(monkeypatch)
    at = open_page("admin", PAGE)
    at.button(key="wk_freeze").click().run()
    assert not at.exception, at.exception
    assert "Frozen report, issue 1" in texts(at) and "by admin" in texts(at)
    assert set(_report(at)["Status"]) == {"as reported"}
    # Late data for the frozen week.
    engine = make_engine(known_weeks["url"])
    with engine.begin() as conn:
        insert_interactions(
            conn, [interaction(_local(known_weeks["monday"] + timedelta(days=3), 10), frt=20)]
        )
    engine.dispose()
    st.cache_data.clear()
    at.run()
    table = _report(at).set_index("Figure")
    row = table.loc["Offered, all channels"]
    assert (row["Reported"], row["Live now"], row["Status"]) == ("2", "3", "restated")
    assert table.loc["Service level, all channels", "Reported"] == "50.0 %"
    assert table.loc["Service level, all channels", "Live now"] == "66.7 %"
    assert "restated: live data now differs" in texts(at)
    exported = pd.read_csv(io.BytesIO(downloads[-1]), dtype=str, keep_default_na=False)
    on_screen = _report(at).astype(str).replace({"None": "", "nan": ""})
    assert exported.columns.tolist() == on_screen.columns.tolist()
    assert exported.values.tolist() == on_screen.values.tolist()
    # Re-issue: a reason is required, then issue 2 holds today's figures.
    at.button(key="wk_reissue").click().run()
    assert "Say why" in texts(at)
    at.text_input(key="wk_reissue_reason").set_value("late chat log")
    at.button(key="wk_reissue").click().run()
    assert "Frozen report, issue 2" in texts(at) and "late chat log" in texts(at)
    assert set(_report(at)["Status"]) == {"as reported"}


def test_frozen_report_names_when_in_local_time_with_the_zone(known_weeks):
    """A report frozen at 13:05 UTC on 1 July reads 'frozen Wed 1 Jul 2026, 14:05 BST'."""
    from db.schema import weekly_reports

    at = open_page("admin", PAGE)
    at.button(key="wk_freeze").click().run()
    engine = make_engine(known_weeks["url"])
    with engine.begin() as conn:
        conn.execute(weekly_reports.update().values(frozen_at=datetime(2026, 7, 1, 13, 5)))
    engine.dispose()
    st.cache_data.clear()
    at.run()
    assert "Frozen report, issue 1: frozen Wed 1 Jul 2026, 14:05 BST by admin." in texts(at)
