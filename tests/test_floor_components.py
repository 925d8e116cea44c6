"""The Floor page's pure builders (analytics.floor, staffing, floor_alerts, expected_volume) and
the components' wording and figure, checked with hand-worked values and without Streamlit."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from analytics.expected_volume import expected_by_channel, reference_ranges
from analytics.floor import (
    agent_state_counts,
    channel_summary,
    service_level_state,
    social_watch_frame,
)
from analytics.floor_alerts import floor_alerts as _floor_alerts
from analytics.floor_alerts import same_hour_windows
from analytics.floor_alerts import topic_spikes as _topic_spikes
from analytics.staffing import current_pace, staffing_frame
from components.alerts import alert_message
from components.cache_floor import snapshot_time
from components.floor_tiles import service_level_text, wall_wait
from components.social_watch import signed_duration
from components.staffing_table import gap_colour
from components.theme import AGENT_STATE_LABELS, BAD, GOOD, WARN
from components.volume_chart import volume_figure

NOW = datetime(2025, 3, 12, 12, 0, 0)  # GMT: local = UTC
DAY_START = datetime(2025, 3, 12)
TZ = "Europe/London"


def _levels(**chat) -> pd.DataFrame:
    """Today's figures for chat as queries.floor.todays_service_level gives them."""
    row = {
        "channel_id": "chat",
        "channel": "Chat",
        "offered": 0,
        "answered": 0,
        "abandoned": 0,
        "met": 0,
        "missed": 0,
        "pending": 0,
        "excluded": 0,
        "service_level_percent": None,
    }
    return pd.DataFrame([{**row, **chat}])  # fmt: skip


def _policy(rule: str, goal: float = 80.0) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "channel_id": "chat",
                "policy_id": 2,
                "target_seconds": 60.0,
                "goal_percent": goal,
                "abandon_rule": rule,
                "short_abandon_seconds": 5,
                "is_public": None,
            }
        ]
    )


def _backlog(*ages: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(len(ages)),
            "channel_id": "chat",
            "created_at": [NOW - timedelta(seconds=a) for a in ages],
        }
    )


def _summary(levels, backlog, policy):
    return channel_summary(levels, backlog, policy, as_of=NOW, warn_points=5.0)


def test_channel_summary_joins_todays_level_the_backlog_and_the_policy():
    levels = _levels(offered=6, answered=2, met=1, missed=4, pending=1, service_level_percent=20.0)
    (row,) = _summary(levels, _backlog(30, 90), _policy("fail")).to_dict("records")
    assert (row["met"], row["missed"], row["pending"]) == (1, 4, 1)
    assert (row["backlog"], row["oldest_wait_seconds"]) == (2, 90.0)
    assert (row["target_seconds"], row["abandon_rule"], row["state"]) == (60.0, "fail", "bad")


def test_channel_summary_counts_yesterdays_backlog_too():
    backlog = _backlog(13 * 3600)  # arrived yesterday 23:00, still waiting
    levels = _levels(offered=1, answered=1, met=1, service_level_percent=100.0)
    (row,) = _summary(levels, backlog, _policy("fail")).to_dict("records")
    assert (row["backlog"], row["oldest_wait_seconds"]) == (1, 13 * 3600.0)
    assert row["state"] == "good"


def test_channel_summary_without_a_denominator_says_no_data():
    levels = _levels(offered=1, pending=1)
    (row,) = _summary(levels, _backlog(10), _policy("fail")).to_dict("records")
    assert pd.isna(row["service_level_percent"])
    assert (row["state"], row["pending"]) == ("none", 1)


def test_channel_summary_of_a_channel_without_policy_has_no_goal():
    no_policy = _policy("fail").iloc[0:0]
    (row,) = _summary(_levels(offered=1, answered=1), _backlog(), no_policy).to_dict("records")
    assert pd.isna(row["goal_percent"]) and pd.isna(row["target_seconds"])
    assert row["state"] == "none"


def test_channel_summary_of_nothing_is_empty():
    assert _summary(_levels().iloc[0:0], _backlog(), _policy("fail")).empty


@pytest.mark.parametrize(
    ("level", "state"),
    [(80.0, "good"), (95.0, "good"), (79.9, "warn"), (75.0, "warn"), (74.9, "bad"), (None, "none")],
)
def test_service_level_state_against_an_80_percent_goal(level, state):
    assert service_level_state(level, 80.0, warn_points=5.0) == state


@pytest.mark.parametrize(
    ("level", "closed", "state"),
    [(20.0, 4, "small"), (20.0, 9, "small"), (20.0, 10, "bad"), (100.0, 4, "small"),
     (77.0, 10, "warn"), (None, 0, "none")],
)  # fmt: skip
def test_service_level_on_fewer_than_the_minimum_closed_contacts_is_neutral(level, closed, state):
    assert service_level_state(level, 80.0, 5.0, closed=closed, min_sample=10) == state


def test_channel_summary_counts_n_and_keeps_a_small_sample_neutral():
    # 1 met, 3 missed: 25 % against an 80 % goal, but on n = 4 of a minimum 10.
    levels = _levels(offered=5, answered=2, met=1, missed=3, pending=1, service_level_percent=25.0)
    summary = channel_summary(
        levels, _backlog(30), _policy("fail"), as_of=NOW, warn_points=5.0, min_sample=10
    )
    (row,) = summary.to_dict("records")
    assert (row["closed"], row["state"]) == (4, "small")
    no_spikes = pd.DataFrame(columns=["topic", "count", "baseline_mean", "z", "is_spike"])
    social = pd.DataFrame(columns=["author", "reach", "past_target"])
    assert floor_alerts(summary, no_spikes, social, backlog_threshold=25,
                        oldest_threshold_seconds=1800) == []  # fmt: skip
    assert service_level_text(pd.Series(row)) == ("25.0 %", "n = 4 · small sample")
    big = channel_summary(
        levels.assign(met=4, missed=12), _backlog(), _policy("fail"), as_of=NOW, warn_points=5.0,
        min_sample=10,
    )  # fmt: skip
    assert service_level_text(big.iloc[0]) == ("25.0 %", "-55.0 pts · n = 16")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(59, "59 s"), (90, "1 min"), (5999, "99 min"), (6000, "1.6 h"), (5.3 * 3600, "5.3 h"),
     (35999, "9.9 h"), (36000, "10 h"), (50 * 3600, "50 h")],
)  # fmt: skip
def test_wallboard_waits_fit_large_type(seconds, shown):
    assert wall_wait(seconds) == shown


def test_agent_state_counts_in_theme_order():
    agents = pd.DataFrame({"state": ["busy", "busy", "offline", "break"]})
    assert agent_state_counts(agents, list(AGENT_STATE_LABELS)) == {
        "available": 0,
        "busy": 2,
        "after_call": 0,
        "break": 1,
        "offline": 1,
    }
    assert sum(agent_state_counts(pd.DataFrame(columns=["state"]), ["busy"]).values()) == 0


def _staffing(today_rows, *, aht=180.0, expected_mean=50.0, on_floor=12, as_of=NOW, kind="voice"):
    channel = "phone" if kind == "voice" else "chat"
    slots = [pd.Timestamp(DAY_START) + timedelta(minutes=15 * k) for k in range(96)]
    expected = pd.DataFrame(
        {"slot_start": slots, "mean": expected_mean, "low": 0.0, "high": 0.0, "days": 4}
    ).assign(channel_id=channel)
    agents = pd.DataFrame(
        {
            "agent_id": range(on_floor + 2),
            "state": ["busy"] * on_floor + ["break", "offline"],
            "skills": [(channel,)] * (on_floor + 2),
        }
    )
    return staffing_frame(
        channels=pd.DataFrame({"channel_id": [channel], "kind": [kind]}),
        policies=pd.DataFrame(
            [{"channel_id": channel, "target_seconds": 20.0, "goal_percent": 80.0}]
        ),
        aht=pd.DataFrame({"channel_id": [channel], "aht_seconds": [aht]}),
        expected=expected,
        today=pd.DataFrame(today_rows, columns=["interval_start", "channel_id", "offered"]),
        agents=agents,
        as_of=as_of,
        tz=TZ,
        shrinkage_percent=30.0,
        concurrency={"voice": 1.0, "chat": 2.0},
    )


def test_staffing_needs_the_erlang_c_agents_for_the_forecast():
    # 50 contacts in 15 min with AHT 180 s = 10 Erlangs; 80 % in 20 s needs 14 agents
    # (13 give 79.6 %); with 30 % shrinkage 14 / 0.7 = 20 to roster.
    frame = _staffing([])
    now, following = frame.to_dict("records")
    assert (now["interval"], following["interval"]) == ("12:00–12:15", "12:15–12:30")
    assert (now["forecast"], now["basis"]) == (50.0, "expected")
    assert (now["needed"], now["with_shrinkage"], now["on_floor"], now["gap"]) == (14, 20, 12, -2)


def test_staffing_uses_the_current_pace_when_it_is_higher():
    # 40 arrivals in the first 10 minutes of 12:00-12:15 -> 60 per 15 minutes.
    as_of = NOW + timedelta(minutes=10)
    frame = _staffing([(NOW, "phone", 40)], as_of=as_of)
    assert list(frame["forecast"]) == [60.0, 60.0]
    assert list(frame["basis"]) == ["current pace", "current pace"]


def test_current_pace_is_projected_from_at_least_five_minutes():
    today = pd.DataFrame({"interval_start": [NOW], "channel_id": ["chat"], "offered": [3]})
    assert current_pace(today, NOW + timedelta(minutes=1)) == {"chat": 9.0}  # 3 x 15 / 5
    assert current_pace(today, NOW + timedelta(minutes=10)) == {"chat": 4.5}


def test_staffing_divides_handle_time_by_concurrency():
    # Chat: AHT 360 s at concurrency 2 = 180 s per contact: the same 10 Erlangs as above.
    frame = _staffing([], aht=360.0, kind="chat")
    assert frame.loc[0, "needed"] == 14 and frame.loc[0, "concurrency"] == 2.0


def test_staffing_without_handle_times_says_so():
    frame = _staffing([], aht=float("nan"))
    assert pd.isna(frame.loc[0, "needed"]) and pd.isna(frame.loc[0, "gap"])
    assert "no handle times" in frame.loc[0, "note"]
    quiet = _staffing([], expected_mean=0.0)
    assert (quiet.loc[0, "needed"], quiet.loc[0, "gap"]) == (0, 12)


def test_gap_colours():
    assert BAD in gap_colour(-1) and WARN in gap_colour(0) and GOOD in gap_colour(2)
    assert gap_colour(pd.NA) == ""


def test_same_hour_windows_follow_local_clock_over_a_clock_change():
    as_of = datetime(2025, 3, 31, 9, 30)  # 10:30 BST, the day after clocks went forward
    windows = same_hour_windows(as_of, TZ, days=2)
    assert windows[0] == (datetime(2025, 3, 31, 8, 30), as_of)
    assert windows[1] == (datetime(2025, 3, 30, 8, 30), datetime(2025, 3, 30, 9, 30))  # BST
    assert windows[2] == (datetime(2025, 3, 29, 9, 30), datetime(2025, 3, 29, 10, 30))  # GMT


def test_topic_spike_uses_only_observed_days():
    windows = same_hour_windows(NOW, TZ, days=14)
    baseline = [10, 12, 8, 10, 10, 12, 8, 10]  # mean 10, population std sqrt(2)
    rows = [("billing", 0, 15)] + [("billing", n, c) for n, c in enumerate(baseline, start=1)]
    rows += [("praise", 0, 2)]
    counts = pd.DataFrame(rows, columns=["topic", "window", "count"])
    # History starts at the 8th window: days 9-14 are unknown, not zero.
    spikes = topic_spikes(counts, windows, observed_from=windows[8][0])
    billing = spikes.set_index("topic").loc["billing"]
    assert (billing["baseline_days"], billing["baseline_mean"]) == (8, 10.0)
    assert billing["z"] == pytest.approx(5 / 2**0.5)
    assert bool(billing["is_spike"]) and list(spikes["topic"]) == ["billing", "praise"]
    # Counting the unknown days as zeros would change the baseline; no history -> no spike.
    assert topic_spikes(counts, windows, observed_from=windows[14][0]).loc[0, "baseline_days"] == 14
    assert not topic_spikes(counts, windows, observed_from=None)["is_spike"].any()


def topic_spikes(counts, windows, *, observed_from):
    return _topic_spikes(
        counts, windows, observed_from=observed_from, z_threshold=3.0, min_count=10
    )


def floor_alerts(summary, spikes, social, *, backlog_threshold, oldest_threshold_seconds):
    """The alerts as the page shows them: (severity, kind, message)."""
    alerts = _floor_alerts(
        summary,
        spikes,
        social,
        warn_points=5.0,
        backlog_threshold=backlog_threshold,
        oldest_threshold_seconds=oldest_threshold_seconds,
    )
    return [Shown(a.severity, a.kind, alert_message(a)) for a in alerts]


@dataclass(frozen=True)
class Shown:
    severity: str
    kind: str
    message: str


def _summary_row(channel, state, level, goal=80.0, backlog=0, oldest=None):
    return {
        "channel_id": channel.lower(),
        "channel": channel,
        "service_level_percent": level,
        "goal_percent": goal,
        "met": 8,
        "missed": 2,
        "backlog": backlog,
        "oldest_wait_seconds": oldest,
        "state": state,
    }


def test_floor_alerts_name_the_channel_and_the_rule_that_fired():
    summary = pd.DataFrame(
        [
            _summary_row("Chat", "bad", 50.0, backlog=30, oldest=2000.0),
            _summary_row("Phone", "warn", 77.0, backlog=3, oldest=100.0),
            _summary_row("Email", "good", 95.0, backlog=26, oldest=None),
            _summary_row("Twitter", "none", None),
        ]
    )
    spikes = pd.DataFrame(
        [{"topic": "out_age", "count": 30, "baseline_days": 14, "baseline_mean": 2.0, "z": 9.0,
          "is_spike": True}]
    )  # fmt: skip
    social = pd.DataFrame(
        {"author": ["@big_one", "@small", "@calm"], "reach": [9000, 10, 5],
         "past_target": [True, True, False]}
    )  # fmt: skip
    alerts = floor_alerts(
        summary, spikes, social, backlog_threshold=25, oldest_threshold_seconds=1800
    )
    by_kind = {a.kind: a for a in alerts if a.kind != "service_level"}
    levels = [(a.severity, a.message) for a in alerts if a.kind == "service_level"]
    assert levels == [
        (
            "error",
            "Service level today more than 5 points below goal: **Chat** 50.0 % "
            "(goal 80 %, n = 10)",
        ),
        (
            "warning",
            "Service level today below goal by 5 points or less: **Phone** 77.0 % "
            "(goal 80 %, n = 10)",
        ),
    ]
    assert by_kind["backlog"].message == "Backlog over 25: Chat 30, Email 26."
    assert by_kind["oldest_wait"].message == "Waiting over 30 min: Chat 33 min 20 s."
    assert "2 negative public social posts past target" in by_kind["social_negative"].message
    assert "@big\\_one, 9,000 followers" in by_kind["social_negative"].message
    assert "out\\_age" in by_kind["topic_spike"].message
    assert [a.severity for a in alerts] == sorted(
        (a.severity for a in alerts), key=lambda s: s != "error"
    )


def test_oldest_wait_alert_uses_the_channel_target_when_it_is_longer():
    social = pd.DataFrame(columns=["author", "reach", "past_target"])
    no_spikes = pd.DataFrame(columns=["topic", "count", "baseline_mean", "z", "is_spike"])

    def oldest_alert(oldest_seconds, target_seconds):
        row = {**_summary_row("Email", "good", 95.0, oldest=oldest_seconds),
               "target_seconds": target_seconds}  # fmt: skip
        alerts = floor_alerts(pd.DataFrame([row]), no_spikes, social, backlog_threshold=25,
                              oldest_threshold_seconds=1800)  # fmt: skip
        return [a.message for a in alerts if a.kind == "oldest_wait"]

    # Email's 4 h target: 2 h waiting is normal, 5 h is not; 4 h exactly is not over.
    assert oldest_alert(2 * 3600.0, 4 * 3600) == []
    assert oldest_alert(4 * 3600.0, 4 * 3600) == []
    assert oldest_alert(5 * 3600.0, 4 * 3600) == ["Waiting over 30 min: Email 5 h (target 4 h)."]
    # A 20 s phone target does not lower the 30-minute threshold.
    assert oldest_alert(600.0, 20) == []
    assert oldest_alert(1801.0, 20) == ["Waiting over 30 min: Email 30 min 1 s."]


def test_floor_alerts_quiet_floor():
    summary = pd.DataFrame([_summary_row("Chat", "good", 90.0, backlog=1, oldest=30.0)])
    empty_spikes = topic_spikes(
        pd.DataFrame(columns=["topic", "window", "count"]), (), observed_from=None
    )
    social = pd.DataFrame(columns=["author", "reach", "past_target"])
    assert floor_alerts(summary, empty_spikes, social, backlog_threshold=25,
                        oldest_threshold_seconds=1800) == []  # fmt: skip


def _posts(*rows: tuple[int, str | None, int | None, float]) -> pd.DataFrame:
    """Posts as the query returns them: (id, conversation_id, reach, seconds waited)."""
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "conversation_id": [r[1] for r in rows],
            "reach": pd.array([r[2] for r in rows], dtype="Int64"),
            "created_at": [NOW - timedelta(seconds=r[3]) for r in rows],
            "target_seconds": 1800.0,
        }
    )


def test_social_watch_time_left_is_negative_once_breached():
    frame = social_watch_frame(
        _posts((1, None, 50, 2400), (2, None, 10, 600), (3, None, 5, 1800), (4, None, 1, 1801)),
        NOW,
    )
    assert list(frame["time_left_seconds"]) == [-600.0, 1200.0, 0.0, -1.0]
    # Exactly at the 1,800 s target is not yet missed; one second past is.
    assert list(frame["past_target"]) == [True, False, False, True]
    assert (signed_duration(-600), signed_duration(1200)) == ("−10 min", "20 min")


def test_social_watch_shows_a_thread_once_timed_from_its_first_message():
    posts = _posts(
        (1, "c1", 900, 300),  # follow-up in c1
        (2, None, 500, 100),
        (3, "c1", 900, 1000),  # c1's first unanswered message
        (4, None, None, 50),  # reach unknown: last
        (5, "c2", 700, 10),
    )
    frame = social_watch_frame(posts, NOW)
    assert list(frame["id"]) == [3, 5, 2, 4]
    assert list(frame["messages"]) == [2, 1, 1, 1]
    assert frame.loc[0, "time_left_seconds"] == 800.0  # 1,800 - 1,000


def test_snapshot_time_floors_to_the_refresh_interval():
    assert snapshot_time(datetime(2025, 3, 12, 12, 0, 17, 500), 10) == datetime(
        2025, 3, 12, 12, 0, 10
    )
    assert snapshot_time(datetime(2025, 3, 12, 12, 0, 17), 1) == datetime(2025, 3, 12, 12, 0, 17)


def _reference(day: date) -> pd.DataFrame:
    # Two previous Wednesdays: 4 and 8 chat arrivals at 09:00, 2 phone at 09:15.
    rows = []
    for weeks, chat in ((1, 4), (2, 8)):
        start = datetime.combine(day, datetime.min.time()) - timedelta(weeks=weeks)
        rows.append((start + timedelta(hours=9), "chat", chat))
        rows.append((start + timedelta(hours=9, minutes=15), "phone", 2))
    return pd.DataFrame(rows, columns=["interval_start", "channel_id", "offered"])


def test_expected_by_channel_and_the_total_band():
    day = date(2025, 3, 12)
    assert len(reference_ranges(day, TZ)) == 4
    curves = expected_by_channel(
        _reference(day), ["chat", "phone"], day=day, tz=TZ, observed_from=date(2025, 2, 26)
    )
    at_nine = curves[curves["slot_start"] == pd.Timestamp("2025-03-12 09:00")].set_index(
        "channel_id"
    )
    assert at_nine.loc["chat", "mean"] == 6.0 and at_nine.loc["all", "days"] == 2
    assert (at_nine.loc["all", "low"], at_nine.loc["all", "high"]) == (4.0, 8.0)


def test_volume_figure_stacks_channels_against_the_expected_curve():
    day = date(2025, 3, 12)
    curves = expected_by_channel(
        _reference(day), ["chat"], day=day, tz=TZ, observed_from=date(2025, 2, 26)
    )
    today = pd.DataFrame(
        {
            "interval_start": [datetime(2025, 3, 12, 9), datetime(2025, 3, 12, 9)],
            "channel_id": ["chat", "phone"],
            "offered": [5, 1],
        }
    )
    fig = volume_figure(
        today,
        curves[curves["channel_id"] == "all"],
        day=day,
        tz=TZ,
        channel_order=["phone", "chat"],
    )
    names = [trace.name for trace in fig.data]
    # Band, then bars bottom-up in the given order, then the mean line on top.
    assert names[1:] == ["Expected range (2 days)", "Phone", "Chat", "Expected (mean)"]
    assert fig.layout.barmode == "stack"
    assert "Offered per 15 minutes" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "Interactions per 15 min"
    assert fig.layout.xaxis.title.text == f"Local time ({TZ})"


def test_volume_figure_empty_state():
    empty = pd.DataFrame(columns=["interval_start", "channel_id", "offered"])
    no_history = expected_by_channel(empty, ["chat"], day=date(2025, 3, 12), tz=TZ,
                                     observed_from=None)  # fmt: skip
    fig = volume_figure(empty, no_history[no_history["channel_id"] == "all"],
                        day=date(2025, 3, 12), tz=TZ)  # fmt: skip
    assert not fig.data
    assert "No interactions yet today" in fig.layout.annotations[0].text
