"""Service level reads on SQLite and PostgreSQL: the worked example of docs/metrics.md, the edges of
the target, open contacts judged at `now`, no-data periods, local-time buckets over a DST day,
the fixed group_by list, and the rollup / raw SQL / pandas-rows paths agreeing on the same data."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import update

from analytics.sl_frames import COUNT_COLUMNS, add_rates
from db.rollups import refresh_interval_stats
from db.schema import agents, business_calendars, interactions, sla_policies
from queries.breaches import breaches, interaction_detail
from queries.service_level import (
    frt_values,
    overall_totals,
    service_level_counts,
    service_level_report,
    totals_by_group,
)
from tests.builders import insert_interactions, interaction

LONDON = "Europe/London"
NOW = datetime(2026, 6, 1, 12, 0, 0)  # Monday; London is on BST (UTC+1)
DAY = (datetime(2026, 5, 31, 23, 0), datetime(2026, 6, 1, 23, 0))  # local Mon 1 Jun 2026


def _open(created: datetime, **fields) -> dict:
    """An unanswered contact still open (no reply, no abandon, not closed)."""
    return interaction(created, resolved_at=None, status="open", **fields)


def worked_example() -> list[dict]:
    """docs/metrics.md: six chat contacts, now 12:00:00 (UTC), target 60 s, short abandon 5 s."""
    return [
        interaction(datetime(2026, 6, 1, 11, 50), frt=60),  # a: exactly at target -> met
        interaction(datetime(2026, 6, 1, 11, 50), frt=61),  # b: one second over -> missed
        _open(datetime(2026, 6, 1, 11, 59, 30)),  # c: 30 s old -> pending
        _open(datetime(2026, 6, 1, 11, 58, 30)),  # d: 90 s old -> missed now
        interaction(datetime(2026, 6, 1, 11, 40), abandon_after=10),  # e
        interaction(datetime(2026, 6, 1, 11, 40), abandon_after=3),  # f: short abandon
    ]


def _load(engine, rows: list[dict], refresh: bool = True) -> None:
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    if refresh:
        refresh_interval_stats(engine)


def _counts(engine, **kwargs) -> pd.DataFrame:
    args = {
        "start": DAY[0],
        "end": DAY[1],
        "tz": LONDON,
        "granularity": "day",
        "group_by": "channel",
        "now": NOW,
    }
    return service_level_counts(engine=engine, **{**args, **kwargs})


def _row(frame: pd.DataFrame, group: str) -> pd.Series:
    """One group's counts summed over every period, with its rates."""
    rows = frame[frame["group_key"] == group]
    return add_rates(rows[list(COUNT_COLUMNS)].sum().to_frame().T).iloc[0]


@pytest.mark.parametrize(
    ("rule", "met", "missed", "percent"),
    [("fail", 1, 4, 20.0), ("exclude", 1, 2, 100 / 3), ("exclude_short", 1, 3, 25.0)],
)
@pytest.mark.parametrize("source", ["rollup", "raw", "rows"])
def test_worked_example_under_each_rule(engine, rule, met, missed, percent, source):
    _load(engine, worked_example())
    chat = _row(_counts(engine, abandon_rule=rule, source=source), "chat")
    assert (chat["met"], chat["missed"], chat["pending"]) == (met, missed, 1)
    assert chat["service_level_percent"] == pytest.approx(percent)
    assert chat["asa_seconds"] == pytest.approx(60.5)  # (60 + 61) / 2 over answered only
    assert chat["abandonment_rate"] == pytest.approx(50.0)  # 2 / (2 + 2)
    assert chat["answer_rate"] == pytest.approx(100 * 2 / 6)


def test_worked_example_under_the_chat_policy_rule_is_fail(engine):
    _load(engine, worked_example())
    chat = _row(_counts(engine), "chat")  # seeded chat policy: abandon rule "fail"
    assert chat["service_level_percent"] == pytest.approx(20.0)


def test_worked_example_kpis_and_breaches_agree(engine):
    _load(engine, worked_example())
    report = service_level_report(
        engine=engine,
        start=DAY[0],
        end=DAY[1],
        tz=LONDON,
        granularity="hour",
        group_by="channel",
        now=NOW,
        abandon_rule="exclude_short",
    )
    assert report.overall["service_level_percent"] == pytest.approx(25.0)
    assert report.overall["frt_median"] == pytest.approx(60.5)
    assert report.overall["frt_p90"] == pytest.approx(60.9)
    listed = breaches(
        engine=engine,
        start=DAY[0],
        end=DAY[1],
        tz=LONDON,
        now=NOW,
        abandon_rule="exclude_short",
    )
    assert report.overall["breaches"] == len(listed) == 3  # b, d, e
    by_status = dict(zip(listed["status"], listed["value_seconds"], strict=True))
    assert by_status == {"Answered late": 61.0, "Open, past target": 90.0, "Abandoned": 10.0}
    late = listed.set_index("status")
    assert late.loc["Answered late", "missed_by_seconds"] == pytest.approx(1.0)
    assert late.loc["Open, past target", "missed_by_seconds"] == pytest.approx(30.0)
    assert math.isnan(late.loc["Abandoned", "missed_by_seconds"])  # left before the target
    assert (listed["target_seconds"] == 60).all()


def test_exactly_at_target_is_met_one_second_over_is_missed(engine):
    base = datetime(2026, 6, 1, 9, 0)
    _load(engine, [interaction(base, frt=60), interaction(base, frt=61)])
    for source in ("rollup", "raw", "rows"):
        chat = _row(_counts(engine, source=source), "chat")
        assert (chat["met"], chat["missed"]) == (1, 1), source


def test_open_contacts_are_judged_at_now(engine):
    created = datetime(2026, 6, 1, 11, 58, 30)
    _load(engine, [_open(created)])
    within = _row(_counts(engine, now=created + timedelta(seconds=60)), "chat")
    assert (within["pending"], within["missed"]) == (1, 0)
    assert math.isnan(within["service_level_percent"])  # only pending: no data, not 0 %
    past = _row(_counts(engine, now=created + timedelta(seconds=61)), "chat")
    assert (past["pending"], past["missed"], past["service_level_percent"]) == (0, 1, 0.0)


def test_closed_without_reply_is_missed_only_when_it_waited_past_target(engine):
    base = datetime(2026, 6, 1, 9, 0)
    late = interaction(base, resolved_at=base + timedelta(seconds=90), status="resolved")
    early = interaction(base, resolved_at=base + timedelta(seconds=30), status="resolved")
    _load(engine, [late, early])
    for source in ("rollup", "raw", "rows"):
        chat = _row(_counts(engine, source=source), "chat")
        assert (chat["missed"], chat["excluded"], chat["pending"]) == (1, 1, 0), source


def test_empty_period_is_no_data_not_zero(engine):
    frame = _counts(engine)
    assert len(frame) == 6 and frame["offered"].sum() == 0  # every channel, zero-filled
    assert frame["service_level_percent"].isna().all()
    assert frame["asa_seconds"].isna().all() and frame["abandonment_rate"].isna().all()
    frt = frt_values(engine=engine, start=DAY[0], end=DAY[1], group_by="channel", now=NOW)
    totals = overall_totals(frame, frt)
    assert totals["service_level_percent"] is None and totals["frt_median"] is None
    assert totals["breaches"] == 0


def test_every_channel_and_period_is_listed(engine):
    _load(engine, [interaction(datetime(2026, 6, 1, 9, 0), frt=5)])
    frame = _counts(engine, granularity="hour")
    assert len(frame) == 24 * 6
    assert set(frame["group_key"]) == {"phone", "chat", "email", "twitter", "facebook", "instagram"}
    assert frame["offered"].sum() == 1


def test_local_buckets_across_the_dst_change_day(engine):
    # 2026-10-25 in London has 25 hours: 00:30 BST is 23:30 UTC on the 24th, 23:30 GMT is
    # 23:30 UTC on the 25th; both are the 25th locally. 00:10 on the 26th is the next day.
    rows = [
        interaction(datetime(2026, 10, 24, 23, 30), frt=5),
        interaction(datetime(2026, 10, 25, 23, 30), frt=5),
        interaction(datetime(2026, 10, 26, 0, 10), frt=5),
        interaction(datetime(2026, 10, 24, 22, 50), frt=5),  # 23:50 BST on the 24th
    ]
    _load(engine, rows)
    start, end = datetime(2026, 10, 23, 23), datetime(2026, 10, 27, 0)  # local 24th..26th
    for source in ("rollup", "raw", "rows"):
        frame = _counts(engine, start=start, end=end, source=source, channels=["chat"])
        by_day = dict(zip(frame["period_start"].dt.strftime("%d"), frame["offered"], strict=True))
        assert by_day == {"24": 1, "25": 2, "26": 1}, source
        hours = _counts(engine, start=start, end=end, source=source, granularity="hour")
        day_25 = hours[hours["period_start"].dt.strftime("%d") == "25"]
        assert day_25["period_key"].nunique() == 25


def test_group_by_outside_the_list_is_refused(engine):
    with pytest.raises(ValueError, match="group_by"):
        _counts(engine, group_by="customer_id; DROP TABLE interactions")
    with pytest.raises(ValueError, match="group_by"):
        frt_values(engine=engine, start=DAY[0], end=DAY[1], group_by="topic", now=NOW)


def test_unknown_abandon_rule_and_source_are_refused(engine):
    with pytest.raises(ValueError, match="abandon_rule"):
        _counts(engine, abandon_rule="ignore")
    with pytest.raises(ValueError, match="source"):
        _counts(engine, source="cache")
    with pytest.raises(ValueError, match="rollup"):
        _counts(engine, group_by="agent", source="rollup")


# --- The three paths agree ---------------------------------------------------------------


def _agents(engine) -> list[int]:
    with engine.begin() as conn:
        conn.execute(
            agents.insert(),
            [
                {
                    "name": f"Agent {n}",
                    "team": ("Voice", "Digital", "Social")[n % 3],
                    "active": True,
                }
                for n in range(6)
            ],
        )
        return [row.id for row in conn.execute(agents.select().order_by(agents.c.id))]


def random_history(engine, *, seed: int = 11, n: int = 600) -> None:
    """Contacts of every kind over two local days on every channel, answered by known agents."""
    agent_ids = _agents(engine)
    rng = np.random.default_rng(seed)
    channels = ["phone", "chat", "email", "twitter", "facebook", "instagram"]
    queues = ["general", "billing", "tech"]
    start = datetime(2026, 5, 31, 0, 0)
    rows = []
    for _ in range(n):
        channel = channels[rng.integers(len(channels))]
        created = start + timedelta(seconds=int(rng.integers(0, 2 * 86_400 - 3_600)))
        kind = rng.choice(["answered", "abandoned", "open", "closed"], p=[0.7, 0.12, 0.12, 0.06])
        common = {
            "channel_id": channel,
            "queue": queues[rng.integers(len(queues))],
            "is_public": bool(
                channel in ("twitter", "facebook", "instagram") and rng.random() < 0.6
            ),
            "handle_seconds": int(rng.integers(30, 900)) if rng.random() < 0.8 else None,
            "agent_id": None,
        }
        if kind == "answered":
            frt = float(rng.choice([20, 60, 61, 1800, 3600, 3601, 14_400, 14_401]))
            frt = frt if rng.random() < 0.3 else float(rng.integers(1, 30_000))
            rows.append(
                interaction(created, frt=frt, **{**common, "agent_id": int(rng.choice(agent_ids))})
            )
        elif kind == "abandoned":
            rows.append(interaction(created, abandon_after=float(rng.integers(1, 120)), **common))
        elif kind == "open":
            rows.append(_open(created, **common))
        else:
            closed = created + timedelta(seconds=int(rng.integers(10, 20_000)))
            rows.append(interaction(created, resolved_at=closed, status="resolved", **common))
    _load(engine, rows)


@pytest.mark.parametrize("group_by", ["channel", "queue"])
@pytest.mark.parametrize("rule", [None, "fail", "exclude", "exclude_short"])
def test_rollup_raw_and_rows_agree(engine, group_by, rule):
    random_history(engine)
    now = datetime(2026, 6, 2, 2, 0)
    kwargs = {
        "start": datetime(2026, 5, 30, 23),
        "end": datetime(2026, 6, 1, 23),
        "granularity": "hour",
        "group_by": group_by,
        "abandon_rule": rule,
        "now": now,
    }
    rollup = _counts(engine, source="rollup", **kwargs)
    raw = _counts(engine, source="raw", **kwargs)
    rows = _counts(engine, source="rows", **kwargs)
    assert rollup["offered"].sum() == 600
    columns = ["period_key", "group_key", "offered", "answered", "abandoned", "met", "missed"]
    columns += ["pending", "excluded", "handled", "sum_handle_seconds"]
    pd.testing.assert_frame_equal(rollup[columns], raw[columns], check_dtype=False)
    pd.testing.assert_frame_equal(rollup[columns], rows[columns], check_dtype=False)
    for name in ("sum_frt_seconds", "service_level_percent", "asa_seconds"):
        assert np.allclose(rollup[name], raw[name], equal_nan=True), name
        assert np.allclose(rollup[name], rows[name], equal_nan=True), name


def test_a_period_off_the_15_minute_grid_counts_exactly_its_own_contacts(engine):
    """The Floor's "last 30 minutes" starts inside a rollup interval: 11:32-12:02 holds only
    the contacts of 11:32:00 up to 12:01:59, never the whole 11:30 or 12:00 interval."""
    rows = [
        interaction(datetime(2026, 6, 1, 11, 31, 59), frt=10, channel_id="chat"),  # before
        interaction(datetime(2026, 6, 1, 11, 32), frt=10, channel_id="chat"),  # first inside
        interaction(datetime(2026, 6, 1, 11, 50), frt=90, channel_id="chat"),
        interaction(datetime(2026, 6, 1, 12, 1, 59), frt=10, channel_id="chat"),  # last inside
        interaction(datetime(2026, 6, 1, 12, 2), frt=90, channel_id="chat"),  # after
    ]
    _load(engine, rows)
    window = {"start": datetime(2026, 6, 1, 11, 32), "end": datetime(2026, 6, 1, 12, 2)}
    chat = _row(_counts(engine, now=datetime(2026, 6, 1, 12, 5), **window), "chat")
    assert (chat["offered"], chat["met"], chat["missed"]) == (3, 2, 1)
    with pytest.raises(ValueError, match="whole 15-minute intervals"):
        _counts(engine, now=datetime(2026, 6, 1, 12, 5), source="rollup", **window)


@pytest.mark.parametrize("group_by", ["team", "agent"])
def test_team_and_agent_grouping_agree_with_rows(engine, group_by):
    random_history(engine)
    kwargs = {
        "start": datetime(2026, 5, 30, 23),
        "end": datetime(2026, 6, 1, 23),
        "group_by": group_by,
        "now": datetime(2026, 6, 2, 2, 0),
    }
    raw = _counts(engine, source="raw", **kwargs)
    rows = _counts(engine, source="rows", **kwargs)
    columns = ["group_key", "offered", "answered", "met", "missed", "pending", "excluded"]
    pd.testing.assert_frame_equal(raw[columns], rows[columns], check_dtype=False)
    unanswered = raw[raw["group_key"] == "-"]
    assert unanswered["answered"].sum() == 0 and unanswered["offered"].sum() > 0
    assert raw["offered"].sum() == 600


def test_breaches_list_matches_the_missed_count(engine):
    random_history(engine)
    kwargs = {"start": datetime(2026, 5, 30, 23), "end": datetime(2026, 6, 1, 23), "tz": LONDON}
    now = datetime(2026, 6, 2, 2, 0)
    for rule in (None, "fail", "exclude", "exclude_short"):
        for business_hours in (False, True):
            counts = service_level_counts(
                engine=engine,
                granularity="day",
                group_by="channel",
                now=now,
                abandon_rule=rule,
                business_hours=business_hours,
                **kwargs,
            )
            listed = breaches(
                engine=engine, now=now, abandon_rule=rule, business_hours=business_hours, **kwargs
            )
            assert len(listed) == counts["missed"].sum(), (rule, business_hours)
            assert listed["id"].is_unique


def test_rollup_behind_the_raw_rows_still_counts_them(engine):
    # Rows written after the last refresh (the simulator refreshes every few seconds) count at
    # once: their intervals are read raw, the rest from the rollup.
    _load(engine, worked_example())
    extra = interaction(datetime(2026, 6, 1, 9, 0), frt=5, updated_at=datetime(2026, 6, 1, 12))
    _load(engine, [extra], refresh=False)
    with engine.begin() as conn:  # and an answer arriving late for an already counted contact
        conn.execute(
            update(interactions)
            .where(interactions.c.created_at == datetime(2026, 6, 1, 11, 58, 30))
            .values(
                first_response_at=datetime(2026, 6, 1, 11, 59, 0),
                status="pending",
                updated_at=datetime(2026, 6, 1, 12, 0, 5),
            )
        )
    rollup = _row(_counts(engine, source="rollup"), "chat")
    raw = _row(_counts(engine, source="raw"), "chat")
    assert (rollup["offered"], rollup["met"], rollup["missed"]) == (7, 3, 3)
    assert (
        rollup[["offered", "met", "missed", "pending"]].tolist()
        == raw[["offered", "met", "missed", "pending"]].tolist()
    )


def test_policy_variants_with_different_rules_use_each_contacts_own(engine):
    # Phone: generic policy exclude_short; add a high-priority phone policy whose rule is fail.
    with engine.begin() as conn:
        conn.execute(
            sla_policies.insert().values(
                channel_id="phone",
                priority="high",
                target_seconds=20,
                goal_percent=80,
                abandon_rule="fail",
                short_abandon_seconds=5,
                active_from=datetime(2000, 1, 1),
                version=1,
            )
        )
    base = datetime(2026, 6, 1, 9, 0)
    _load(
        engine,
        [
            interaction(base, channel_id="phone", frt=10),
            interaction(base, channel_id="phone", abandon_after=2),  # normal: short -> excluded
            interaction(base, channel_id="phone", abandon_after=2, priority="high"),  # fail
        ],
    )
    raw = _row(_counts(engine), "phone")  # auto: mixed rules -> raw SQL
    rows = _row(_counts(engine, source="rows"), "phone")
    assert (raw["met"], raw["missed"], raw["excluded"]) == (1, 1, 1)
    assert (
        raw[["met", "missed", "excluded"]].tolist() == rows[["met", "missed", "excluded"]].tolist()
    )
    with pytest.raises(ValueError, match="rollup"):
        _counts(engine, source="rollup")


def test_business_hours_frt_counts_only_open_hours(engine):
    # docs/metrics.md: Mon–Fri 09:00–17:00; arrival Sunday 00:00, answer next Saturday 23:59 local
    # -> 5 x 8 h = 144,000 s. Email's seeded policy uses the "office" calendar (London).
    created = datetime(2026, 11, 1, 0, 0)  # Sunday 00:00 GMT = London local
    answered = datetime(2026, 11, 7, 23, 59)
    _load(
        engine, [interaction(created, channel_id="email", frt=(answered - created).total_seconds())]
    )
    start, end = datetime(2026, 11, 1), datetime(2026, 11, 8)
    now = datetime(2026, 11, 9)
    frt = frt_values(
        engine=engine, start=start, end=end, group_by="channel", now=now, business_hours=True
    )
    assert frt["frt_seconds"].tolist() == [144_000.0]
    wall = frt_values(engine=engine, start=start, end=end, group_by="channel", now=now)
    assert wall["frt_seconds"].tolist() == [(answered - created).total_seconds()]
    email = _row(_counts(engine, start=start, end=end, now=now, business_hours=True), "email")
    assert email["missed"] == 1 and email["asa_seconds"] == pytest.approx(144_000.0)


def test_business_hours_turn_a_weekend_wait_into_a_met_target(engine):
    # Friday 16:00 arrival, answered Monday 10:00: 2 business hours (target 4 h) but 66 wall hours.
    created = datetime(2026, 11, 6, 16, 0)
    _load(engine, [interaction(created, channel_id="email", frt=66 * 3600)])
    kwargs = {
        "start": datetime(2026, 11, 2),
        "end": datetime(2026, 11, 16),
        "now": datetime(2026, 11, 20),
    }
    assert _row(_counts(engine, **kwargs), "email")["met"] == 0
    assert _row(_counts(engine, business_hours=True, **kwargs), "email")["met"] == 1
    listed = breaches(engine=engine, tz=LONDON, business_hours=True, **kwargs)
    assert listed.empty
    with pytest.raises(ValueError, match="business-hours"):
        _counts(engine, business_hours=True, source="raw", **kwargs)


def test_business_hours_leave_channels_without_a_calendar_on_the_wall_clock(engine):
    with engine.begin() as conn:
        assert conn.execute(business_calendars.select()).first() is not None
    created = datetime(2026, 11, 7, 12, 0)  # Saturday: the office is closed
    _load(engine, [interaction(created, channel_id="chat", frt=90)])
    kwargs = {
        "start": datetime(2026, 11, 2),
        "end": datetime(2026, 11, 16),
        "now": datetime(2026, 11, 20),
    }
    chat = _row(_counts(engine, business_hours=True, **kwargs), "chat")
    assert chat["missed"] == 1 and chat["asa_seconds"] == pytest.approx(90.0)


def test_per_group_table_lists_percentiles_and_every_group(engine):
    _load(
        engine, worked_example() + [interaction(datetime(2026, 6, 1, 9), channel_id="phone", frt=4)]
    )
    counts = _counts(engine)
    frt = frt_values(engine=engine, start=DAY[0], end=DAY[1], group_by="channel", now=NOW)
    table = totals_by_group(counts, frt).set_index("group_key")
    assert table.loc["chat", "frt_median"] == pytest.approx(60.5)
    assert table.loc["phone", "frt_median"] == pytest.approx(4.0)
    assert table.loc["email", "frt_n"] == 0 and math.isnan(table.loc["email", "frt_median"])
    assert list(table.index) == ["phone", "chat", "email", "twitter", "facebook", "instagram"]


def test_interaction_detail_has_local_times_and_the_conversation(engine):
    created = datetime(2026, 6, 1, 11, 0)
    _load(
        engine,
        [
            interaction(created, frt=600, body="Where is my parcel?", conversation_id="c1"),
            # A follow-up in the same conversation: shown in it, not a contact (or breach) itself.
            interaction(created + timedelta(minutes=5), body="Hello??", conversation_id="c1"),
        ],
    )
    listed = breaches(engine=engine, start=DAY[0], end=DAY[1], tz=LONDON, now=NOW)
    assert listed["status"].tolist() == ["Answered late"]  # 600 s against chat's 60 s
    late_one = int(listed["id"].iloc[0])
    detail = interaction_detail(engine=engine, interaction_id=late_one, tz=LONDON)
    assert detail["body"] == "Where is my parcel?"
    assert detail["created_at"].strftime("%H:%M %Z") == "12:00 BST"
    assert detail["frt_seconds"] == 600.0
    assert detail["conversation"]["body"].tolist() == ["Where is my parcel?", "Hello??"]
    assert interaction_detail(engine=engine, interaction_id=999_999, tz=LONDON) is None


def test_queues_the_rollup_has_seen_on_the_chosen_channels_are_listed_without_traffic(engine):
    """Grouped by queue, every queue seen on the chosen channels is a row (zero when quiet in
    the period); a queue seen only on another channel is not."""
    first = datetime(2026, 3, 2, 9)
    _load(
        engine,
        [
            interaction(first, channel_id="chat", queue="billing", frt=10),
            interaction(first, channel_id="chat", queue="returns", frt=10),
            interaction(first, channel_id="email", queue="press", frt=10),
            interaction(first + timedelta(days=1), channel_id="chat", queue="billing", frt=10),
        ],
    )
    day_two = (datetime(2026, 3, 3), datetime(2026, 3, 4))
    frame = service_level_counts(
        engine=engine, start=day_two[0], end=day_two[1], tz="UTC", granularity="day",
        group_by="queue", now=day_two[1], channels=["chat"],
    )  # fmt: skip
    offered = frame.set_index("group_key")["offered"].to_dict()
    assert offered == {"billing": 1, "returns": 0}
