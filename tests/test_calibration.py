"""Calibration: Krippendorff's alpha per criterion, reviewer deviation, widest spread."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.calibration import (
    AGREEMENT_COLUMNS,
    NO_PAIRS,
    NO_VARIATION,
    criterion_agreement,
    reviewer_deviation,
    widest_spread,
)
from analytics.qa_score import Criterion

NAN = math.nan
# Krippendorff's own worked example (Content Analysis, 2nd ed. / "Computing Krippendorff's
# alpha-reliability", 2011): 4 coders × 12 units, values 1–5, missing as NaN. Published:
# nominal 0.743, interval 0.849 (the package reproduces both).
PAPER = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    "C": [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
}
ACCURACY = Criterion("accuracy", "Accuracy", weight=1, max_points=5)
POLICY = Criterion("policy", "Policy compliance", weight=1, max_points=5, critical=True)


def long_ratings(criterion_id: str, table: dict[str, list[float]]) -> pd.DataFrame:
    """Reviewer → points per interaction 1..n into one row per rating (NaN rows = N/A)."""
    return pd.DataFrame(
        [
            {
                "interaction_id": unit,
                "reviewer": reviewer,
                "criterion_id": criterion_id,
                "points": p,
            }
            for reviewer, points in table.items()
            for unit, p in enumerate(points, start=1)
        ]
    )


def test_alpha_matches_krippendorffs_worked_example() -> None:
    ratings = pd.concat([long_ratings("accuracy", PAPER), long_ratings("policy", PAPER)])
    result = criterion_agreement(ratings, [ACCURACY, POLICY]).set_index("criterion_id")
    assert list(result.reset_index().columns) == AGREEMENT_COLUMNS
    # Graded criterion → interval 0.849; critical criterion → nominal 0.743.
    assert result.loc["accuracy", "level"] == "interval"
    assert result.loc["accuracy", "alpha"] == pytest.approx(0.849, abs=5e-4)
    assert result.loc["policy", "level"] == "nominal"
    assert result.loc["policy", "alpha"] == pytest.approx(0.743, abs=5e-4)
    # Unit 12 has one rating only: 11 interactions count; 4 raters.
    assert result.loc["accuracy", "interactions"] == 11
    assert result.loc["accuracy", "raters"] == 4


def test_alpha_matches_the_packages_documented_example() -> None:
    # krippendorff.alpha docstring: 3 coders × 15 units → nominal 0.691358, interval 0.810845.
    table = {
        "A": [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
        "B": [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
        "C": [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
    }
    ratings = pd.concat([long_ratings("accuracy", table), long_ratings("policy", table)])
    result = criterion_agreement(ratings, [ACCURACY, POLICY]).set_index("criterion_id")
    assert result.loc["accuracy", "alpha"] == pytest.approx(0.810845, abs=1e-6)
    assert result.loc["policy", "alpha"] == pytest.approx(0.691358, abs=1e-6)


def test_pass_fail_alpha_by_hand() -> None:
    # Two reviewers, four interactions, pass (1) / fail (0): (0,0) (1,1) (1,0) (0,0).
    # Coincidences: o00 = 2 + 2 = 4, o11 = 2, o01 = o10 = 1; n0 = 5, n1 = 3, n = 8.
    # alpha = 1 − (n − 1)·o01 / (n0·n1) = 1 − 7 / 15 = 0.5333.
    greeting = Criterion("greeting", "Greeting", weight=1, max_points=1)
    ratings = long_ratings("greeting", {"rita": [0, 1, 1, 0], "sam": [0, 1, 0, 0]})
    result = criterion_agreement(ratings, [greeting]).iloc[0]
    assert result["level"] == "nominal"
    assert result["alpha"] == pytest.approx(8 / 15)


def test_alpha_undefined_is_said() -> None:
    same = long_ratings("accuracy", {"rita": [4, 4], "sam": [4, 4]})
    lonely = long_ratings("policy", {"rita": [5, NAN], "sam": [NAN, 1]})
    result = criterion_agreement(pd.concat([same, lonely]), [ACCURACY, POLICY])
    assert result["note"].tolist() == [NO_VARIATION, NO_PAIRS]
    assert result["alpha"].isna().all()


# One criterion of 5 points, weight 1: review score = points × 20.
# i1: rita 5, sam 4, tom 3 → 100, 80, 60, panel mean 80 → +20, 0, −20.
# i2: rita 4, sam 4, tom 1 → 80, 80, 20, panel mean 60 → +20, +20, −40.
# i3: rated by rita only → not a panel item.
PANEL = long_ratings("accuracy", {"rita": [5, 4, 2], "sam": [4, 4, NAN], "tom": [3, 1, NAN]})


def test_reviewer_deviation_from_panel_mean_by_hand() -> None:
    result = reviewer_deviation(PANEL, [ACCURACY])
    # tom: signed (−20 − 40)/2 = −30, absolute 30; rita: +20, 20; sam: (0 + 20)/2 = 10, 10.
    assert result.values.tolist() == [
        ["tom", 2, -30.0, 30.0],
        ["rita", 2, 20.0, 20.0],
        ["sam", 2, 10.0, 10.0],
    ]


def test_deviation_counts_an_auto_fail_as_zero() -> None:
    # A critical pass/fail check: rita fails it (0/1) on i1, the others pass → her review 0.
    # Scores i1: rita 0 (auto-fail), sam (80 + 100)/2 = 90, tom (60 + 100)/2 = 80 → mean 56.67.
    check = Criterion("check", "Policy check", weight=1, max_points=1, critical=True)
    ratings = pd.concat(
        [
            PANEL[PANEL["interaction_id"] == 1],
            long_ratings("check", {"rita": [0], "sam": [1], "tom": [1]}),
        ]
    )
    result = reviewer_deviation(ratings, [ACCURACY, check]).set_index("reviewer")
    assert result.loc["rita", "mean_signed"] == pytest.approx(0 - 170 / 3)


def test_deviation_per_criterion_on_percent_of_max() -> None:
    check = Criterion("check", "Policy check", weight=1, max_points=1, critical=True)
    ratings = pd.concat([PANEL, long_ratings("check", {"rita": [0], "sam": [1], "tom": [1]})])
    result = reviewer_deviation(ratings, [ACCURACY, check], by_criterion=True)
    rita = result[result["reviewer"] == "rita"].set_index("criterion_id")
    # check on i1: 0 %, 100 %, 100 % → mean 66.67 → rita −66.67.
    assert rita.loc["check", "mean_signed"] == pytest.approx(-200 / 3)
    assert rita.loc["accuracy", "mean_signed"] == pytest.approx(20)


def test_widest_spread_items_first() -> None:
    result = widest_spread(PANEL, [ACCURACY], top=5)
    # i2: 80 − 20 = 60; i1: 100 − 60 = 40; i3 has one rating → not an item.
    assert result[["interaction_id", "criterion", "raters", "spread"]].values.tolist() == [
        [2, "Accuracy", 3, 60.0],
        [1, "Accuracy", 3, 40.0],
    ]
    assert len(widest_spread(PANEL, [ACCURACY], top=1)) == 1


def test_bad_ratings_are_refused() -> None:
    with pytest.raises(ValueError, match=r"not on the scorecard: \['empathy'\]"):
        criterion_agreement(long_ratings("empathy", {"rita": [1]}), [ACCURACY])
    twice = pd.concat([PANEL.iloc[:1], PANEL.iloc[:1]])
    with pytest.raises(ValueError, match="rita rated criterion accuracy of interaction 1 more"):
        reviewer_deviation(twice, [ACCURACY])
    with pytest.raises(ValueError, match="rita gave 6 points on criterion accuracy"):
        widest_spread(long_ratings("accuracy", {"rita": [6], "sam": [5]}), [ACCURACY])
