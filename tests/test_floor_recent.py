"""The Floor's rolling service level columns and its waiting-by-queue table
(analytics.floor_recent), with hand-worked values."""

from datetime import datetime, timedelta

import pandas as pd

from analytics.floor_recent import add_recent_levels, waiting_by_queue

NOW = datetime(2025, 3, 12, 12, 0, 0)


def _levels(rows: list[tuple[str, int, int, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["channel_id", "met", "missed", "service_level_percent"])


def test_recent_levels_sit_beside_todays_per_channel():
    summary = pd.DataFrame({"channel_id": ["phone", "chat", "email"], "met": [9, 8, 7]})
    recent = {
        30: _levels([("phone", 3, 1, 75.0), ("chat", 0, 0, None)]),
        60: _levels([("phone", 6, 2, 75.0), ("chat", 1, 1, 50.0), ("email", 0, 0, None)]),
    }
    frame = add_recent_levels(summary, recent).set_index("channel_id")
    assert frame.loc["phone", ["sl_30m", "n_30m", "sl_60m", "n_60m"]].tolist() == [75, 4, 75, 8]
    assert pd.isna(frame.loc["chat", "sl_30m"]) and frame.loc["chat", "n_30m"] == 0
    assert frame.loc["chat", "sl_60m"] == 50.0 and frame.loc["chat", "n_60m"] == 2
    # A channel the window's read did not list: no data, n = 0.
    assert pd.isna(frame.loc["email", "sl_30m"]) and frame.loc["email", "n_30m"] == 0
    assert list(frame["met"]) == [9, 8, 7]  # today's columns untouched


def test_recent_levels_of_an_empty_read_are_no_data():
    summary = pd.DataFrame({"channel_id": ["phone"]})
    frame = add_recent_levels(summary, {30: _levels([])})
    assert pd.isna(frame.loc[0, "sl_30m"]) and frame.loc[0, "n_30m"] == 0


def test_waiting_by_queue_counts_past_target_and_the_oldest_first():
    def waiting(queue, channel, age, target):
        return {"queue": queue, "channel_id": channel, "created_at": NOW - timedelta(seconds=age),
                "target_seconds": target}  # fmt: skip

    backlog = pd.DataFrame(
        [
            waiting("billing", "chat", 30, 60.0),  # within target
            waiting("billing", "phone", 61, 20.0),  # past target
            waiting("billing", "chat", 60, 60.0),  # exactly at target: not yet missed
            waiting("social-care", "twitter", 4000, 1800.0),  # past target, oldest
            waiting(None, "email", 100, None),  # no queue, no policy: never past target
        ]
    )
    table = waiting_by_queue(backlog, NOW, {"chat": "Chat", "phone": "Phone"})
    assert table.to_dict("records") == [
        {"queue": "social-care", "waiting": 1, "past_target": 1, "oldest_wait_seconds": 4000.0,
         "channels": "twitter"},
        {"queue": "(no queue)", "waiting": 1, "past_target": 0, "oldest_wait_seconds": 100.0,
         "channels": "email"},
        {"queue": "billing", "waiting": 3, "past_target": 1, "oldest_wait_seconds": 61.0,
         "channels": "Chat, Phone"},
    ]  # fmt: skip


def test_nothing_waiting_is_an_empty_table():
    empty = pd.DataFrame(columns=["queue", "channel_id", "created_at", "target_seconds"])
    assert waiting_by_queue(empty, NOW).empty
