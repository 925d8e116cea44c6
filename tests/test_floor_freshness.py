"""A contact another system writes by plain SQL shows in every Floor figure on the next read,
with no rollup refresh at all (the rollup's stale intervals are counted from raw rows)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import DateTime, Engine, bindparam, text

from analytics.floor_alerts import same_hour_windows
from analytics.periods import day_bounds, local_today
from db.rollups import refresh_interval_stats
from queries import floor
from tests.builders import insert_interactions, interaction

TZ = "Europe/London"
NOW = datetime(2025, 3, 12, 12, 0, 0)  # naive UTC, noon in London
DAY_START, DAY_END = day_bounds(local_today(NOW, TZ), TZ)

# What an external system writes: only the columns it must, no ORM, no refresh afterwards (the
# timestamps typed, so SQLite stores them in the text form every other writer uses).
EXTERNAL_INSERT = text(
    "INSERT INTO interactions (source, external_id, channel_id, direction, is_public, queue, "
    "priority, topic, sentiment, reach, created_at, status, updated_at) VALUES "
    "('crm', :external_id, :channel_id, 'inbound', :is_public, 'general', 'normal', 'billing', "
    ":sentiment, :reach, :created_at, 'open', :created_at)"
).bindparams(bindparam("created_at", type_=DateTime))


def _floor_figures(engine: Engine, now: datetime) -> dict[str, int]:
    """Each Floor figure that counts arrivals, read as the Floor reads it at `now`."""
    levels = floor.todays_service_level(
        engine=engine, start=DAY_START, end=DAY_END, tz=TZ, now=now
    ).set_index("channel_id")
    intervals = floor.offered_per_interval(engine=engine, ranges=[(DAY_START, DAY_END)])
    backlog = floor.open_unanswered(engine=engine, now=now)
    posts = floor.negative_public_posts(engine=engine, now=now)
    topics = floor.topic_counts_in_windows(
        engine=engine, windows=same_hour_windows(now, TZ, days=7)
    )
    last_hour = topics[(topics["topic"] == "billing") & (topics["window"] == 0)]["count"]
    return {
        "tile offered (twitter)": int(levels.loc["twitter", "offered"]),
        "tile pending (twitter)": int(levels.loc["twitter", "pending"]),
        "chart offered today": int(intervals["offered"].sum()),
        "chart offered 11:45 twitter": int(
            intervals[
                (intervals["interval_start"] == datetime(2025, 3, 12, 11, 45))
                & (intervals["channel_id"] == "twitter")
            ]["offered"].sum()
        ),
        "backlog": len(backlog),
        "negative posts waiting": len(posts),
        "billing contacts, last 60 minutes (spike alert)": int(last_hour.sum()),
    }


@pytest.mark.parametrize("rollup", ["built", "never built"])
def test_every_floor_figure_sees_an_external_insert_without_a_refresh(engine, rollup):
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(NOW - timedelta(hours=2), channel_id="twitter", frt=60),
                interaction(NOW - timedelta(hours=1, minutes=30), frt=20, topic="billing"),
            ],
        )
    if rollup == "built":
        refresh_interval_stats(engine)
    before = _floor_figures(engine, NOW)

    with engine.begin() as conn:
        conn.execute(
            EXTERNAL_INSERT,
            {
                "external_id": "crm-1",
                "channel_id": "twitter",
                "is_public": True,
                "sentiment": -0.8,
                "reach": 1200,
                "created_at": NOW - timedelta(minutes=5),
            },
        )
    after = _floor_figures(engine, NOW)

    grew = {name: after[name] - before[name] for name in after}
    assert grew == dict.fromkeys(after, 1)


def test_viewers_of_one_refresh_tick_share_the_first_viewers_time():
    from components.cache_floor import live_as_of

    first = datetime(2031, 5, 6, 9, 0, 3, 250_000)  # a tick no other test uses: 09:00:00-09:00:10
    assert live_as_of(first, 10) == first  # not floored to 09:00:00: counts what arrived since
    assert live_as_of(first + timedelta(seconds=6), 10) == first  # same tick: same reads
    later = first + timedelta(seconds=9)  # 09:00:12: the next tick reads afresh
    assert live_as_of(later, 10) == later
