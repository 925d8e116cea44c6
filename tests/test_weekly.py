"""Weekly figures against hand-worked weeks: the DST week 2026-W13 in Europe/London (the clocks
go forward on Sunday 29 March, so the week has 167 hours and a contact at Sunday 23:30 UTC is
already Monday 00:30 local, week 14), the New Year ISO week 2026-W01 (Monday 29 December 2025 to
Sunday 4 January 2026), and the pure pieces: ISO labels, week-over-week change, rising topics,
repeat contacts and restated figures."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import select

from analytics.weekly import (
    change,
    last_mondays,
    previous_week,
    restated,
    rising_topics,
    week_label,
    week_monday,
)
from db.schema import customers, qa_reviews, scorecards
from queries.weekly import WeeklyOptions, top_topic_rows, weekly_figures
from tests.builders import insert_interactions, interaction

TZ = "Europe/London"
NOW = datetime(2026, 6, 1, 12, 0)


# --- pure pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2025, 12, 28), "2025-W52"),
        (date(2025, 12, 29), "2026-W01"),  # Monday of ISO week 1 of 2026
        (date(2026, 1, 4), "2026-W01"),
        (date(2026, 1, 5), "2026-W02"),
        (date(2021, 1, 3), "2020-W53"),  # a 53-week year
        (date(2026, 3, 29), "2026-W13"),
    ],
)
def test_iso_week_labels(day, label):
    assert week_label(day) == label


def test_week_labels_parse_to_their_monday_and_bad_ones_are_refused():
    assert week_monday("2026-W01") == date(2025, 12, 29)
    assert week_monday("2026-W47") == date(2026, 11, 16)
    assert week_monday("2020-W53") == date(2020, 12, 28)
    for bad in ("2026-W54", "2026-47", "W47", "2026-W1"):
        with pytest.raises(ValueError):
            week_monday(bad)


def test_last_weeks_end_with_the_current_one_and_last_week_is_the_one_before():
    assert last_mondays(date(2026, 1, 1), 3) == [
        date(2025, 12, 15),
        date(2025, 12, 22),
        date(2025, 12, 29),
    ]
    assert previous_week(date(2026, 1, 5)) == "2026-W01"
    assert previous_week(date(2026, 1, 4)) == "2025-W52"


def test_change_is_points_for_percentages_and_per_cent_for_counts():
    assert change(50.0, 80.0, "%") == pytest.approx(-30.0)
    assert change(2, 5, "contacts") == pytest.approx(-60.0)
    assert change(87.5, 60.0, "score") == pytest.approx(27.5)
    assert change(3, 0, "contacts") is None  # no ratio from 0
    assert change(None, 5, "contacts") is None and change(5, float("nan"), "%") is None


def test_rising_topics_against_the_mean_of_the_weeks_before():
    counts = pd.DataFrame(
        {
            "week": ["W1", "W2", "W3", "W1", "W2", "W3", "W3"],
            "topic": ["billing", "billing", "billing", "outage", "outage", "outage", "praise"],
            "count": [10, 10, 12, 1, 3, 12, 4],
        }
    )
    rising = rising_topics(counts, week="W3", weeks=["W1", "W2"], min_count=5)
    # outage: 12 - (1 + 3) / 2 = 10; billing: 12 - 10 = 2; praise under the minimum count.
    assert rising["topic"].tolist() == ["outage", "billing"]
    assert rising["increase"].tolist() == [10.0, 2.0]
    assert rising["baseline"].tolist() == [2.0, 10.0]


def test_restated_marks_changed_values_and_keeps_both():
    reported = pd.DataFrame(
        {
            "key": ["a", "b", "c"],
            "section": ["S"] * 3,
            "label": ["A", "B", "C"],
            "value": [5.0, 80.0, None],
            "unit": ["contacts", "%", "%"],
            "n": [None, 5, 0],
        }
    )
    live = pd.DataFrame(
        {"key": ["a", "b", "c"], "value": [6.0, 80.0000000001, None], "n": [None, 5, 0]}
    )
    out = restated(reported, live)
    assert out["restated"].tolist() == [True, False, False]
    assert out.loc[0, "value"] == 5.0 and out.loc[0, "live_value"] == 6.0


# --- the hand-worked weeks on both backends ---------------------------------------------------


def _review(
    conn, interaction_id: int, total: float | None, at: datetime, status: str = "submitted"
) -> dict:
    scorecard = conn.scalar(select(scorecards.c.id).limit(1))
    return {
        "interaction_id": interaction_id,
        "reviewer": "qa",
        "scorecard_id": scorecard,
        "scores": "{}",
        "total": total,
        "auto_failed": False,
        "status": status,
        "created_at": at,
        "submitted_at": at if status == "submitted" else None,
    }


@pytest.fixture
def dst_weeks(engine):
    """Contacts of 2026-W13 and W14 (times UTC; London is UTC until 29 March 01:00, then +1)."""
    rows = [
        interaction(
            datetime(2026, 3, 23, 0, 10),
            channel_id="phone",
            frt=10,
            csat=5,
            customer_id=1,
            topic="billing",
        ),  # P1
        interaction(datetime(2026, 3, 23, 9, 0), channel_id="phone", abandon_after=30),  # P2
        interaction(
            datetime(2026, 3, 24, 10, 0),
            channel_id="email",
            frt=7200,
            csat=2,
            customer_id=2,
            topic="billing",
        ),  # E1
        interaction(datetime(2026, 3, 25, 12, 0), frt=30, customer_id=1, topic="delivery"),  # C1
        interaction(datetime(2026, 3, 29, 22, 30), frt=50, topic="billing"),  # C2: Sun 23:30 BST
        interaction(datetime(2026, 3, 29, 23, 30), frt=90),  # C3: Mon 00:30 BST -> W14
        interaction(datetime(2026, 4, 2, 12, 0), channel_id="email", frt=60, customer_id=2),  # E2
    ]
    with engine.begin() as conn:
        conn.execute(customers.insert(), [{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bo"}])
        for row in rows:  # one insert per row shape
            insert_interactions(conn, [row])
        conn.execute(
            qa_reviews.insert(),
            [
                _review(conn, 1, 80.0, datetime(2026, 3, 25, 10, 0)),
                _review(conn, 3, 95.0, datetime(2026, 3, 29, 22, 0)),  # Sun 23:00 BST: W13
                _review(conn, 4, 60.0, datetime(2026, 3, 29, 23, 30)),  # Mon 00:30 BST: W14
                # A draft counts nowhere (not in n, not in the mean).
                _review(conn, 2, None, datetime(2026, 3, 26, 9, 0), status="draft"),
            ],
        )
    return engine


def _values(data, week: str) -> dict[str, tuple]:
    part = data.figures[data.figures["week"] == week]
    return {
        key: (None if pd.isna(v) else round(v, 3), None if pd.isna(n) else int(n))
        for key, v, n in zip(part["key"], part["value"], part["n"], strict=True)
    }


def test_the_dst_week_hand_worked(dst_weeks):
    data = weekly_figures(
        engine=dst_weeks,
        tz=TZ,
        mondays=[date(2026, 3, 23), date(2026, 3, 30)],
        now=NOW,
        options=WeeklyOptions(repeat_days=7, rising_baseline_weeks=2, rising_min_count=2),
    )
    assert data.weeks["week"].tolist() == ["2026-W13", "2026-W14"]
    assert not data.weeks["partial"].any() and data.qa_available and data.topics_available
    w13 = _values(data, "2026-W13")
    assert w13["offered.total"][0] == 5  # C3 at Sunday 23:30 UTC is Monday local: week 14
    assert (w13["offered.phone"][0], w13["offered.chat"][0], w13["offered.email"][0]) == (2, 2, 1)
    assert w13["sl.total"] == (80.0, 5)  # P2 abandoned after 30 s (≥ 5 s): the one miss
    assert w13["sl.phone"] == (50.0, 2) and w13["sl.chat"] == (100.0, 2)
    assert w13["abandonment.total"] == (20.0, 5)  # 1 / (4 + 1)
    # Live FRT 10, 30, 50 s: median 30, p90 = 30 + 0.8 × 20 = 46; email alone: 2 h.
    assert w13["frt.live.median"] == (30.0, 3) and w13["frt.live.p90"] == (46.0, 3)
    assert w13["frt.async.median"] == (7200.0, 1) and w13["frt.async.p90"] == (7200.0, 1)
    assert w13["csat.total"] == (50.0, 2)  # ratings 5 and 2
    assert w13["qa.average"] == (87.5, 2)  # 80 and 95; the 00:30 BST review is week 14
    # P1 repeated by C1 two days later; E1's next contact came 9 days later; C1 none.
    assert w13["repeat.rate"] == (33.333, 3)
    assert w13["topic.billing"] == (3.0, 4) and w13["topic.delivery"] == (1.0, 4)
    assert w13["rising.billing"] == (3.0, 3)  # 3 against 0 in weeks 11-12
    assert "rising.delivery" not in w13  # under the minimum count
    w14 = _values(data, "2026-W14")
    assert w14["offered.total"][0] == 2 and w14["sl.total"] == (50.0, 2)
    assert w14["qa.average"] == (60.0, 1)
    goals = data.figures.dropna(subset=["goal"]).drop_duplicates("key")
    assert dict(zip(goals["key"], goals["goal"], strict=True))["sl.email"] == 90.0


def test_the_new_year_iso_week(engine):
    times = [
        datetime(2025, 12, 28, 23, 30),  # Sunday: 2025-W52
        datetime(2025, 12, 29, 10, 0),  # Monday: 2026-W01
        datetime(2026, 1, 2, 10, 0),
        datetime(2026, 1, 4, 23, 59),
        datetime(2026, 1, 5, 0, 0),  # 2026-W02
    ]
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(t, frt=20) for t in times])
    data = weekly_figures(
        engine=engine,
        tz=TZ,
        mondays=[date(2025, 12, 22), date(2025, 12, 29), date(2026, 1, 5)],
        now=NOW,
    )
    offered = data.figures[data.figures["key"] == "offered.total"]
    assert dict(zip(offered["week"], offered["value"], strict=True)) == {
        "2025-W52": 1,
        "2026-W01": 3,
        "2026-W02": 1,
    }
    assert not data.qa_available and not data.topics_available
    assert not data.figures["key"].str.startswith(("qa.", "topic.", "rising.")).any()


def test_the_current_week_is_partial_and_its_repeat_window_open(engine):
    now = datetime(2026, 3, 26, 12, 0)  # Thursday of week 13
    data = weekly_figures(
        engine=engine, tz=TZ, mondays=[date(2026, 3, 16), date(2026, 3, 23)], now=now
    )
    assert data.weeks["partial"].tolist() == [False, True]
    assert data.weeks["repeat_open"].tolist() == [True, True]  # W12 ended 3.5 days ago


def test_only_the_top_five_topics_are_kept_for_the_report():
    figures = pd.DataFrame(
        {
            "week": ["w"] * 8,
            "key": ["offered.total", *(f"topic.t{n}" for n in range(7))],
            "section": ["Volume", *(["Topics"] * 7)],
        }
    )
    kept = top_topic_rows(figures)
    assert kept["key"].tolist() == ["offered.total", *(f"topic.t{n}" for n in range(5))]
