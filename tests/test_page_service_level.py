"""AppTest of the Service level page on known data: the abandon rule and channel filters change
the figures as expected, the breaches table and its CSV match (and match the KPI), a row opens
the interaction, an empty period says so, and roles are enforced."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from db.engine import make_engine
from db.rollups import refresh_interval_stats
from tests.apphelpers import csv_downloads, open_page, texts
from tests.builders import insert_interactions, interaction

PAGE = "pages/service_level.py"


def _metric(at, label: str) -> str:
    return next(m for m in at.metric if m.label == label).value


def _table_with(at, column: str) -> pd.DataFrame:
    """The first table on the page that has `column` (plain tables carry no key in AppTest)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.fixture
def known_data(app_db: str) -> datetime:
    """The DESIGN worked example on chat (policy rule: fail) plus one phone call met in 4 s.

    Relative to the real clock, with ages far from the 60 s target so the page's `now` (floored
    to the cache TTL) cannot move a contact across it.
    """
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    base = now - timedelta(minutes=30)
    rows = [
        interaction(base, frt=60, body="Order 17 is late"),  # a: met (exactly at target)
        interaction(base, frt=61),  # b: missed
        interaction(now - timedelta(seconds=15), resolved_at=None, status="open"),  # c: pending
        interaction(base, resolved_at=None, status="open"),  # d: open 30 min -> missed now
        interaction(base, abandon_after=10),  # e
        interaction(base, abandon_after=3),  # f: short abandon
        interaction(base, channel_id="phone", frt=4),
    ]
    for n, row in enumerate(rows):
        row.setdefault("body", f"Customer message {n}")
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)
    engine.dispose()
    return now


def test_default_figures_use_each_channels_policy_rule(known_data):
    at = open_page("supervisor", PAGE)
    assert not at.exception
    # chat fail: a met; b, d, e, f missed. phone: met. -> 2 / 6
    assert _metric(at, "Service level") == "33.3 %"
    assert _metric(at, "Breaches") == "4"
    assert _metric(at, "ASA") == "42 s"  # (60 + 61 + 4) / 3 = 41.7 s, over answered only
    assert _metric(at, "Abandonment rate") == "40.0 %"  # 2 / (3 + 2)
    assert _metric(at, "Answer rate") == "42.9 %"  # 3 / 7
    assert _metric(at, "FRT median") == "1 min"
    help_text = next(m for m in at.metric if m.label == "Service level").help
    assert "Chat: abandons are misses" in help_text and "Phone: abandons under 5 s" in help_text
    assert len(at.get("plotly_chart")) == 2


def test_switching_the_abandon_rule_changes_service_level(known_data):
    at = open_page("supervisor", PAGE)
    at.selectbox(key="sl_abandon_rule").set_value("exclude").run()
    assert not at.exception
    assert _metric(at, "Service level") == "50.0 %"  # 2 / (2 + 2): b, d missed
    assert _metric(at, "Breaches") == "2"
    at.selectbox(key="sl_abandon_rule").set_value("exclude_short").run()
    assert _metric(at, "Service level") == "40.0 %"  # 2 / (2 + 3): b, d, e missed
    assert "exclude short (chosen)" in texts(at)


def test_channel_filter_changes_the_figures(known_data):
    at = open_page("supervisor", PAGE)
    at.multiselect(key="sl_channels").set_value(["chat"]).run()
    assert _metric(at, "Service level") == "20.0 %"  # the worked example: 1 / 5
    at.multiselect(key="sl_channels").set_value(["phone"]).run()
    assert _metric(at, "Service level") == "100.0 %"
    assert _metric(at, "Breaches") == "0"
    at.multiselect(key="sl_channels").set_value([]).run()
    assert "Pick at least one channel" in texts(at)


def test_group_by_agent_lists_the_unanswered_group(known_data):
    at = open_page("supervisor", PAGE)
    at.selectbox(key="sl_group_by").set_value("agent").run()
    assert not at.exception
    table = _table_with(at, "Agent")
    assert "No agent (unanswered)" in table["Agent"].tolist()
    assert table["Offered"].sum() == 7


def test_breaches_table_csv_and_kpi_agree(known_data, monkeypatch):
    downloads = csv_downloads(monkeypatch)
    at = open_page("supervisor", PAGE)
    table = at.dataframe(key="sl_breaches_table").value
    assert len(table) == int(_metric(at, "Breaches")) == 4
    assert sorted(table["Status"]) == [
        "Abandoned",
        "Abandoned",
        "Answered late",
        "Open, past target",
    ]
    assert downloads, "the page offers a CSV download"
    exported = pd.read_csv(io.BytesIO(downloads[-1]), dtype=str, keep_default_na=False)
    assert exported.columns.tolist() == table.columns.tolist()
    on_screen = table.astype(str).replace({"<NA>": "", "nan": "", "None": ""})
    assert exported.values.tolist() == on_screen.values.tolist()

    downloads.clear()
    at.radio(key="sl_breach_sort").set_value("late").run()
    resorted = at.dataframe(key="sl_breaches_table").value
    exported = pd.read_csv(io.BytesIO(downloads[-1]), dtype=str, keep_default_na=False)
    assert exported["ID"].astype(int).tolist() == resorted["ID"].tolist()
    assert resorted["Status"].iloc[0] == "Open, past target"  # 30 min late: the worst


def test_selecting_a_breach_opens_the_interaction(known_data):
    at = open_page("supervisor", PAGE)
    table = at.dataframe(key="sl_breaches_table").value
    late = int(table.index[table["Status"] == "Answered late"][0])
    at.session_state["sl_breaches_table"] = {
        "selection": {"rows": [late], "columns": [], "cells": []}
    }
    at.run()
    assert not at.exception
    assert f"Interaction {table['ID'][late]}" in texts(at)
    facts = _table_with(at, "Field")
    assert dict(zip(facts["Field"], facts["Value"], strict=True))["FRT"] == "1 min 1 s"


def test_empty_period_says_no_data(known_data):
    at = open_page("exec", PAGE)
    at.date_input(key="sl_period").set_value((date(2024, 1, 1), date(2024, 1, 7))).run()
    assert not at.exception
    assert "No interactions arrived in 1–7 Jan 2024" in texts(at)
    assert _metric(at, "Service level") == "—"
    assert _metric(at, "FRT median") == "—"
    assert at.dataframe(key="sl_breaches_table").value.empty
    specs = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert "no service level" in specs[0] and "No answered contacts" in specs[1]


def test_business_hours_toggle_names_the_calendar(known_data):
    at = open_page("supervisor", PAGE)
    at.toggle(key="sl_business_hours").set_value(True).run()
    assert not at.exception
    caption = texts(at)
    assert "Email on 'Office hours Mon-Fri 09-17'" in caption
    assert "have no calendar and stay 24/7" in caption


def test_qa_reviewer_is_refused(app_db):
    at = open_page("qa", PAGE)
    assert "You don't have access to **Service level**" in at.error[0].value
    assert not at.metric and not at.get("plotly_chart")
