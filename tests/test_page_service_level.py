"""AppTest of the Service level page on known data: the abandon rule and channel filters change
the figures as expected, the breaches table and its CSV match (and match the KPI), the drill-down
follows the chosen interaction id across refreshes, CSAT shows with n, the period picker reaches
old data, an empty period says so, the help states the rules, and roles are enforced."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import streamlit as st

from db.engine import make_engine
from db.rollups import refresh_interval_stats
from db.schema import agents
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
    """The worked example of docs/metrics.md on chat (rule: fail) plus a phone call met in 4 s.

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
    # (60 + 61 + 4) / 3 = 41.7 s, over answered only
    assert _metric(at, "ASA (phone & chat)") == "42 s"
    assert _metric(at, "Abandonment rate") == "40.0 %"  # 2 / (3 + 2)
    assert _metric(at, "Answer rate") == "42.9 %"  # 3 / 7
    assert _metric(at, "FRT median (phone & chat)") == "1 min"
    help_text = next(m for m in at.metric if m.label == "Service level").help
    assert "Chat: abandons are misses" in help_text and "Phone: abandons under 5 s" in help_text
    assert len(at.get("plotly_chart")) == 3  # over time, FRT distribution, hour × weekday


def _tile(at, label: str):
    return next(m for m in at.metric if m.label == label)


def test_response_kpis_are_split_by_clock_and_compared_with_the_previous_period(known_data, app_db):
    hours = timedelta(hours=1)
    rows = [
        # Email answered in 2 h and in 4 h (its 4 h target: both met).
        interaction(known_data - 5 * hours, channel_id="email", frt=2 * 3600),
        interaction(known_data - 5 * hours, channel_id="email", frt=4 * 3600),
        # The 7 days before: one chat answered in 30 s.
        interaction(known_data - timedelta(days=10), frt=30),
    ]
    engine = make_engine(app_db)
    with engine.begin() as conn:
        # Written now, as every writer stamps them, so the incremental rollup refresh sees them.
        insert_interactions(conn, [{**row, "updated_at": known_data} for row in rows])
    refresh_interval_stats(engine)
    engine.dispose()
    at = open_page("supervisor", PAGE)
    assert not at.exception
    # Phone and chat keep their seconds: (60 + 61 + 4) / 3 = 41.7 s; p90 of 4, 60, 61 = 60.8 s.
    asa = _tile(at, "ASA (phone & chat)")
    assert (asa.value, asa.delta) == ("42 s", "+12 s")  # 41.7 − 30
    assert "previous 30 s" in texts(at)
    assert _metric(at, "FRT median (phone & chat)") == "1 min"
    assert _metric(at, "FRT p90 (phone & chat)") == "1 min 1 s"
    # Email and social in hours: mean 3 h, median 3 h, p90 2 h + 0.9 × 2 h = 3 h 48 min.
    mean = _tile(at, "Mean first response (email & social)")
    assert (mean.value, mean.delta) == ("3 h", "")  # nothing answered the week before
    assert "previous: no data" in texts(at)
    assert _metric(at, "FRT median (email & social)") == "3 h"
    assert _metric(at, "FRT p90 (email & social)") == "3 h 48 min"
    assert not [m for m in at.metric if m.label in ("ASA", "FRT median", "FRT p90")]
    page_text = texts(at)
    assert "n = 3 answered" in page_text and "n = 2 answered" in page_text
    # Met a, phone, 2 emails; missed b, d, e, f -> 4 / 8 = 50 %; the week before 1 / 1.
    level = _tile(at, "Service level")
    assert (level.value, level.delta) == ("50.0 %", "-50.0 pts")
    assert "goal differs by channel · n = 8 · previous 100.0 %" in texts(at)
    assert _tile(at, "Breaches").delta == "+4"
    assert "previous 0" in texts(at)


def test_15_minutes_over_more_than_two_days_is_switched_to_hours_with_a_note(known_data, app_db):
    engine = make_engine(app_db)  # a contact 6 days ago: the picker reaches a week back
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(known_data - timedelta(days=6), frt=30)])
    engine.dispose()
    at = open_page("supervisor", PAGE)
    at.selectbox(key="sl_granularity").set_value("interval").run()  # over the last 7 days
    assert not at.exception
    assert (
        "15-minute intervals over 7 days would be too many points to read: showing hours. "
        "Pick a period of 2 days or fewer for 15 minutes."
    ) in [i.value for i in at.info]
    chart = at.get("plotly_chart")[0].proto.spec
    assert "per hour" in chart and "per 15 minutes" not in chart
    today = known_data.date()
    at.date_input(key="sl_period").set_value((today - timedelta(days=1), today)).run()
    assert not at.exception
    assert not [i for i in at.info if "15-minute" in i.value]
    assert "per 15 minutes" in at.get("plotly_chart")[0].proto.spec


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


def test_group_by_agent_lists_no_agent_contacts_apart(known_data, app_db, monkeypatch):
    engine = make_engine(app_db)
    with engine.begin() as conn:
        agent_id = conn.execute(
            agents.insert().values(name="Ann", team="Blue", active=True)
        ).inserted_primary_key[0]
        # An imported abandon that names the agent the call was routed to.
        insert_interactions(
            conn,
            [
                interaction(
                    known_data - timedelta(minutes=20),
                    channel_id="phone",
                    abandon_after=40,
                    agent_id=agent_id,
                )
            ],
        )
    engine.dispose()
    downloads = csv_downloads(monkeypatch)
    at = open_page("supervisor", PAGE)
    at.selectbox(key="sl_group_by").set_value("agent").run()
    assert not at.exception
    tables = [df.value for df in at.dataframe if "Agent" in df.value.columns]
    agents_table, apart = tables[0].set_index("Agent"), tables[1].set_index("Agent")
    assert agents_table.index.tolist() == ["Ann (Blue)"]  # no "No agent recorded" among agents
    assert agents_table.loc["Ann (Blue)", "Abandoned"] == 1
    assert agents_table.loc["Ann (Blue)", "Service level %"] == 0.0  # phone: a 40 s abandon
    # The 7 contacts of the worked example name no agent: their own row, under its own note.
    assert apart.index.tolist() == ["No agent recorded"]
    assert apart.loc["No agent recorded", "Offered"] == 7
    assert "Contacts with no agent recorded" in texts(at)
    exported = next(
        frame
        for frame in (pd.read_csv(io.BytesIO(d)) for d in reversed(downloads))
        if "Service level %" in frame.columns
    )
    assert exported["Agent"].tolist() == ["Ann (Blue)", "No agent recorded"]  # every row, in CSV
    # The chart draws Ann's line only (and the goals): no line for the no-agent contacts.
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    lines = [t["name"] for t in chart["data"] if not t["name"].startswith(("Goal", "Dotted"))]
    assert set(lines) <= {"Ann (Blue)", "Ann (Blue) (still running)"} and lines
    help_text = at.selectbox(key="sl_group_by").help
    assert "grouped under the agent the data names" in help_text
    assert "No agent recorded" in help_text


def test_breaches_table_csv_and_kpi_agree(known_data, monkeypatch):
    downloads = csv_downloads(monkeypatch)
    at = open_page("supervisor", PAGE)
    table = _table_with(at, "Missed by")
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
    resorted = _table_with(at, "Missed by")
    exported = pd.read_csv(io.BytesIO(downloads[-1]), dtype=str, keep_default_na=False)
    assert exported["ID"].astype(int).tolist() == resorted["ID"].tolist()
    assert resorted["Status"].iloc[0] == "Open, past target"  # 30 min late: the worst


def _late_id(at) -> int:
    table = _table_with(at, "Missed by")
    return int(table.loc[table["Status"] == "Answered late", "ID"].iloc[0])


def _shown_fact(at, field: str) -> str:
    facts = _table_with(at, "Field")
    return dict(zip(facts["Field"], facts["Value"], strict=True))[field]


def test_choosing_a_breach_opens_the_interaction(known_data):
    at = open_page("supervisor", PAGE)
    late = _late_id(at)
    at.selectbox(key="sl_breach_open").set_value(late).run()
    assert not at.exception
    assert f"Interaction {late}" in texts(at)
    assert _shown_fact(at, "FRT") == "1 min 1 s"


def test_a_refreshed_list_keeps_the_chosen_interaction(known_data, app_db):
    at = open_page("supervisor", PAGE)
    late = _late_id(at)
    at.selectbox(key="sl_breach_open").set_value(late).run()
    # A new breach arrives (newest first: every row moves down one) and the cache window turns.
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(known_data - timedelta(minutes=5), frt=300)])
    engine.dispose()
    st.cache_data.clear()
    at.run()
    assert not at.exception
    assert _metric(at, "Breaches") == "5"
    assert at.selectbox(key="sl_breach_open").value == late
    assert f"Interaction {late}" in texts(at) and _shown_fact(at, "FRT") == "1 min 1 s"


def test_a_chosen_interaction_that_left_the_list_is_cleared(known_data):
    at = open_page("supervisor", PAGE)
    late = _late_id(at)
    at.selectbox(key="sl_breach_open").set_value(late).run()
    at.multiselect(key="sl_channels").set_value(["phone"]).run()  # the chat breach leaves
    assert not at.exception
    assert at.selectbox(key="sl_breach_open").value is None
    assert f"Interaction #{late} is no longer in this list" in texts(at)
    assert f"Interaction {late}" not in texts(at).replace(f"Interaction #{late}", "")


def test_empty_period_says_no_data(known_data, app_db):
    engine = make_engine(app_db)
    with engine.begin() as conn:  # an older contact, so an empty week lies inside the data
        insert_interactions(conn, [interaction(datetime(2024, 1, 20, 12), frt=30, csat=5)])
    engine.dispose()
    at = open_page("exec", PAGE)
    at.date_input(key="sl_period").set_value((date(2024, 2, 1), date(2024, 2, 7))).run()
    assert not at.exception
    assert "No interactions arrived in 1–7 Feb 2024" in texts(at)
    assert _metric(at, "CSAT") == "no ratings"
    assert _metric(at, "Service level") == "—"
    assert _metric(at, "FRT median (phone & chat)") == "—"
    assert _table_with(at, "Missed by").empty
    specs = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert "no service level" in specs[0] and "No answered contacts" in specs[1]


def test_business_hours_toggle_names_the_calendar(known_data):
    at = open_page("supervisor", PAGE)
    at.toggle(key="sl_business_hours").set_value(True).run()
    assert not at.exception
    caption = texts(at)
    assert "Email on 'Office hours Mon-Fri 09-17'" in caption
    assert "have no calendar and stay 24/7" in caption


def test_csat_tile_shows_share_mean_and_number_rated(app_db):
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    rows = [
        interaction(now - timedelta(hours=1), frt=20, csat=rating) for rating in (5, 4, 3, 1, None)
    ]
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    engine.dispose()
    at = open_page("supervisor", PAGE)
    assert _metric(at, "CSAT") == "50.0 %"  # 2 of 4 rated; the unrated one is not counted
    assert "mean 3.25 of 5 · 4 rated" in texts(at)
    chat = _table_with(at, "Channel").set_index("Channel").loc["Chat"]
    assert (chat["CSAT (4–5)"], chat["CSAT mean"], chat["Rated"]) == ("50.0 %", 3.25, 4)
    email = _table_with(at, "Channel").set_index("Channel").loc["Email"]
    assert email["CSAT (4–5)"] == "no ratings"


def test_a_log_from_1999_opens_on_its_own_period(app_db):
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(datetime(1999, 3, 1, 10), frt=30),
                interaction(datetime(1999, 3, 10, 10), frt=90),
            ],
        )
    refresh_interval_stats(engine)
    engine.dispose()
    at = open_page("supervisor", PAGE)
    assert not at.exception
    period = at.date_input(key="sl_period")
    assert period.value == (date(1999, 3, 4), date(1999, 3, 10))  # the data's latest 7 days
    assert period.min == date(1999, 3, 1)
    assert "No arrivals in the last 7 days: showing the latest period with data" in texts(at)
    assert _metric(at, "Service level") == "0.0 %"  # 90 s against chat's 60 s
    at.date_input(key="sl_period").set_value((date(1999, 3, 1), date(1999, 3, 10))).run()
    assert _metric(at, "Service level") == "50.0 %"


def test_the_help_states_the_contact_rule_and_links_the_definitions(known_data):
    at = open_page("supervisor", PAGE)
    help_text = texts(at)
    assert "Only conversations whose first message is the customer's are offered" in help_text
    assert "the customer's messages are follow-ups: shown in the drill-down" in help_text
    links = {link.proto.label: link.proto.page for link in at.main.get("page_link")}
    assert links["Metric definitions, with worked examples"] == "metrics"


def test_qa_reviewer_is_refused(app_db):
    at = open_page("qa", PAGE)
    assert "You don't have access to **Service level**" in at.error[0].value
    assert not at.metric and not at.get("plotly_chart")


def test_breach_arrivals_read_in_local_time_with_the_zone_named(known_data):
    """The late chat arrived 30 minutes before `now` (UTC): shown in London time (the default
    zone) as 'Mon 30 Nov 2026, 11:15:07 GMT', in the table and in the interaction's facts."""
    arrived = (
        (known_data - timedelta(minutes=30))
        .replace(tzinfo=UTC)
        .astimezone(ZoneInfo("Europe/London"))
    )
    expected = f"{arrived:%a} {arrived.day} {arrived:%b %Y}, {arrived:%H:%M:%S} {arrived:%Z}"
    at = open_page("supervisor", PAGE)
    table = _table_with(at, "Missed by")
    late = _late_id(at)
    assert table.loc[table["ID"] == late, "Arrival (Europe/London)"].tolist() == [expected]
    at.selectbox(key="sl_breach_open").set_value(late).run()
    assert _shown_fact(at, "Arrived") == expected
    assert _shown_fact(at, "Resolved").endswith(f" {arrived:%Z}")
