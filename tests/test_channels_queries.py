"""Channel mix, social public vs private and the channel comparison, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from db.rollups import refresh_interval_stats
from queries.channels import channel_comparison, channel_mix, mix_totals, social_split
from queries.volume import arrival_span
from tests.builders import insert_interactions, interaction

LONDON = "Europe/London"
WEEK = (datetime(2026, 11, 2, 0, 0), datetime(2026, 11, 9, 0, 0))  # Mon 2 .. Sun 8 Nov (GMT)


def _history(engine, refresh: bool = True) -> None:
    monday = datetime(2026, 11, 2, 10, 0)
    rows = (
        [interaction(monday, channel_id="phone", frt=5) for _ in range(3)]
        + [interaction(monday, channel_id="chat", frt=30)]
        + [interaction(monday + timedelta(days=1), channel_id="twitter", is_public=True, frt=60)]
        * 1
        + [interaction(monday + timedelta(days=1), channel_id="twitter", frt=60)]
        + [
            interaction(monday + timedelta(days=1), channel_id="facebook", is_public=True, frt=60)
            for _ in range(2)
        ]
    )
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    if refresh:
        refresh_interval_stats(engine)


def test_mix_shares_sum_to_100_per_period_and_every_channel_is_listed(engine):
    _history(engine)
    mix = channel_mix(engine=engine, start=WEEK[0], end=WEEK[1], tz=LONDON, granularity="day")
    assert len(mix) == 7 * 6  # every day x every channel, zero-filled
    monday = mix[mix["period_start"].dt.day == 2].set_index("channel_id")
    assert monday.loc["phone", "offered"] == 3 and monday.loc["chat", "offered"] == 1
    assert monday.loc["phone", "share_percent"] == pytest.approx(75.0)
    assert monday.loc["email", "share_percent"] == 0.0
    shares = mix.groupby("period_key")["share_percent"].sum(min_count=1)
    traffic = mix.groupby("period_key")["offered"].sum()
    assert shares[traffic > 0].round(9).eq(100.0).all()
    assert shares[traffic == 0].isna().all()  # a day without traffic has no mix, not 0 %


def test_weekly_mix_and_social_split(engine):
    _history(engine)
    mix = channel_mix(engine=engine, start=WEEK[0], end=WEEK[1], tz=LONDON, granularity="week")
    assert mix["period_key"].nunique() == 1
    totals = mix_totals(mix).set_index("channel_id")
    assert totals["share_percent"].sum() == pytest.approx(100.0)
    assert totals.loc["phone", "share_percent"] == pytest.approx(37.5)
    split = social_split(mix).set_index("channel_id")
    assert list(split.index) == ["twitter", "facebook", "instagram"]
    assert (split.loc["twitter", "public_offered"], split.loc["twitter", "private_offered"]) == (
        1,
        1,
    )
    assert split.loc["facebook", "public_share_percent"] == pytest.approx(100.0)
    assert math.isnan(split.loc["instagram", "public_share_percent"])


def test_mix_counts_rows_the_rollup_has_not_seen_yet(engine):
    _history(engine, refresh=False)  # never refreshed: everything is read raw
    raw = channel_mix(engine=engine, start=WEEK[0], end=WEEK[1], tz=LONDON)
    refresh_interval_stats(engine)
    rolled = channel_mix(engine=engine, start=WEEK[0], end=WEEK[1], tz=LONDON)
    assert raw["offered"].tolist() == rolled["offered"].tolist()
    assert raw["public_offered"].tolist() == rolled["public_offered"].tolist()
    assert raw["offered"].sum() == 8


def test_empty_range_lists_every_channel_with_no_share(engine):
    mix = channel_mix(engine=engine, start=WEEK[0], end=WEEK[1], tz=LONDON)
    assert mix["offered"].sum() == 0 and mix["share_percent"].isna().all()
    assert mix_totals(mix)["share_percent"].isna().all()


def test_channel_comparison_side_by_side(engine):
    _history(engine)
    table = channel_comparison(
        engine=engine, start=WEEK[0], end=WEEK[1], tz=LONDON, now=datetime(2026, 11, 10)
    ).set_index("channel_id")
    assert list(table.index) == ["phone", "chat", "email", "twitter", "facebook", "instagram"]
    assert table.loc["phone", "service_level_percent"] == 100.0  # 5 s within the 20 s target
    assert table.loc["phone", "frt_median"] == 5.0 and table.loc["phone", "goal_percent"] == 80.0
    assert table.loc["twitter", "targets"] == "private 1 h · public 30 min"
    assert table.loc["email", "targets"] == "4 h (business hours)"
    assert table.loc["email", "offered"] == 0 and math.isnan(table.loc["email", "frt_median"])


def test_arrival_span_is_the_earliest_and_latest_arrival(engine):
    assert arrival_span(engine=engine) == (None, None)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(datetime(2011, 5, 2, 9, 30), channel_id="phone", frt=5),
                interaction(datetime(1999, 3, 1, 10), channel_id="phone", frt=5),
                interaction(datetime(2026, 11, 3, 8, 15), channel_id="chat", frt=5),
            ],
        )
    assert arrival_span(engine=engine) == (datetime(1999, 3, 1, 10), datetime(2026, 11, 3, 8, 15))
