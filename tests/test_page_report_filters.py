"""AppTest of the report pages' shared filters at a fixed "now" (Wednesday 14 January 2026,
12:00 in London, GMT): the presets give the hand-worked local dates, the period, channels and
grouping survive a trip to Channels and back, compare-with-previous shows or hides the deltas,
and Channels opens on the last 4 weeks per week against the previous 4."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from components import cache_reports
from db.engine import make_engine
from db.rollups import refresh_interval_stats
from tests.apphelpers import open_page, texts
from tests.builders import insert_interactions, interaction

SL = "pages/service_level.py"
CHANNELS = "pages/channels.py"
NOW = datetime(2026, 1, 14, 12, 0)


@pytest.fixture
def fixed_now(app_db: str, monkeypatch) -> datetime:
    """Contacts around NOW, and the report pages' clock held at NOW."""
    rows = [
        interaction(datetime(2026, 1, 12, 10), frt=30),  # chat, met (target 60 s)
        interaction(datetime(2026, 1, 13, 10), frt=90),  # chat, missed
        interaction(datetime(2026, 1, 5, 10), channel_id="phone", frt=4),  # phone, met
        interaction(datetime(2025, 12, 15, 10), frt=20),  # chat, met: previous month
    ]
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)
    engine.dispose()
    monkeypatch.setattr(cache_reports, "report_now", lambda: NOW)
    return NOW


def _tile(at, label: str):
    return next(m for m in at.metric if m.label == label)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("today", (date(2026, 1, 14), date(2026, 1, 14))),
        ("yesterday", (date(2026, 1, 13), date(2026, 1, 13))),
        ("last_7_days", (date(2026, 1, 8), date(2026, 1, 14))),
        ("last_4_weeks", (date(2025, 12, 22), date(2026, 1, 14))),  # Monday 3 weeks back
        ("this_month", (date(2026, 1, 1), date(2026, 1, 14))),
        ("previous_month", (date(2025, 12, 1), date(2025, 12, 31))),  # January: December
    ],
)
def test_presets_set_the_local_dates(fixed_now, preset, expected):
    at = open_page("supervisor", SL)
    at.selectbox(key="sl_preset").set_value(preset).run()
    assert not at.exception
    assert at.date_input(key="sl_period").value == expected


def test_previous_month_shows_decembers_figures(fixed_now):
    at = open_page("supervisor", SL)
    at.selectbox(key="sl_preset").set_value("previous_month").run()
    assert _tile(at, "Service level").value == "100.0 %"  # the 15 December chat, met
    assert "1–31 Dec 2025" in texts(at)


def test_filters_are_kept_across_pages(fixed_now):
    at = open_page("supervisor", SL)
    at.selectbox(key="sl_preset").set_value("previous_month").run()
    at.multiselect(key="sl_channels").set_value(["chat"]).run()
    at.selectbox(key="sl_group_by").set_value("queue").run()
    at.toggle(key="sl_compare").set_value(False).run()

    at.switch_page(CHANNELS).run()
    assert not at.exception
    assert at.selectbox(key="ch_preset").value == "previous_month"
    assert at.date_input(key="ch_period").value == (date(2025, 12, 1), date(2025, 12, 31))
    assert at.toggle(key="ch_compare").value is False
    at.radio(key="ch_mix_mode").set_value("count").run()

    at.switch_page(SL).run()
    assert not at.exception
    assert at.selectbox(key="sl_preset").value == "previous_month"
    assert at.date_input(key="sl_period").value == (date(2025, 12, 1), date(2025, 12, 31))
    assert at.multiselect(key="sl_channels").value == ["chat"]
    assert at.selectbox(key="sl_group_by").value == "queue"
    assert at.toggle(key="sl_compare").value is False

    # Dates picked by hand make a custom range, shared the same way.
    at.date_input(key="sl_period").set_value((date(2026, 1, 5), date(2026, 1, 12))).run()
    assert at.selectbox(key="sl_preset").value == "custom"
    at.switch_page(CHANNELS).run()
    assert at.selectbox(key="ch_preset").value == "custom"
    assert at.date_input(key="ch_period").value == (date(2026, 1, 5), date(2026, 1, 12))
    assert at.radio(key="ch_mix_mode").value == "count"  # Channels' own choice, kept too


def test_compare_with_previous_period_shows_the_deltas(fixed_now):
    at = open_page("supervisor", SL)
    at.selectbox(key="sl_preset").set_value("last_7_days").run()
    # 8–14 Jan: chat met + missed -> 50 %; compared with 1–7 Jan: the phone call, met.
    level = _tile(at, "Service level")
    assert (level.value, level.delta) == ("50.0 %", "-50.0 pts")
    assert "previous 100.0 %" in texts(at)
    assert "change from 1–7 Jan 2026" in level.help
    at.toggle(key="sl_compare").set_value(False).run()
    level = _tile(at, "Service level")
    assert (level.value, level.delta) == ("50.0 %", "")
    assert "previous 100.0 %" not in texts(at)


def test_channels_opens_on_the_last_4_weeks_per_week_against_the_4_before(fixed_now):
    at = open_page("exec", CHANNELS)
    assert not at.exception
    assert at.selectbox(key="ch_preset").value == "last_4_weeks"
    assert at.date_input(key="ch_period").value == (date(2025, 12, 22), date(2026, 1, 14))
    assert at.radio(key="ch_granularity").value == "week"
    chart = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "Channel mix" in json.dumps(json.loads(c.proto.spec)["layout"]["title"])
    )
    title = chart["layout"]["title"]
    assert "share of offered per week, 22 Dec 2025 – 14 Jan 2026" in str(title)
    chat = next(t for t in chart["data"] if t["name"].startswith("Chat"))
    assert chat["name"] == "Chat (n = 2)"
    assert len(chat["x"]) == 4  # weeks of 22 Dec, 29 Dec, 5 Jan, 12 Jan
    # The running week (12–18 Jan) is hatched, the whole ones are not.
    assert chat["marker"]["pattern"]["shape"] == ["", "", "", "/"]
    # Compared with 24 Nov – 17 Dec 2025 (the same weekdays 4 weeks earlier): the 15 Dec chat.
    mix = next(df.value for df in at.dataframe if "Share of offered %" in df.value.columns)
    mix = mix.set_index("Channel")
    assert (mix.loc["Chat", "Offered (n)"], mix.loc["Chat", "Share of offered %"]) == (2, 66.7)
    assert (mix.loc["Chat", "Offered (previous)"], mix.loc["Chat", "Share % (previous)"]) == (
        1,
        100.0,
    )
    assert mix.loc["Chat", "Offered change %"] == 100.0
    assert mix.loc["Chat", "Share change (pts)"] == -33.3
    assert mix.loc["Phone", "Offered (previous)"] == 0
    assert "Previous period: 24 Nov – 17 Dec 2025." in texts(at)
    side = next(df.value for df in at.dataframe if "Goal %" in df.value.columns)
    chat_side = side.set_index("Channel").loc["Chat"]
    assert (chat_side["Service level %"], chat_side["SL n (met + missed)"]) == (50.0, 2)
    assert (chat_side["Service level % (previous)"], chat_side["SL change (pts)"]) == (
        100.0,
        -50.0,
    )
