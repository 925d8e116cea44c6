"""Weekly topic counts (ISO weeks, local time, zero-filled) and the z-score spike rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.spikes import (
    COUNT_COLUMNS,
    NO_TOPIC,
    detect_spikes,
    hourly_spike,
    spike_check,
    weekly_topic_counts,
)

# Mean 10; deviations 0, 2, −2, 0, 0, 2, −2, 0; squares sum 16; population var 16/8 = 2; std √2.
BASELINE = [10, 12, 8, 10, 10, 12, 8, 10]


def test_spike_rule_by_hand() -> None:
    # 15: z = (15 − 10)/√2 = 3.5355 ≥ 3 and 15 ≥ 10 → spike
    check = spike_check(15, BASELINE)
    assert check.baseline_mean == pytest.approx(10)
    assert check.baseline_std == pytest.approx(math.sqrt(2))
    assert check.z == pytest.approx(5 / math.sqrt(2))
    assert check.is_spike
    # 14: z = 4/√2 = 2.828 < 3 → no spike
    assert spike_check(14, BASELINE).z == pytest.approx(4 / math.sqrt(2))
    assert not spike_check(14, BASELINE).is_spike


def test_flat_baseline_uses_std_of_one() -> None:
    # Baseline 5, 5, 5, 5: std 0 → divide by 1. Count 8: z = (8 − 5)/1 = 3.
    check = spike_check(8, [5, 5, 5, 5])
    assert check.baseline_std == 0
    assert check.z == pytest.approx(3.0)
    assert not check.is_spike  # 8 < min_count 10
    assert spike_check(8, [5, 5, 5, 5], min_count=5).is_spike  # z = 3 ≥ 3 counts


def test_min_count_blocks_small_numbers() -> None:
    # Baseline 0,0,0,0,1,0,0,0: mean 0.125, var = 0.125 − 0.125² = 0.109375, std 0.331 → floor 1.
    quiet = [0, 0, 0, 0, 1, 0, 0, 0]
    assert spike_check(9, quiet).z == pytest.approx(8.875)  # (9 − 0.125)/1
    assert not spike_check(9, quiet).is_spike  # 9 < 10
    assert spike_check(10, quiet).is_spike  # (10 − 0.125)/1 = 9.875


def test_needs_four_baseline_periods() -> None:
    check = spike_check(100, [1, 1, 1])
    assert check.baseline_n == 3
    assert check.z is None
    assert not check.is_spike
    assert spike_check(100, [1, 1, 1, 1]).is_spike  # z = 99


def test_hourly_spike_uses_the_same_rule() -> None:
    assert hourly_spike(15, BASELINE) == spike_check(15, BASELINE)
    assert not hourly_spike(14, BASELINE).is_spike


def _rows(*pairs: tuple[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {"created_at": pd.to_datetime([p[0] for p in pairs]), "topic": [p[1] for p in pairs]}
    )


def test_iso_weeks_at_year_boundary_zero_filled() -> None:
    frame = _rows(
        ("2026-12-31 12:00", "billing"),  # Thursday → 2026-W53 (week of Mon 2026-12-28)
        ("2027-01-01 12:00", "billing"),  # Friday → still 2026-W53
        ("2027-01-04 12:00", "outage"),  # Monday → 2027-W01
    )
    counts = weekly_topic_counts(frame, "Europe/London")
    assert list(counts.columns) == COUNT_COLUMNS
    rows = [tuple(r) for r in counts[["iso_year", "iso_week", "topic", "count"]].to_numpy()]
    assert rows == [
        (2026, 53, "billing", 2),
        (2026, 53, "outage", 0),  # zero-filled
        (2027, 1, "billing", 0),  # zero-filled
        (2027, 1, "outage", 1),
    ]
    assert (
        counts["week_start"].tolist()
        == [pd.Timestamp("2026-12-28")] * 2 + [pd.Timestamp("2027-01-04")] * 2
    )
    # shares: W53 billing 2/2 = 100 %, outage 0 %; W01 billing 0 %, outage 100 %
    assert counts["share"].tolist() == pytest.approx([100.0, 0.0, 0.0, 100.0])


def test_weeks_follow_local_time() -> None:
    # Sun 2026-01-04 23:30 UTC is Mon 2026-01-05 01:30 in Helsinki (UTC+2) → 2026-W02,
    # but still Sunday in London (UTC+0) → 2026-W01.
    frame = _rows(("2026-01-04 23:30", "billing"))
    assert weekly_topic_counts(frame, "Europe/Helsinki")["iso_week"].tolist() == [2]
    assert weekly_topic_counts(frame, "Europe/London")["iso_week"].tolist() == [1]
    # Mon 2026-01-05 03:00 UTC is Sun 22:00 in New York (UTC−5) → 2026-W01.
    monday_utc = _rows(("2026-01-05 03:00", "billing"))
    assert weekly_topic_counts(monday_utc, "America/New_York")["iso_week"].tolist() == [1]
    assert weekly_topic_counts(monday_utc, "Europe/London")["iso_week"].tolist() == [2]


def test_shares_topics_order_missing_topic_and_widened_range() -> None:
    frame = _rows(
        ("2026-03-02 09:00", "billing"),
        ("2026-03-03 09:00", "billing"),
        ("2026-03-04 09:00", "billing"),
        ("2026-03-05 09:00", None),
    )
    counts = weekly_topic_counts(
        frame, "Europe/London", topics=["outage", "billing"], last_week="2026-03-11"
    )
    # topics: given order, then others found alphabetically; weeks: W10 (data) and W11 (widened)
    first = counts[counts["iso_week"] == 10]
    assert first["topic"].tolist() == ["outage", "billing", NO_TOPIC]
    assert first["count"].tolist() == [0, 3, 1]
    assert first["share"].tolist() == pytest.approx([0.0, 75.0, 25.0])  # 3/4, 1/4
    empty_week = counts[counts["iso_week"] == 11]
    assert empty_week["count"].tolist() == [0, 0, 0]
    assert empty_week["share"].isna().all()  # no contacts that week: share undefined


def test_empty_frame_gives_empty_counts() -> None:
    counts = weekly_topic_counts(_rows(), "Europe/London")
    assert counts.empty
    assert list(counts.columns) == COUNT_COLUMNS


def _weekly(values: list[int], topic: str = "billing") -> pd.DataFrame:
    weeks = pd.date_range("2026-01-05", periods=len(values), freq="7D")
    return pd.DataFrame({"week_start": weeks, "topic": topic, "count": values})


def test_detect_spikes_over_prior_eight_weeks() -> None:
    result = detect_spikes(_weekly([*BASELINE, 15, 14]))
    # weeks 1-4 have fewer than 4 prior weeks → no z
    assert result["z"].iloc[:4].isna().all()
    # week 5: prior 10, 12, 8, 10 → mean 10, std √2 → z = 0
    assert result["z"].iloc[4] == pytest.approx(0.0)
    # week 9: prior = BASELINE → z = 5/√2 = 3.54 → spike
    assert result["z"].iloc[8] == pytest.approx(5 / math.sqrt(2))
    assert result["is_spike"].iloc[8]
    # week 10: prior 12, 8, 10, 10, 12, 8, 10, 15 (8 weeks only): mean 85/8 = 10.625;
    # squared deviations sum 37.875 → var 4.734375 → std 2.17586; z = 3.375/2.17586 = 1.551
    assert result["baseline_mean"].iloc[9] == pytest.approx(10.625)
    assert result["baseline_std"].iloc[9] == pytest.approx(math.sqrt(4.734375))
    assert result["z"].iloc[9] == pytest.approx(3.375 / math.sqrt(4.734375))
    assert not result["is_spike"].iloc[9]
    assert result["is_spike"].sum() == 1


def test_detect_spikes_per_topic_and_missing_weeks_are_zero() -> None:
    # "outage": rows only for weeks 1 and 6 (count 1 and 12); weeks 2-5 are missing → 0.
    # Week 6 baseline: 1, 0, 0, 0, 0 → mean 0.2, std 0.4 → floor 1 → z = 11.8 → spike.
    weeks = pd.to_datetime(["2026-01-05", "2026-02-09"])
    outage = pd.DataFrame({"week_start": weeks, "topic": "outage", "count": [1, 12]})
    counts = pd.concat([_weekly([10] * 6), outage], ignore_index=True)
    result = detect_spikes(counts)
    spike = result[(result["topic"] == "outage") & (result["week_start"] == weeks[1])]
    assert spike["z"].iloc[0] == pytest.approx(11.8)
    assert bool(spike["is_spike"].iloc[0])
    assert not result[result["topic"] == "billing"]["is_spike"].any()


def test_detect_spikes_empty() -> None:
    result = detect_spikes(pd.DataFrame(columns=COUNT_COLUMNS))
    assert result.empty
    assert {"z", "is_spike", "baseline_mean", "baseline_std"} <= set(result.columns)


def test_detect_spikes_from_weekly_counts() -> None:
    # End to end: 9 weeks of "billing", 10 per week, then 25 in the ninth → z = 15 → spike.
    rows = []
    for week in range(9):
        monday = pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=week)
        n = 25 if week == 8 else 10
        rows += [(str(monday + pd.Timedelta(hours=10)), "billing")] * n
    result = detect_spikes(weekly_topic_counts(_rows(*rows), "Europe/London"))
    assert result["is_spike"].tolist() == [False] * 8 + [True]
    assert np.isclose(result["z"].iloc[-1], 15.0)  # (25 − 10)/max(0, 1)
