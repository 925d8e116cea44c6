"""queries.floor on SQLite and PostgreSQL, with hand-worked expected values.

NOW is a Wednesday noon in March, when Europe/London is on GMT, so local and UTC agree and the
local day is [00:00, 24:00) UTC. Seeded policies: phone 20 s (exclude_short), chat 60 s (fail),
email 4 h, social public 1,800 s and private 3,600 s.
"""

from datetime import datetime, timedelta

import pandas as pd
import pytest

from analytics.floor import channel_summary
from analytics.periods import day_bounds, to_local
from db.rollups import refresh_interval_stats
from db.schema import agent_skills, agent_states, agents, customer_handles, customers, interactions
from queries import floor
from tests.builders import interaction

NOW = datetime(2025, 3, 12, 12, 0, 0)
TZ = "Europe/London"
DAY_START, DAY_END = day_bounds(NOW.date(), TZ)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def insert_interactions(conn, rows) -> None:
    """Insert rows one by one: rows setting different optional fields can't share a batch."""
    for row in rows:
        conn.execute(interactions.insert(), row)


def open_contact(created_at: datetime, **fields):
    """An open, unanswered contact (the builder's default when no frt/abandon is given)."""
    return interaction(created_at, **fields)


@pytest.fixture
def today_engine(engine):
    """A day of contacts on chat, phone and twitter, plus yesterday's, rolled up."""
    rows = [
        # The DESIGN worked example on chat (target 60 s): a met, b missed, c/d open, e/f abandoned.
        interaction(ago(3600), frt=60, handle_seconds=300),  # a
        interaction(ago(3540), frt=61, handle_seconds=500),  # b
        open_contact(ago(30)),  # c: pending
        open_contact(ago(90)),  # d: open past target
        interaction(ago(3000), abandon_after=10),  # e
        interaction(ago(2900), abandon_after=3),  # f: short abandon
        interaction(ago(7200), channel_id="phone", frt=10),
        interaction(ago(7200), channel_id="twitter", is_public=True, frt=1700),  # met (1800)
        interaction(ago(7200), channel_id="twitter", is_public=False, frt=3000),  # met (3600)
        interaction(ago(7200), channel_id="twitter", is_public=True, frt=2000),  # missed
        interaction(DAY_START - timedelta(minutes=10), frt=5),  # yesterday, 23:50
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)
    return engine


def test_todays_service_level_follows_the_design_worked_example(today_engine):
    frame = floor.todays_service_level(
        engine=today_engine, start=DAY_START, end=DAY_END, tz=TZ, now=NOW
    )
    assert list(frame["channel_id"]) == [
        "phone",
        "chat",
        "email",
        "twitter",
        "facebook",
        "instagram",
    ]
    by_channel = frame.set_index("channel_id")
    # chat (60 s, rule fail): a met; b, d (open 90 s), e, f missed; c (open 30 s) pending.
    chat = by_channel.loc["chat"]
    assert (chat.offered, chat.answered, chat.abandoned) == (6, 2, 2)
    assert (chat.met, chat.missed, chat.pending) == (1, 4, 1)
    assert chat.service_level_percent == 20.0
    twitter = by_channel.loc["twitter"]  # 1,700 s of 1,800 and 3,000 of 3,600 met; 2,000 missed
    assert (twitter.offered, twitter.met, twitter.missed) == (3, 2, 1)
    assert (by_channel.loc["phone"].offered, by_channel.loc["phone"].met) == (1, 1)
    assert by_channel.loc["email"].offered == 0  # zero-filled, not missing
    assert pd.isna(by_channel.loc["email"].service_level_percent)  # no data, never 0 %


def test_todays_service_level_filters_by_channel(today_engine):
    def read(channel_ids):
        return floor.todays_service_level(
            engine=today_engine, start=DAY_START, end=DAY_END, tz=TZ, now=NOW,
            channel_ids=channel_ids,
        )  # fmt: skip

    frame = read(("twitter", "chat"))
    assert list(frame["channel_id"]) == ["chat", "twitter"]
    assert frame["offered"].sum() == 9
    empty = read(())
    assert empty.empty and "offered" in empty.columns


def _floor_row(engine, *, now, tz=TZ, rolled_up: bool):
    """Chat's row of the Floor's channel summary, read as the page reads it."""
    if rolled_up:
        refresh_interval_stats(engine)
    start, end = day_bounds(to_local(now, tz).date(), tz)
    levels = floor.todays_service_level(engine=engine, start=start, end=end, tz=tz, now=now)
    summary = channel_summary(
        levels,
        floor.open_unanswered(engine=engine, now=now),
        floor.channel_policies(engine=engine, at=now),
        as_of=now,
        warn_points=5.0,
    )
    return summary.set_index("channel_id").loc["chat"]


@pytest.mark.parametrize("rolled_up", [True, False], ids=["rollup", "raw"])
def test_floor_judges_a_contact_exactly_at_target_and_one_second_past(engine, rolled_up):
    # Chat's target is 60 s: at it is met (answered) or pending (open); one second past, missed.
    rows = [
        interaction(ago(600), frt=60),
        interaction(ago(600), frt=61),
        open_contact(ago(60)),
        open_contact(ago(61)),
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    row = _floor_row(engine, now=NOW, rolled_up=rolled_up)
    assert (row["offered"], row["met"], row["missed"], row["pending"]) == (4, 1, 2, 1)
    assert row["service_level_percent"] == pytest.approx(100 / 3)
    assert (row["backlog"], row["oldest_wait_seconds"]) == (2, 61.0)


@pytest.mark.parametrize("rolled_up", [True, False], ids=["rollup", "raw"])
def test_floor_today_starts_at_local_midnight(engine, rolled_up):
    # 11 June, BST: local midnight is 23:00:00 UTC the evening before.
    now = datetime(2025, 6, 11, 12, 0)
    midnight = datetime(2025, 6, 10, 23, 0)
    rows = [
        interaction(midnight, frt=30),  # 00:00:00 local: today's
        interaction(midnight - timedelta(seconds=1), frt=90),  # 23:59:59 local: yesterday's
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    row = _floor_row(engine, now=now, tz="Europe/London", rolled_up=rolled_up)
    assert (row["offered"], row["met"], row["missed"]) == (1, 1, 0)
    assert row["service_level_percent"] == 100.0


def test_offered_per_interval_sums_queues_per_15_minutes(today_engine):
    with today_engine.begin() as conn:
        # Written now (updated_at), so the incremental refresh picks it up.
        insert_interactions(conn, [interaction(ago(3590), queue="vip", updated_at=NOW)])
    refresh_interval_stats(today_engine)
    frame = floor.offered_per_interval(
        engine=today_engine, ranges=[(DAY_START, DAY_END)], channel_ids=["chat"]
    )
    counts = dict(zip(frame["interval_start"], frame["offered"], strict=True))
    # a 11:00:00, vip 11:00:10, b 11:01, e 11:10, f 11:11:40 | d 11:58:30, c 11:59:30
    assert counts == {datetime(2025, 3, 12, 11, 0): 5, datetime(2025, 3, 12, 11, 45): 2}
    several = floor.offered_per_interval(
        engine=today_engine,
        ranges=[(DAY_START - timedelta(days=1), DAY_START), (NOW - timedelta(hours=1), NOW)],
        channel_ids=["chat"],
    )
    assert several["offered"].sum() == 8  # yesterday's one + the last hour's seven
    assert floor.offered_per_interval(engine=today_engine, ranges=[]).empty


def test_handle_time_is_the_mean_of_handled_contacts(today_engine):
    frame = floor.handle_time_by_channel(engine=today_engine, start=DAY_START, end=DAY_END)
    by_channel = frame.set_index("channel_id")
    assert by_channel.loc["chat", "handled"] == 2
    assert by_channel.loc["chat", "aht_seconds"] == 400.0  # (300 + 500) / 2
    assert pd.isna(by_channel.loc["phone", "aht_seconds"])  # answered, but no handle time


def test_first_interval_is_the_start_of_history(engine, today_engine):
    assert floor.first_interval(engine=today_engine) == datetime(2025, 3, 11, 23, 45)


def test_first_interval_of_an_empty_rollup_is_none(engine):
    assert floor.first_interval(engine=engine) is None


def test_open_backlog_carries_each_rows_policy_target(engine):
    yesterday = NOW - timedelta(days=1)
    rows = [
        open_contact(ago(30)),  # chat, 60 s
        open_contact(ago(600), channel_id="twitter", is_public=True),  # 1,800 s
        open_contact(ago(600), channel_id="twitter", is_public=False),  # 3,600 s
        open_contact(yesterday, channel_id="email", status="pending"),  # 14,400 s, any day
        open_contact(NOW + timedelta(seconds=5)),  # arrives after `now`: not yet
        open_contact(ago(60), direction="outbound"),  # ours, not the customer's
        interaction(ago(60), frt=20),  # answered
        interaction(ago(60), abandon_after=5),  # abandoned
        open_contact(ago(60), resolved_at=ago(10), status="resolved"),  # closed, no reply
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    frame = floor.open_unanswered(engine=engine, now=NOW)
    got = sorted(zip(frame["channel_id"], frame["is_public"], frame["target_seconds"], strict=True))
    assert got == [
        ("chat", False, 60.0),
        ("email", False, 14400.0),
        ("twitter", False, 3600.0),
        ("twitter", True, 1800.0),
    ]
    assert frame["created_at"].min() == yesterday
    only_social = floor.open_unanswered(engine=engine, now=NOW, channel_ids=["twitter"])
    assert len(only_social) == 2


def test_closed_without_reply_past_target_is_a_miss_today(engine):
    rows = [
        open_contact(ago(600), resolved_at=ago(480), status="resolved"),  # waited 120 s > 60
        open_contact(ago(600), resolved_at=ago(570), status="resolved"),  # 30 s: within
        open_contact(ago(600), resolved_at=ago(540), status="resolved"),  # exactly 60 s: within
        open_contact(
            ago(4000), channel_id="twitter", is_public=True, resolved_at=ago(100), status="resolved"
        ),  # 3,900 s > 1,800
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    frame = floor.todays_service_level(engine=engine, start=DAY_START, end=DAY_END, tz=TZ, now=NOW)
    by_channel = frame.set_index("channel_id")
    assert by_channel.loc["chat", ["missed", "excluded"]].tolist() == [1, 2]
    assert by_channel.loc["twitter", ["missed", "excluded"]].tolist() == [1, 0]


def _customers(conn):
    conn.execute(
        customers.insert(),
        [{"id": 1, "name": "Low Reach"}, {"id": 2, "name": "High Reach"}, {"id": 3, "name": "Fb"}],
    )
    conn.execute(
        customer_handles.insert(),
        [
            {"id": 1, "customer_id": 1, "channel_id": "twitter", "handle": "@low"},
            {"id": 2, "customer_id": 2, "channel_id": "twitter", "handle": "@high"},
            {"id": 3, "customer_id": 3, "channel_id": "twitter", "handle": "@fb_on_twitter"},
        ],
    )


def test_negative_public_posts_rank_by_reach(engine):
    public = {"channel_id": "twitter", "is_public": True}
    rows = [
        open_contact(ago(100), customer_id=1, sentiment=-0.5, reach=100, body="meh", **public),
        open_contact(ago(2000), customer_id=2, sentiment=-0.2, reach=5000, body="bad", **public),
        open_contact(ago(100), customer_id=2, sentiment=0.3, reach=10_000, **public),  # positive
        open_contact(ago(100), customer_id=2, sentiment=0.0, reach=10_000, **public),  # neutral
        # Mildly below 0 but above the negative threshold (-0.05): not a negative post.
        open_contact(ago(100), customer_id=2, sentiment=-0.04, reach=20_000, **public),
        open_contact(ago(100), customer_id=1, channel_id="twitter", sentiment=-0.9, reach=9000),
        interaction(ago(100), frt=10, customer_id=1, sentiment=-0.9, reach=9000, **public),
        # No handle on facebook, so the author is the customer's name; no reach: last.
        open_contact(ago(100), channel_id="facebook", is_public=True, customer_id=3, sentiment=-1),
        open_contact(ago(100), channel_id="chat", is_public=True, sentiment=-1, reach=99_999),
    ]
    with engine.begin() as conn:
        _customers(conn)
        insert_interactions(conn, rows)
    frame = floor.negative_public_posts(engine=engine, now=NOW)
    assert list(frame["author"]) == ["@high", "@low", "Fb"]
    assert list(frame["target_seconds"]) == [1800.0, 1800.0, 1800.0]
    assert frame.loc[0, "body"] == "bad"
    assert pd.isna(frame.loc[2, "reach"])
    assert list(floor.negative_public_posts(engine=engine, now=NOW, limit=1)["author"]) == ["@high"]
    assert floor.negative_public_posts(engine=engine, now=NOW, channel_ids=["instagram"]).empty


def test_latest_agent_state_per_agent(engine):
    at = NOW.replace(hour=0)
    with engine.begin() as conn:
        conn.execute(
            agents.insert(),
            [
                {"id": 1, "name": "Ann", "team": "Voice", "active": True},
                {"id": 2, "name": "Bo", "team": "Email", "active": True},
                {"id": 3, "name": "Cy", "team": "Social", "active": True},
                {"id": 4, "name": "Di", "team": "Voice", "active": False},
                {"id": 5, "name": "Ed", "team": "Chat", "active": True},
            ],
        )
        conn.execute(
            agent_skills.insert(),
            [
                {"agent_id": 1, "channel_id": "chat"},
                {"agent_id": 1, "channel_id": "phone"},
                {"agent_id": 2, "channel_id": "email"},
                {"agent_id": 3, "channel_id": "twitter"},
                {"agent_id": 4, "channel_id": "phone"},
                {"agent_id": 5, "channel_id": "chat"},
            ],
        )
        conn.execute(
            agent_states.insert(),
            [
                {"id": 1, "agent_id": 1, "state": "available", "since": at.replace(hour=9)},
                {"id": 2, "agent_id": 1, "state": "busy", "since": at.replace(hour=11)},
                {"id": 3, "agent_id": 1, "state": "break", "since": at.replace(hour=13)},  # later
                {"id": 4, "agent_id": 2, "state": "offline", "since": at.replace(hour=8)},
                {"id": 5, "agent_id": 2, "state": "available", "since": at.replace(hour=10)},
                {"id": 6, "agent_id": 4, "state": "busy", "since": at.replace(hour=10)},
                # Two rows at the same instant: the later row (higher id) wins.
                {"id": 7, "agent_id": 5, "state": "available", "since": at.replace(hour=10)},
                {"id": 8, "agent_id": 5, "state": "after_call", "since": at.replace(hour=10)},
            ],
        )
    frame = floor.latest_agent_states(engine=engine, now=NOW)
    states = dict(zip(frame["name"], frame["state"], strict=True))
    assert states == {"Ann": "busy", "Bo": "available", "Cy": "offline", "Ed": "after_call"}
    by_name = frame.set_index("name")
    assert by_name.loc["Ann", "skills"] == ("chat", "phone")
    assert by_name.loc["Ann", "since"] == at.replace(hour=11)
    assert pd.isna(by_name.loc["Cy", "since"])
    email = floor.latest_agent_states(engine=engine, now=NOW, channel_ids=["email"])
    assert list(email["name"]) == ["Bo"]


def test_current_contacts_are_the_open_ones_the_agent_holds(engine):
    """Working now = assigned and open (the centre's move); pending waits on the customer."""
    with engine.begin() as conn:
        conn.execute(
            agents.insert(),
            [{"id": 1, "name": "Ann", "team": "Chat", "active": True},
             {"id": 2, "name": "Bo", "team": "Chat", "active": True}],
        )  # fmt: skip
        working = {"status": "open", "resolved_at": None}
        waiting_on_customer = {"status": "pending", "resolved_at": None}
        insert_interactions(
            conn,
            [
                interaction(ago(300), frt=20, agent_id=1, **working),  # Ann: on it
                interaction(ago(3 * 3600), frt=60, agent_id=1, **working),  # Ann: a long one
                open_contact(ago(100), agent_id=1),  # Ann: assigned, not yet answered
                interaction(ago(200), frt=20, agent_id=1, **waiting_on_customer),  # replied
                interaction(ago(400), frt=20, agent_id=1),  # resolved: not current
                interaction(ago(400), abandon_after=5, agent_id=1),  # abandoned
                open_contact(ago(50), agent_id=1, direction="outbound"),  # not a contact
                open_contact(NOW + timedelta(seconds=5), agent_id=1),  # after now
                open_contact(ago(60)),  # nobody's yet
            ],
        )
    frame = floor.latest_agent_states(engine=engine, now=NOW).set_index("name")
    assert frame["current_contacts"].to_dict() == {"Ann": 3, "Bo": 0}


def test_topic_counts_per_window(engine):
    rows = [
        *[open_contact(ago(60 * i), topic="billing") for i in range(1, 4)],  # last hour: 3
        open_contact(ago(60), topic="outage", channel_id="twitter"),
        open_contact(ago(3600 + 60), topic="billing"),  # the hour before: 1
        open_contact(ago(60)),  # no topic: left out
        open_contact(ago(60), topic="billing", direction="outbound"),
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    windows = [(ago(3600), NOW), (ago(7200), ago(3600))]
    frame = floor.topic_counts_in_windows(engine=engine, windows=windows)
    got = {(t, w): c for t, w, c in frame.itertuples(index=False)}
    assert got == {("billing", 0): 3, ("billing", 1): 1, ("outage", 0): 1}
    chat_only = floor.topic_counts_in_windows(engine=engine, windows=windows, channel_ids=["chat"])
    assert set(chat_only["topic"]) == {"billing"}


def test_channel_policies_pick_the_tighter_target(engine):
    frame = floor.channel_policies(engine=engine, at=NOW).set_index("channel_id")
    assert frame.loc["twitter", "target_seconds"] == 1800.0  # public, not private 3,600
    assert bool(frame.loc["twitter", "is_public"]) is True
    assert (frame.loc["phone", "target_seconds"], frame.loc["phone", "abandon_rule"]) == (
        20.0,
        "exclude_short",
    )
    assert (frame.loc["email", "target_seconds"], frame.loc["email", "goal_percent"]) == (
        14400.0,
        90.0,
    )
    only = floor.channel_policies(engine=engine, at=NOW, channel_ids=["chat"])
    assert list(only["channel_id"]) == ["chat"]


def test_channel_catalogue_lists_channels_in_order(engine):
    frame = floor.channel_catalogue(engine=engine)
    assert list(frame["channel_id"])[:3] == ["phone", "chat", "email"]
    assert set(frame.loc[frame["is_social"].astype(bool), "channel_id"]) == {
        "twitter",
        "facebook",
        "instagram",
    }


def test_recent_service_level_covers_the_last_30_and_60_minutes(today_engine):
    """Chat, abandon rule `fail`: the last 30 minutes hold c (pending) and d (missed): 0 % on
    n = 1; the last 60 hold a (met, 11:00:00 exactly: the window's first second), b, d, e and
    f (missed): 1 / 5 = 20 %. Twitter's contacts are two hours old: no data, n = 0."""
    levels = {
        minutes: floor.recent_service_level(
            engine=today_engine, now=NOW, minutes=minutes, tz=TZ
        ).set_index("channel_id")
        for minutes in (30, 60)
    }
    chat_30, chat_60 = levels[30].loc["chat"], levels[60].loc["chat"]
    assert (chat_30["met"], chat_30["missed"], chat_30["pending"]) == (0, 1, 1)
    assert chat_30["service_level_percent"] == 0.0
    assert (chat_60["met"], chat_60["missed"], chat_60["pending"]) == (1, 4, 1)
    assert chat_60["service_level_percent"] == pytest.approx(20.0)
    twitter = levels[60].loc["twitter"]
    assert twitter["met"] + twitter["missed"] == 0
    assert pd.isna(twitter["service_level_percent"])
    only_phone = floor.recent_service_level(
        engine=today_engine, now=NOW, minutes=60, tz=TZ, channel_ids=["phone"]
    )
    assert list(only_phone["channel_id"]) == ["phone"]
