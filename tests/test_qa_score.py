"""QA review score: DESIGN's worked example, N/A, auto-fail on a critical criterion, validation."""

from __future__ import annotations

import math

import pytest

from analytics.qa_score import Criterion, review_score

# DESIGN's worked example: weights 2, 1, 1.
TONE = Criterion("tone", "Greeting and tone", weight=2, max_points=5)
ACCURACY = Criterion("accuracy", "Accuracy", weight=1, max_points=3)
SPELLING = Criterion("spelling", "Spelling", weight=1, max_points=2)
POLICY = Criterion("policy", "Policy compliance", weight=1, max_points=1, critical=True)
SCORECARD = [TONE, ACCURACY, SPELLING]


def test_worked_example() -> None:
    # 4/5, 3/3, N/A → (2·0.8 + 1·1) / (2 + 1) × 100 = 2.6 / 3 × 100 = 86.67
    result = review_score(SCORECARD, {"tone": 4, "accuracy": 3, "spelling": None})
    assert round(result.score, 1) == 86.7
    assert result.score == pytest.approx(260 / 3)
    assert not result.auto_failed
    assert result.rated == ("tone", "accuracy")
    assert result.not_applicable == ("spelling",)
    assert result.complete


def test_worked_example_with_critical_failed_is_zero_and_auto_failed() -> None:
    # Same review plus policy compliance failed (0/1): 0, auto-failed. Without the auto-fail it
    # would be (1.6 + 1 + 0) / 4 × 100 = 65.
    result = review_score(
        [*SCORECARD, POLICY], {"tone": 4, "accuracy": 3, "spelling": None, "policy": 0}
    )
    assert result.score == 0
    assert result.auto_failed
    assert result.failed_critical == ("policy",)
    assert result.unfailed_score == pytest.approx(65)


def test_critical_passed_counts_like_any_criterion() -> None:
    # Policy 1/1 passes: (1.6 + 1 + 1) / 4 × 100 = 90
    result = review_score([*SCORECARD, POLICY], {"tone": 4, "accuracy": 3, "policy": 1})
    assert result.score == pytest.approx(90)
    assert not result.auto_failed
    assert result.missing == ("spelling",)
    assert not result.complete


def test_graded_critical_below_max_fails() -> None:
    # A critical criterion is must-pass: 4 of 5 is a fail, 5 of 5 a pass.
    graded = Criterion("defensible", "Public defensibility", weight=1, max_points=5, critical=True)
    assert review_score([graded, TONE], {"defensible": 4, "tone": 5}).auto_failed
    assert review_score([graded, TONE], {"defensible": 5, "tone": 5}).score == 100


def test_critical_marked_na_does_not_fail() -> None:
    # Public defensibility applies to public replies only: N/A on a private message.
    result = review_score([TONE, POLICY], {"tone": 5, "policy": None})
    assert result.score == 100
    assert not result.auto_failed


def test_nan_is_na_like_none() -> None:
    # Frames read from the database carry N/A as NaN.
    result = review_score(SCORECARD, {"tone": 4, "accuracy": 3, "spelling": math.nan})
    assert result.score == pytest.approx(260 / 3)


def test_all_na_has_no_score() -> None:
    result = review_score(SCORECARD, {"tone": None, "accuracy": None, "spelling": None})
    assert result.score is None
    assert not result.auto_failed
    assert review_score(SCORECARD, {}).score is None
    assert review_score(SCORECARD, {}).missing == ("tone", "accuracy", "spelling")


def test_zeros_and_full_marks() -> None:
    assert review_score(SCORECARD, {"tone": 0, "accuracy": 0, "spelling": 0}).score == 0
    assert review_score(SCORECARD, {"tone": 5, "accuracy": 3, "spelling": 2}).score == 100
    # Fractional points: 2.5/5 with weight 2 and 1.5/3 → 50.
    assert review_score(SCORECARD, {"tone": 2.5, "accuracy": 1.5}).score == pytest.approx(50)


def test_unknown_criterion_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"unknown criteria \['empathy'\]"):
        review_score(SCORECARD, {"tone": 4, "empathy": 2})


@pytest.mark.parametrize("points", [-1, 6, 5.5, "4", True])
def test_points_outside_range_are_refused(points: object) -> None:
    with pytest.raises(ValueError, match=r"'Greeting and tone': points must be between 0 and 5"):
        review_score(SCORECARD, {"tone": points})


def test_every_problem_in_one_message() -> None:
    with pytest.raises(ValueError) as raised:
        review_score(SCORECARD, {"tone": 9, "accuracy": -1, "x": 1})
    message = str(raised.value)
    assert "unknown criteria ['x']" in message
    assert "'Greeting and tone'" in message
    assert "'Accuracy'" in message


def test_bad_scorecard_is_refused() -> None:
    broken = Criterion("zero", "Zero max", weight=1, max_points=0)
    with pytest.raises(ValueError, match="max_points > 0"):
        review_score([broken], {})
