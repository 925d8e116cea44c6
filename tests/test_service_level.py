"""Service level classification and summary: the DESIGN worked example, exactly, and edges."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from analytics.service_level import (
    ABANDON_RULES,
    ABANDONED,
    ABANDONED_SHORT,
    ANSWERED_MET,
    ANSWERED_MISSED,
    KINDS,
    NO_POLICY,
    OPEN_WITHIN_TARGET,
    UNANSWERED_BREACHED,
    Policy,
    classify,
    kind_counts,
    service_level_summary,
)
from analytics.sl_frames import FACT_COLUMNS, add_rates, kind_column, outcomes_from_kinds

T = pd.Timestamp
NAT = pd.NaT
NOW = T("2026-06-01 12:00:00")


def _frame(rows: dict[str, tuple], extra: dict[str, list] | None = None) -> pd.DataFrame:
    """rows: id -> (created_at, first_response_at, abandoned_at) as timestamps or NaT."""
    frame = pd.DataFrame(
        {
            "created_at": pd.to_datetime([r[0] for r in rows.values()]),
            "first_response_at": pd.to_datetime([r[1] for r in rows.values()]),
            "abandoned_at": pd.to_datetime([r[2] for r in rows.values()]),
        },
        index=list(rows),
    )
    for name, values in (extra or {}).items():
        frame[name] = values
    return frame


@pytest.fixture
def worked_example() -> pd.DataFrame:
    """DESIGN: six chat contacts a..f, now = 12:00:00."""
    return _frame(
        {
            # a: answered after 60 s (exactly the target -> met)
            "a": (T("2026-06-01 11:50:00"), T("2026-06-01 11:51:00"), NAT),
            # b: answered after 61 s (one second over -> missed)
            "b": (T("2026-06-01 11:50:00"), T("2026-06-01 11:51:01"), NAT),
            # c: open, arrived 11:59:30 -> 30 s old at 12:00:00 -> pending
            "c": (T("2026-06-01 11:59:30"), NAT, NAT),
            # d: open, arrived 11:58:30 -> 90 s old > 60 s -> missed (breached now)
            "d": (T("2026-06-01 11:58:30"), NAT, NAT),
            # e: abandoned after 10 s (>= 5 s short threshold)
            "e": (T("2026-06-01 11:40:00"), NAT, T("2026-06-01 11:40:10")),
            # f: abandoned after 3 s (< 5 s short threshold)
            "f": (T("2026-06-01 11:40:00"), NAT, T("2026-06-01 11:40:03")),
        }
    )


def _policy(rule: str) -> Policy:
    return Policy(target_seconds=60, goal_percent=80.0, abandon_rule=rule, short_abandon_seconds=5)


EXPECTED_OUTCOMES = {
    "fail": ["met", "missed", "pending", "missed", "missed", "missed"],
    "exclude": ["met", "missed", "pending", "missed", "excluded", "excluded"],
    "exclude_short": ["met", "missed", "pending", "missed", "missed", "excluded"],
}
# (met, missed, SL %): fail 1/(1+4) = 20 %; exclude 1/(1+2) = 33.3 %; exclude_short 1/(1+3) = 25 %
EXPECTED_SL = {
    "fail": (1, 4, 20.0),
    "exclude": (1, 2, 100 / 3),
    "exclude_short": (1, 3, 25.0),
}


@pytest.mark.parametrize("rule", ABANDON_RULES)
def test_worked_example_outcomes_per_contact(worked_example: pd.DataFrame, rule: str) -> None:
    outcome = classify(worked_example, _policy(rule), NOW)
    assert outcome.index.tolist() == list("abcdef")
    assert outcome.tolist() == EXPECTED_OUTCOMES[rule]


@pytest.mark.parametrize("rule", ABANDON_RULES)
def test_worked_example_service_level(worked_example: pd.DataFrame, rule: str) -> None:
    summary = service_level_summary(worked_example, _policy(rule), NOW)
    met, missed, percent = EXPECTED_SL[rule]
    assert (summary.met, summary.missed) == (met, missed)
    assert summary.service_level_percent == pytest.approx(percent)
    assert summary.pending == 1  # c
    assert summary.excluded == 6 - met - missed - 1
    assert summary.abandon_rule == rule


def test_worked_example_exclude_shows_33_3_percent(worked_example: pd.DataFrame) -> None:
    summary = service_level_summary(worked_example, _policy("exclude"), NOW)
    assert round(summary.service_level_percent, 1) == 33.3


def test_worked_example_other_figures(worked_example: pd.DataFrame) -> None:
    summary = service_level_summary(worked_example, _policy("fail"), NOW)
    assert summary.offered == 6
    assert summary.answered == 2  # a, b
    assert summary.abandoned == 2  # e, f
    # ASA over answered only = (60 + 61) / 2 = 60.5 s (not / 6 offered)
    assert summary.asa_seconds == pytest.approx(60.5)
    # abandonment rate = 2 / (2 answered + 2 abandoned) = 50 %
    assert summary.abandonment_rate == pytest.approx(50.0)
    # answer rate = 2 answered / 6 offered = 33.33 %
    assert summary.answer_rate == pytest.approx(100 / 3)
    # backlog: c and d are open and unanswered; oldest waiting: d, 90 s
    assert summary.backlog == 2
    assert summary.oldest_waiting_seconds == pytest.approx(90.0)
    # FRT of a and b: median (60 + 61) / 2 = 60.5; p90: h = (2-1)·0.9 = 0.9 -> 60 + 0.9 = 60.9
    assert summary.frt_median == pytest.approx(60.5)
    assert summary.frt_p90 == pytest.approx(60.9)
    assert summary.frt_mean == pytest.approx(60.5)
    assert summary.aht_seconds is None  # no handle_seconds column
    # 20 % < 80 % goal
    assert summary.meets_goal is False


def _kind_frame(kinds: dict[str, int], rule: str, **facts: int) -> pd.DataFrame:
    """One row of kind counts as the SQL routes return them."""
    row = {"period_key": 0, "group_key": "chat", "abandon_rule": rule}
    row |= {name: facts.get(name, 0) for name in FACT_COLUMNS}
    row |= {kind_column(kind): kinds.get(kind, 0) for kind in KINDS}
    return pd.DataFrame([row])


@pytest.mark.parametrize("rule", ABANDON_RULES)
def test_classify_and_counts_agree_on_worked_example(
    worked_example: pd.DataFrame, rule: str
) -> None:
    """The SQL routes (kind counts) and the row path (classify) use one rule set."""
    summary = service_level_summary(worked_example, _policy(rule), NOW)
    kinds = kind_counts(worked_example, _policy(rule), NOW)
    # Hand counts: met = a; answered late = b; abandoned e, short f; breached d; pending c.
    assert (
        kinds[ANSWERED_MET],
        kinds[ANSWERED_MISSED],
        kinds[ABANDONED],
        kinds[ABANDONED_SHORT],
        kinds[UNANSWERED_BREACHED],
        kinds[OPEN_WITHIN_TARGET],
    ) == (1, 1, 1, 1, 1, 1)
    (counted,) = add_rates(outcomes_from_kinds(_kind_frame(kinds, rule))).to_dict("records")
    assert (counted["met"], counted["missed"], counted["pending"]) == (
        summary.met,
        summary.missed,
        summary.pending,
    )
    assert counted["service_level_percent"] == pytest.approx(summary.service_level_percent)


def test_empty_frame_is_no_data_not_zero() -> None:
    empty = _frame({})
    policy = _policy("fail")
    assert classify(empty, policy, NOW).empty
    summary = service_level_summary(empty, policy, NOW)
    assert summary.offered == summary.met == summary.missed == summary.backlog == 0
    assert summary.service_level_percent is None
    assert summary.answer_rate is None
    assert summary.abandonment_rate is None
    assert summary.asa_seconds is None
    assert summary.oldest_waiting_seconds is None
    assert summary.frt_median is None and summary.frt_p90 is None
    assert summary.meets_goal is None


def test_only_pending_contacts_have_no_service_level() -> None:
    # One contact 10 s old, within its 60 s target: pending, so met + missed = 0 -> None.
    frame = _frame({"x": (T("2026-06-01 11:59:50"), NAT, NAT)})
    summary = service_level_summary(frame, _policy("fail"), NOW)
    assert summary.pending == 1
    assert summary.service_level_percent is None


def test_counts_with_nothing_measured_give_no_service_level() -> None:
    # exclude: 3 abandons leave the denominator; no policy: no verdict -> still no data
    kinds = {ABANDONED: 2, ABANDONED_SHORT: 1, NO_POLICY: 4}
    (counted,) = add_rates(outcomes_from_kinds(_kind_frame(kinds, "exclude"))).to_dict("records")
    assert (counted["met"], counted["missed"], counted["excluded"]) == (0, 0, 7)
    assert pd.isna(counted["service_level_percent"])


def test_exactly_at_target_is_met_one_second_over_is_missed() -> None:
    base = T("2026-06-01 10:00:00")
    frame = _frame(
        {
            "at": (base, base + pd.Timedelta(seconds=60), NAT),  # 60 s = target -> met
            "over": (base, base + pd.Timedelta(seconds=61), NAT),  # 61 s -> missed
            "open_at": (NOW - pd.Timedelta(seconds=60), NAT, NAT),  # 60 s old -> pending
            "open_over": (NOW - pd.Timedelta(seconds=61), NAT, NAT),  # 61 s old -> missed
        }
    )
    assert classify(frame, _policy("fail"), NOW).tolist() == ["met", "missed", "pending", "missed"]


def test_short_abandon_threshold_is_strictly_under() -> None:
    base = T("2026-06-01 10:00:00")
    frame = _frame(
        {
            "4s": (base, NAT, base + pd.Timedelta(seconds=4)),  # 4 < 5 -> excluded
            "5s": (base, NAT, base + pd.Timedelta(seconds=5)),  # 5 is not under 5 -> missed
        }
    )
    assert classify(frame, _policy("exclude_short"), NOW).tolist() == ["excluded", "missed"]


def test_reply_wins_over_abandon_stamp() -> None:
    # Answered after 30 s, then the customer left: answered and met, not abandoned.
    base = T("2026-06-01 10:00:00")
    frame = _frame({"x": (base, base + pd.Timedelta(seconds=30), base + pd.Timedelta(seconds=300))})
    summary = service_level_summary(frame, _policy("fail"), NOW)
    assert (summary.met, summary.abandoned, summary.answered) == (1, 0, 1)


def test_precomputed_frt_seconds_is_used() -> None:
    # Wall clock 2 h, but the business-hours FRT given is 30 s -> met against 60 s.
    base = T("2026-06-01 08:00:00")
    frame = _frame(
        {
            "bh": (base, base + pd.Timedelta(hours=2), NAT),
            "none": (base, base + pd.Timedelta(seconds=90), NAT),  # no frt given -> 90 s
        },
        extra={"frt_seconds": [30.0, None]},
    )
    assert classify(frame, _policy("fail"), NOW).tolist() == ["met", "missed"]
    # mean FRT = (30 + 90) / 2 = 60
    assert service_level_summary(frame, _policy("fail"), NOW).asa_seconds == pytest.approx(60.0)


def test_per_row_targets() -> None:
    base = T("2026-06-01 10:00:00")
    answered_100s = (base, base + pd.Timedelta(seconds=100), NAT)
    frame = _frame(
        {"x": answered_100s, "y": answered_100s, "z": answered_100s},
        # 100 s FRT: target 120 -> met; target 60 -> missed; blank = no policy covers the row
        # -> no verdict (excluded), never the Policy's 60 s stood in as a hidden fallback
        extra={"target_seconds": [120, 60, None]},
    )
    assert classify(frame, _policy("fail"), NOW).tolist() == ["met", "missed", "excluded"]


def test_closed_without_reply() -> None:
    base = T("2026-06-01 10:00:00")
    frame = _frame(
        {
            "quick": (base, NAT, NAT),  # closed after 30 s, no reply owed -> excluded
            "late": (base, NAT, NAT),  # closed after 2 h unanswered -> missed
            "open": (NOW - pd.Timedelta(seconds=10), NAT, NAT),  # still waiting -> pending
        },
        extra={"resolved_at": [base + pd.Timedelta(seconds=30), base + pd.Timedelta(hours=2), NAT]},
    )
    policy = _policy("fail")
    assert classify(frame, policy, NOW).tolist() == ["excluded", "missed", "pending"]
    summary = service_level_summary(frame, policy, NOW)
    assert summary.backlog == 1  # only "open"
    assert summary.oldest_waiting_seconds == pytest.approx(10.0)


def test_aht_over_handled_contacts_only() -> None:
    base = T("2026-06-01 10:00:00")
    frame = _frame(
        {
            "x": (base, base + pd.Timedelta(seconds=10), NAT),
            "y": (base, base + pd.Timedelta(seconds=10), NAT),
            "z": (base, base + pd.Timedelta(seconds=10), NAT),
        },
        extra={"handle_seconds": [300, None, 500]},
    )
    # (300 + 500) / 2 = 400 s; the row without handle_seconds is not a zero
    assert service_level_summary(frame, _policy("fail"), NOW).aht_seconds == pytest.approx(400.0)


def test_tz_aware_inputs_are_read_as_utc() -> None:
    london = ZoneInfo("Europe/London")
    # 13:00 BST = 12:00 UTC; created 12:58:30 BST = 11:58:30 UTC -> 90 s old at 12:00 UTC
    frame = pd.DataFrame(
        {
            "created_at": [datetime(2026, 6, 1, 12, 58, 30, tzinfo=london)],
            "first_response_at": [pd.NaT],
            "abandoned_at": [pd.NaT],
        }
    )
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    summary = service_level_summary(frame, _policy("fail"), now)
    assert summary.oldest_waiting_seconds == pytest.approx(90.0)
    assert summary.missed == 1


def _utc(local: datetime) -> datetime:
    """A Europe/London wall-clock time as naive UTC."""
    return local.replace(tzinfo=ZoneInfo("Europe/London")).astimezone(UTC).replace(tzinfo=None)


def test_dst_spring_forward_frt_is_real_elapsed_seconds() -> None:
    # 2026-03-29: London clocks go 01:00 GMT -> 02:00 BST.
    # Arrived 00:30 GMT (= 00:30 UTC), answered 02:30 BST (= 01:30 UTC): 1 h real, 2 h on the wall.
    created = _utc(datetime(2026, 3, 29, 0, 30))
    answered = _utc(datetime(2026, 3, 29, 2, 30))
    assert (created, answered) == (datetime(2026, 3, 29, 0, 30), datetime(2026, 3, 29, 1, 30))
    frame = _frame({"x": (T(created), T(answered), NAT)})
    policy = Policy(target_seconds=5_400, goal_percent=80.0)  # 90 min: 1 h is met, 2 h is not
    assert classify(frame, policy, T("2026-03-29 12:00")).tolist() == ["met"]
    summary = service_level_summary(frame, policy, T("2026-03-29 12:00"))
    assert summary.frt_mean == pytest.approx(3_600.0)


def test_dst_fall_back_frt_is_real_elapsed_seconds() -> None:
    # 2026-10-25: London clocks go 02:00 BST -> 01:00 GMT.
    # Arrived 00:30 BST (= 23:30 UTC on the 24th), answered 02:30 GMT (= 02:30 UTC): 3 h real,
    # 2 h on the wall.
    created = _utc(datetime(2026, 10, 25, 0, 30))
    answered = _utc(datetime(2026, 10, 25, 2, 30))
    assert (created, answered) == (datetime(2026, 10, 24, 23, 30), datetime(2026, 10, 25, 2, 30))
    frame = _frame({"x": (T(created), T(answered), NAT)})
    policy = Policy(target_seconds=9_000, goal_percent=80.0)  # 2.5 h: 3 h real is a miss
    assert classify(frame, policy, T("2026-10-25 12:00")).tolist() == ["missed"]
    summary = service_level_summary(frame, policy, T("2026-10-25 12:00"))
    assert summary.frt_mean == pytest.approx(10_800.0)


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="abandon_rule"):
        Policy(target_seconds=60, goal_percent=80, abandon_rule="ignore")
    with pytest.raises(ValueError):
        Policy(target_seconds=0, goal_percent=80)
    with pytest.raises(ValueError):
        Policy(target_seconds=60, goal_percent=0)
    with pytest.raises(ValueError):
        Policy(target_seconds=60, goal_percent=80, short_abandon_seconds=-1)
    policy = Policy(target_seconds=60, goal_percent=80)
    assert (policy.abandon_rule, policy.short_abandon_seconds) == ("fail", 5)
    with pytest.raises(AttributeError):
        policy.target_seconds = 30  # type: ignore[misc]  # frozen


def test_meets_goal_at_exactly_goal() -> None:
    # 4 met, 1 missed -> 80 % = goal -> meets it
    base = T("2026-06-01 10:00:00")
    rows = {f"m{i}": (base, base + pd.Timedelta(seconds=10), NAT) for i in range(4)}
    rows["late"] = (base, base + pd.Timedelta(seconds=100), NAT)
    summary = service_level_summary(_frame(rows), _policy("fail"), NOW)
    assert summary.service_level_percent == pytest.approx(80.0)
    assert summary.meets_goal is True
