"""QA review score: one review's points on a scorecard as a 0–100 score
(docs/metrics.md "QA review score").

    score = Σ(weight × points / max_points) / Σ weight × 100, over the criteria rated

A criterion marked N/A (points None or NaN) leaves both sums. Any failed critical criterion sets
the score to 0 and marks the review auto-failed. A critical criterion is a must-pass: it fails when
it is rated below its max_points (critical criteria are usually pass/fail with max_points 1, so
"fail" is points 0; a graded critical criterion must be met in full, since partial compliance with
a must-pass rule — half a policy check — is still a breach). A critical criterion marked N/A cannot
fail. A review whose criteria are all N/A has no score (None), not 0.

Worked example (docs/metrics.md): weights 2, 1, 1 with points 4/5, 3/3, N/A →
(2·0.8 + 1·1) / 3 × 100 = 86.7; the same review with a critical criterion failed → 0, auto-failed.

This is the one definition of the review score: the review form's live total, the stored total and
the calibration panel's scores are all computed here.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

CriterionId = Hashable


@dataclass(frozen=True)
class Criterion:
    """One scorecard criterion: weight ≥ 0, max_points > 0, critical = must-pass."""

    id: CriterionId
    name: str
    weight: float
    max_points: float
    critical: bool = False


@dataclass(frozen=True)
class ReviewScore:
    """The score of one review.

    score: 0–100, 0 when auto-failed, None when no criterion was rated (all N/A or none given);
    unfailed_score: the weighted score as if no critical criterion had failed (what the reviewer
    would see without the auto-fail; None when nothing was rated);
    failed_critical: ids of the critical criteria that failed, in scorecard order;
    rated: ids of the criteria that carry points; not_applicable: ids marked N/A;
    missing: ids of scorecard criteria absent from the scores (not yet rated — the form must
    not submit while any are missing; the live total leaves them out, like N/A).
    """

    score: float | None
    auto_failed: bool
    unfailed_score: float | None
    failed_critical: tuple[CriterionId, ...]
    rated: tuple[CriterionId, ...]
    not_applicable: tuple[CriterionId, ...]
    missing: tuple[CriterionId, ...]

    @property
    def complete(self) -> bool:
        """Every criterion of the scorecard has points or N/A."""
        return not self.missing


def is_not_applicable(points: float | None) -> bool:
    """N/A is written as None (forms) or NaN (frames read from the database)."""
    return points is None or (isinstance(points, float) and math.isnan(points))


def review_score(
    criteria: Iterable[Criterion], scores: Mapping[CriterionId, float | None]
) -> ReviewScore:
    """Score one review: `scores` maps criterion id → points, or None/NaN for N/A.

    Raises ValueError (with every problem in one message) for scores of criteria that are not on
    the scorecard, points outside 0..max_points, or a criterion with weight < 0 or max_points ≤ 0.
    """
    criteria = list(criteria)
    known = {criterion.id for criterion in criteria}
    problems: list[str] = []
    unknown = [key for key in scores if key not in known]
    if unknown:
        problems.append(
            f"unknown criteria {sorted(map(str, unknown))}; "
            f"this scorecard has {sorted(map(str, known))}"
        )
    for criterion in criteria:
        if criterion.weight < 0 or criterion.max_points <= 0:
            problems.append(
                f"criterion {criterion.name!r} needs weight ≥ 0 and max_points > 0 "
                f"(has weight {criterion.weight}, max_points {criterion.max_points})"
            )
        points = scores.get(criterion.id)
        if is_not_applicable(points):
            continue
        if (
            isinstance(points, bool)
            or not isinstance(points, numbers.Real)
            or not 0 <= points <= criterion.max_points
        ):
            problems.append(
                f"{criterion.name!r}: points must be between 0 and {criterion.max_points:g} "
                f"(got {points!r})"
            )
    if problems:
        raise ValueError("; ".join(problems))

    rated: list[CriterionId] = []
    not_applicable: list[CriterionId] = []
    missing: list[CriterionId] = []
    failed: list[CriterionId] = []
    weighted = 0.0
    weights = 0.0
    for criterion in criteria:
        if criterion.id not in scores:
            missing.append(criterion.id)
            continue
        points = scores[criterion.id]
        if is_not_applicable(points):
            not_applicable.append(criterion.id)
            continue
        rated.append(criterion.id)
        weighted += criterion.weight * points / criterion.max_points
        weights += criterion.weight
        if criterion.critical and points < criterion.max_points:
            failed.append(criterion.id)

    # All rated criteria weighing 0 leaves nothing to average: no score, like all N/A.
    unfailed = weighted / weights * 100 if weights > 0 else None
    auto_failed = bool(failed)
    return ReviewScore(
        score=0.0 if auto_failed else unfailed,
        auto_failed=auto_failed,
        unfailed_score=unfailed,
        failed_critical=tuple(failed),
        rated=tuple(rated),
        not_applicable=tuple(not_applicable),
        missing=tuple(missing),
    )
