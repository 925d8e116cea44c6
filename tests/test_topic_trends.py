"""Topic trends: local days and ISO weeks (New Year, DST) in SQL on both backends, zero-filled
tables with shares, the spike rule over weeks and days (too little history), week over week."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine

from analytics.topic_trends import (
    daily_table,
    first_full_week,
    focus_period,
    iso_label,
    mark_spikes,
    spiking_topics,
    week_over_week,
    weekly_table,
)
from queries.topic_trends import daily_topic_counts, topic_contacts
from tests.builders import insert_interactions, interaction

TZ = "Europe/London"


def contact(created_at: datetime, **fields) -> dict:
    """A row with every column these tests vary (one executemany takes one set of columns)."""
    defaults = {"topic": None, "sentiment": None, "is_public": False, "conversation_id": None}
    return interaction(created_at, **{**defaults, **fields})


def test_iso_weeks_across_new_year():
    assert iso_label(date(2026, 12, 31)) == "2026-W53"  # a Thursday: 2026 has 53 ISO weeks
    assert iso_label(date(2027, 1, 3)) == "2026-W53"  # Sunday: still the old ISO year
    assert iso_label(date(2027, 1, 4)) == "2027-W01"
    assert iso_label(date(2025, 12, 29)) == "2026-W01"  # Monday before New Year: the new one


def test_days_and_weeks_are_local_across_new_year_and_the_clock_changes(engine: Engine):
    rows = [
        # Sunday 29 Mar 2026 23:30 UTC is Monday 00:30 BST: week 2026-W14, not W13.
        contact(datetime(2026, 3, 29, 23, 30), topic="billing", sentiment=-0.5),
        # Saturday 24 Oct 23:30 UTC is Sunday 00:30 BST (W43); Sunday 25 Oct 23:30 UTC is
        # still Sunday (GMT from 02:00): both the 25-hour day of W43.
        contact(datetime(2026, 10, 24, 23, 30), topic="billing", sentiment=0.2),
        contact(datetime(2026, 10, 25, 23, 30), topic="billing"),
        # New Year: 31 Dec and 3 Jan are 2026-W53; 4 Jan is 2027-W01.
        contact(datetime(2026, 12, 31, 12), topic="outage", sentiment=-0.1),
        contact(datetime(2027, 1, 3, 23, 59), topic=None),
        contact(datetime(2027, 1, 4, 0, 0), topic="outage"),
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    daily = daily_topic_counts(
        engine=engine, start=datetime(2026, 3, 1), end=datetime(2027, 2, 1), tz=TZ
    )
    assert list(zip(daily["day"], daily["topic"], daily["count"], strict=True)) == [
        (date(2026, 3, 30), "billing", 1),
        (date(2026, 10, 25), "billing", 2),
        (date(2026, 12, 31), "outage", 1),
        (date(2027, 1, 3), "(no topic)", 1),
        (date(2027, 1, 4), "outage", 1),
    ]
    assert list(daily["negative"]) == [1, 0, 1, 0, 0]
    assert list(daily["scored"]) == [1, 1, 1, 0, 0]
    weekly = weekly_table(daily, date(2026, 12, 28), date(2027, 1, 10))
    w53 = weekly[weekly["iso_week"] == "2026-W53"].set_index("topic")
    assert w53.loc["outage", "count"] == 1 and w53.loc["(no topic)", "count"] == 1
    assert w53.loc["outage", "share"] == 50.0 and w53.loc["outage", "negative_share"] == 100.0
    w01 = weekly[weekly["iso_week"] == "2027-W01"].set_index("topic")
    assert w01.loc["outage", "count"] == 1 and w01.loc["billing", "count"] == 0
    assert pd.isna(w01.loc["outage", "negative_share"])  # not scored: no share, not 0 %
    autumn = weekly_table(daily, date(2026, 10, 19), date(2026, 10, 25))
    assert autumn.set_index("topic").loc["billing", "iso_week"] == "2026-W43"


def test_filters_by_channel_and_visibility_and_counts_contacts_only(engine: Engine):
    t = datetime(2026, 6, 1, 10)
    rows = [
        contact(t, channel_id="twitter", is_public=True, topic="outage", conversation_id="x"),
        contact(t.replace(minute=5), channel_id="twitter", is_public=True, topic="outage",
                    conversation_id="x"),  # a follow-up: not a contact
        contact(t, channel_id="twitter", is_public=False, topic="outage"),
        contact(t, channel_id="chat", topic="outage"),
    ]  # fmt: skip
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    window = {
        "engine": engine,
        "start": datetime(2026, 6, 1),
        "end": datetime(2026, 6, 2),
        "tz": TZ,
    }
    assert daily_topic_counts(**window)["count"].tolist() == [3]
    assert daily_topic_counts(**window, channel_ids=["twitter"])["count"].tolist() == [2]
    assert daily_topic_counts(**window, visibility=True)["count"].tolist() == [1]
    assert daily_topic_counts(**window, visibility=False)["count"].tolist() == [2]
    contacts = topic_contacts(
        engine=engine, topic="outage", start=window["start"], end=window["end"], visibility=True
    )
    assert len(contacts) == 1 and contacts.loc[0, "channel_id"] == "twitter"


def _weekly(counts: list[int], first: date = date(2026, 1, 5)) -> pd.DataFrame:
    days = [first + pd.Timedelta(weeks=n) for n in range(len(counts))]
    daily = pd.DataFrame(
        {"day": days, "topic": "billing", "count": counts, "negative": 0, "scored": 0}
    )
    return weekly_table(daily, days[0], days[-1])


RULE = {"z_threshold": 3.0, "min_count": 10}


def test_spike_rule_on_a_hand_made_weekly_series():
    # Baseline 10, 12, 8, 10, 10, 12, 8, 10: mean 10, population std √2.
    table = _weekly([10, 12, 8, 10, 10, 12, 8, 10, 15, 14])
    marked = mark_spikes(table, baseline_periods=8, history_start=date(2026, 1, 5), **RULE)
    week9, week10 = marked.iloc[8], marked.iloc[9]
    assert week9["z"] == pytest.approx(5 / 2**0.5)  # 3.54 ≥ 3 → spike
    assert bool(week9["is_spike"])
    # Week 10's baseline is weeks 2–9 (incl. the spike): mean 10.625, std ≈ 2.0 → z ≈ 1.7.
    assert not bool(week10["is_spike"])
    assert spiking_topics(marked, [week9["period"]]) == ["billing"]


def test_too_little_history_is_never_a_spike():
    table = _weekly([1, 1, 1, 40, 2, 2, 2, 2, 60])
    marked = mark_spikes(table, baseline_periods=8, history_start=date(2026, 1, 5), **RULE)
    # Week 4 has only 3 weeks before it (4 are needed): no z, no spike, however big.
    assert marked.iloc[3]["baseline_n"] == 3 and pd.isna(marked.iloc[3]["z"])
    assert not bool(marked.iloc[3]["is_spike"])
    assert bool(marked.iloc[8]["is_spike"])
    # Weeks before the history started are left out, not read as zero.
    later = mark_spikes(table, baseline_periods=8, history_start=date(2026, 2, 9), **RULE)
    assert later.iloc[8]["baseline_n"] == 3 and not bool(later.iloc[8]["is_spike"])
    assert not mark_spikes(table, baseline_periods=8, history_start=None, **RULE)["is_spike"].any()
    # A history that starts on a Wednesday: its first week is partial and not a baseline week.
    assert first_full_week(date(2026, 1, 7)) == date(2026, 1, 12)
    assert first_full_week(date(2026, 1, 12)) == date(2026, 1, 12)


def test_minimum_count_holds_a_spike_back_and_days_use_the_same_rule():
    days = [date(2026, 5, 1) + pd.Timedelta(days=n) for n in range(6)]
    daily = pd.DataFrame(
        {"day": days, "topic": "outage", "count": [1, 1, 1, 1, 1, 9], "negative": 0, "scored": 0}
    )
    table = daily_table(daily, days[0], days[-1])
    marked = mark_spikes(table, baseline_periods=14, history_start=days[0], **RULE)
    assert marked.iloc[5]["z"] == pytest.approx(8.0)  # std 0 floored at 1
    assert not bool(marked.iloc[5]["is_spike"])  # 9 < minimum count 10
    marked = mark_spikes(table, baseline_periods=14, history_start=days[0], z_threshold=3.0,
                         min_count=5)  # fmt: skip
    assert bool(marked.iloc[5]["is_spike"])


def test_week_over_week_rising_first_falling_last():
    days = [date(2026, 1, 5), date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 12)]
    daily = pd.DataFrame(
        {"day": days, "topic": ["a", "b", "a", "c"], "count": [4, 10, 6, 3], "negative": 0,
         "scored": 0}
    )  # fmt: skip
    weekly = weekly_table(daily, days[0], days[-1])
    wow = week_over_week(weekly, date(2026, 1, 12))
    assert wow[["topic", "count", "previous", "change"]].values.tolist() == [
        ["c", 3, 0, 3],
        ["a", 6, 4, 2],
        ["b", 0, 10, -10],
    ]
    assert wow.set_index("topic").loc["a", "change_percent"] == 50.0
    assert pd.isna(wow.set_index("topic").loc["c", "change_percent"])  # from nothing


def test_the_focus_period_is_the_spikes_not_always_the_newest():
    table = _weekly([10, 12, 8, 10, 10, 12, 8, 10, 15, 11])
    marked = mark_spikes(table, baseline_periods=8, history_start=date(2026, 1, 5), **RULE)
    week9, week10 = sorted(marked["period"])[-2:]
    assert focus_period(marked, "billing", [week10, week9]) == week9  # spiked the week before
    assert focus_period(marked, "other", [week10, week9]) == week10
