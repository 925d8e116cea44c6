"""Agent QA score with its Student-t interval, too-few-reviews ranking, Wilson auto-fail rate."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.qa_intervals import STAT_COLUMNS, agent_qa_scores, wilson_interval


def reviews(rows: list[tuple[str, float | None, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["agent_id", "score", "auto_failed"])


def row(frame: pd.DataFrame, agent: str) -> pd.Series:
    return frame.set_index("agent_id").loc[agent]


def test_t_interval_by_hand() -> None:
    # 80, 90, 100, 70, 60: mean 80; deviations 0, 10, 20, −10, −20 → Σ² 1000; sd = √(1000/4)
    # = 15.811; t(0.975, 4) = 2.7764; half = 2.7764 × 15.811 / √5 = 19.632 → [60.37, 99.63].
    result = agent_qa_scores(reviews([("ana", s, False) for s in (80, 90, 100, 70, 60)]))
    ana = row(result, "ana")
    assert ana["n"] == 5
    assert ana["mean"] == pytest.approx(80)
    assert ana["sd"] == pytest.approx(15.811, abs=1e-3)
    assert ana["ci_low"] == pytest.approx(60.37, abs=0.01)
    assert ana["ci_high"] == pytest.approx(99.63, abs=0.01)
    assert ana["status"] == "ok"
    assert ana["rank"] == 1
    assert list(result.columns) == ["agent_id", *STAT_COLUMNS]


def test_auto_fail_counts_zero_and_interval_clips_at_zero() -> None:
    # 100, 100, 100, 100 and an auto-fail stored as 90 (its unfailed score) → it counts 0:
    # mean 80; deviations 20 ×4, −80 → Σ² 1600 + 6400 = 8000; sd = √2000 = 44.72;
    # half = 2.7764 × 44.72 / √5 = 55.53 → [24.47, 135.53] → clipped to [24.47, 100].
    result = agent_qa_scores(
        reviews([("bo", 100, False)] * 4 + [("bo", 90, True)]),
    )
    bo = row(result, "bo")
    assert bo["mean"] == pytest.approx(80)
    assert bo["ci_low"] == pytest.approx(24.47, abs=0.01)
    assert bo["ci_high"] == 100
    assert bo["auto_fails"] == 1
    assert bo["auto_fail_rate"] == pytest.approx(0.2)


def test_wilson_by_hand() -> None:
    # 1 of 10: p = 0.1, z = 1.96; centre = (0.1 + 1.96²/20) / (1 + 1.96²/10) = 0.29208 / 1.38415
    # = 0.21102; half = 1.96 × √(0.1·0.9/10 + 1.96²/400) / 1.38415 = 1.96 × 0.13640 / 1.38415
    # = 0.19314 → [0.0179, 0.4042].
    rate, low, high = wilson_interval([1], [10])
    assert rate[0] == pytest.approx(0.1)
    assert low[0] == pytest.approx(0.0179, abs=1e-4)
    assert high[0] == pytest.approx(0.4042, abs=1e-4)


def test_auto_fail_rate_interval_in_the_frame() -> None:
    frame = reviews([("cy", 90, False)] * 9 + [("cy", 0, True)])
    cy = row(agent_qa_scores(frame), "cy")
    assert cy["auto_fail_low"] == pytest.approx(0.0179, abs=1e-4)
    assert cy["auto_fail_high"] == pytest.approx(0.4042, abs=1e-4)


def test_no_auto_fails_has_a_nonzero_upper_bound() -> None:
    # 0 of 5: Wilson [0, z²/(n + z²)] = [0, 3.8415/8.8415] = [0, 0.4345].
    cy = row(agent_qa_scores(reviews([("cy", 90, False)] * 5)), "cy")
    assert cy["auto_fail_rate"] == 0
    assert cy["auto_fail_low"] == pytest.approx(0, abs=1e-12)
    assert cy["auto_fail_high"] == pytest.approx(0.4345, abs=1e-4)
    # Identical scores: zero-width interval.
    assert (cy["ci_low"], cy["ci_high"]) == (90, 90)


def test_too_few_reviews_are_said_and_ranked_after_the_others() -> None:
    frame = reviews(
        [("ana", s, False) for s in (80, 90, 100, 70, 60)]  # mean 80, n 5
        + [("bo", s, False) for s in (70, 70, 70, 70, 70, 70)]  # mean 70, n 6
        + [("cy", 100, False)] * 4  # a perfect 100 from only 4 reviews
        + [("dee", 95, False)]  # one review: no interval
    )
    result = agent_qa_scores(frame)
    assert list(result["agent_id"]) == ["ana", "bo", "cy", "dee"]
    assert list(result["status"]) == ["ok", "ok", "too few reviews (4)", "too few reviews (1)"]
    assert result["rank"].tolist() == [1, 2, pd.NA, pd.NA]
    dee = row(result, "dee")
    assert math.isnan(dee["ci_low"]) and math.isnan(dee["ci_high"])


def test_equal_means_rank_the_surer_first_and_ties_share_a_rank() -> None:
    # Both mean 80: "ana" spread 60–100 (low 60.37), "eve" all 80 (low 80) → eve first.
    # "fay" equals "eve" exactly → shares rank 1; "ana" is 3rd.
    frame = reviews(
        [("ana", s, False) for s in (80, 90, 100, 70, 60)]
        + [("eve", 80, False)] * 5
        + [("fay", 80, False)] * 5
    )
    result = agent_qa_scores(frame)
    assert list(result["agent_id"]) == ["eve", "fay", "ana"]
    assert result["rank"].tolist() == [1, 1, 3]


def test_reviews_without_a_score_are_not_counted() -> None:
    # An all-N/A review has no score: not in n, the mean or the auto-fail rate.
    result = agent_qa_scores(reviews([("ana", 80, False), ("ana", None, False)]))
    assert row(result, "ana")["n"] == 1


def test_team_grouping_and_groups_without_reviews() -> None:
    frame = pd.DataFrame(
        {
            "team": ["north", "north", "south"],
            "score": [60.0, 100.0, 50.0],
            "auto_failed": [False, False, False],
        }
    )
    every = pd.DataFrame({"team": ["north", "south", "west"]})
    result = agent_qa_scores(frame, by="team", groups=every, min_reviews=2).set_index("team")
    assert result.loc["north", "mean"] == 80
    # north: sd = √((20² + 20²)/1) = 28.28; t(0.975, 1) = 12.706 → half 254 → clipped [0, 100].
    assert (result.loc["north", "ci_low"], result.loc["north", "ci_high"]) == (0, 100)
    assert result.loc["west", "n"] == 0
    assert result.loc["west", "status"] == "too few reviews (0)"
    assert math.isnan(result.loc["west", "auto_fail_rate"])
    assert list(result.index) == ["north", "south", "west"]


def test_two_key_grouping() -> None:
    frame = pd.DataFrame(
        {
            "team": ["north", "north", "north"],
            "agent_id": ["ana", "ana", "bo"],
            "score": [60.0, 100.0, 50.0],
            "auto_failed": [False, False, True],
        }
    )
    result = agent_qa_scores(frame, by=["team", "agent_id"], min_reviews=1)
    assert result[["team", "agent_id", "n", "mean", "rank"]].values.tolist() == [
        ["north", "ana", 2, 80.0, 1],
        ["north", "bo", 1, 0.0, 2],
    ]


def test_no_reviews_gives_an_empty_frame_with_the_columns() -> None:
    result = agent_qa_scores(reviews([]))
    assert result.empty
    assert list(result.columns) == ["agent_id", *STAT_COLUMNS]


def test_missing_auto_fail_flag_is_not_a_fail() -> None:
    # Flags read from the database may come as an object column with NULLs.
    frame = pd.DataFrame(
        {"agent_id": ["ana"] * 3, "score": [80.0, 60.0, 0.0], "auto_failed": [None, False, True]}
    )
    ana = row(agent_qa_scores(frame), "ana")
    assert (ana["auto_fails"], ana["mean"]) == (1, pytest.approx(140 / 3))
