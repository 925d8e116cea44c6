"""Calibration: how well a panel of QA reviewers agree when they score the same interactions.

Input is one row per rating: interaction_id, reviewer, criterion_id, points (None/NaN = N/A).

- Agreement per criterion (docs/metrics.md "Calibration agreement"): Krippendorff's alpha (the
  `krippendorff` package) over the panel's points, reviewers × interactions, N/A as missing.
  Level: nominal for pass/fail criteria (max_points 1) and critical criteria (a must-pass is
  judged pass or fail, so 4 vs 5 of 5 is as much a disagreement as 0 vs 5); interval otherwise.
  Reported with the number of interactions that count (rated by at least two reviewers) and of
  raters. Alpha is undefined (NaN, with a note) when no interaction has two ratings, or when every
  rating is the same value (no variation to agree on).
- Deviation from the panel mean: per interaction, each reviewer's value minus the mean of all the
  panel's values for it (the reviewer included), over interactions scored by at least two
  reviewers; per reviewer the mean signed deviation (+ = more lenient than the panel) and the mean
  absolute one. On the review score (0–100, `qa_score.review_score`, so auto-fails count 0) or,
  per criterion, on points as a percentage of max_points.
- Widest spread: interaction × criterion items by max − min of the percentage points.
"""

from __future__ import annotations

from collections.abc import Iterable

import krippendorff
import numpy as np
import pandas as pd

from analytics.qa_score import Criterion, review_score

AGREEMENT_COLUMNS = [
    "criterion_id",
    "criterion",
    "level",
    "alpha",
    "interactions",
    "raters",
    "note",
]
DEVIATION_COLUMNS = ["reviewer", "interactions", "mean_signed", "mean_absolute"]
SPREAD_COLUMNS = ["interaction_id", "criterion_id", "criterion", "raters", "low", "high", "spread"]
NO_PAIRS = "needs an interaction rated by at least two reviewers"
NO_VARIATION = "every rating is the same value: alpha undefined (no variation)"


def alpha_level(criterion: Criterion) -> str:
    """Krippendorff level of measurement for a criterion's points."""
    return "nominal" if criterion.critical or criterion.max_points == 1 else "interval"


def criterion_agreement(ratings: pd.DataFrame, criteria: Iterable[Criterion]) -> pd.DataFrame:
    """Krippendorff's alpha per criterion, in scorecard order (AGREEMENT_COLUMNS)."""
    ratings = _checked(ratings, criteria := list(criteria))
    rows = []
    for criterion in criteria:
        rated = ratings[(ratings["criterion_id"] == criterion.id) & ratings["points"].notna()]
        matrix = rated.pivot(index="reviewer", columns="interaction_id", values="points")
        pairable = int((matrix.notna().sum() >= 2).sum())
        level = alpha_level(criterion)
        alpha, note = np.nan, ""
        if pairable == 0:
            note = NO_PAIRS
        elif rated["points"].nunique() < 2:
            note = NO_VARIATION
        else:
            alpha = float(
                krippendorff.alpha(
                    reliability_data=matrix.to_numpy(dtype=float), level_of_measurement=level
                )
            )
        rows.append((criterion.id, criterion.name, level, alpha, pairable, len(matrix.index), note))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def reviewer_deviation(
    ratings: pd.DataFrame, criteria: Iterable[Criterion], *, by_criterion: bool = False
) -> pd.DataFrame:
    """Each reviewer's deviation from the panel mean (DEVIATION_COLUMNS, plus criterion_id
    when `by_criterion`), most deviating (absolute) first."""
    criteria = list(criteria)
    values = (
        _criterion_values(ratings, criteria) if by_criterion else _review_values(ratings, criteria)
    )
    keys = ["criterion_id"] if by_criterion else []
    values = values[values["value"].notna()]
    item = values.groupby(["interaction_id", *keys])["value"]
    values = values.assign(panel=item.transform("mean"), raters=item.transform("size"))
    values = values[values["raters"] >= 2]
    values = values.assign(deviation=values["value"] - values["panel"])
    values = values.assign(absolute=values["deviation"].abs())
    result = values.groupby(["reviewer", *keys]).agg(
        interactions=("interaction_id", "nunique"),
        mean_signed=("deviation", "mean"),
        mean_absolute=("absolute", "mean"),
    )
    result = result.reset_index().sort_values(
        ["mean_absolute", "reviewer", *keys], ascending=[False, True, *[True] * len(keys)]
    )
    return result[["reviewer", *keys, *DEVIATION_COLUMNS[1:]]].reset_index(drop=True)


def widest_spread(
    ratings: pd.DataFrame, criteria: Iterable[Criterion], *, top: int = 10
) -> pd.DataFrame:
    """The `top` interaction × criterion items whose ratings (as % of max_points) spread most."""
    criteria = list(criteria)
    values = _criterion_values(ratings, criteria).dropna(subset=["value"])
    spread = values.groupby(["interaction_id", "criterion_id"], sort=False)["value"].agg(
        raters="size", low="min", high="max"
    )
    spread = spread[spread["raters"] >= 2].reset_index()
    spread["spread"] = spread["high"] - spread["low"]
    names = {criterion.id: criterion.name for criterion in criteria}
    spread["criterion"] = spread["criterion_id"].map(names)
    spread = spread.sort_values(
        ["spread", "interaction_id"], ascending=[False, True], kind="mergesort"
    )
    return spread[SPREAD_COLUMNS].head(top).reset_index(drop=True)


def _checked(ratings: pd.DataFrame, criteria: list[Criterion]) -> pd.DataFrame:
    """Refuse ratings of unknown criteria, points out of range, one item rated twice by one."""
    known = {criterion.id for criterion in criteria}
    unknown = sorted(set(ratings["criterion_id"]) - known, key=str)
    if unknown:
        raise ValueError(f"ratings of criteria not on the scorecard: {unknown}")
    twice = ratings.duplicated(["interaction_id", "reviewer", "criterion_id"])
    if twice.any():
        first = ratings.loc[twice].iloc[0]
        raise ValueError(
            f"{first['reviewer']} rated criterion {first['criterion_id']} of interaction "
            f"{first['interaction_id']} more than once"
        )
    points = pd.to_numeric(ratings["points"], errors="coerce")
    maximum = ratings["criterion_id"].map(
        {criterion.id: criterion.max_points for criterion in criteria}
    )
    outside = (points < 0) | (points > maximum)
    if outside.any():
        first = ratings.loc[outside].iloc[0]
        raise ValueError(
            f"{first['reviewer']} gave {first['points']} points on criterion "
            f"{first['criterion_id']}, outside 0..max_points"
        )
    return ratings.assign(points=points)


def _criterion_values(ratings: pd.DataFrame, criteria: list[Criterion]) -> pd.DataFrame:
    """Ratings with value = points as a percentage of the criterion's max_points."""
    ratings = _checked(ratings, criteria)
    maximum = {criterion.id: criterion.max_points for criterion in criteria}
    return ratings.assign(value=ratings["points"] / ratings["criterion_id"].map(maximum) * 100)


def _review_values(ratings: pd.DataFrame, criteria: list[Criterion]) -> pd.DataFrame:
    """One row per (interaction, reviewer) with value = that reviewer's review score."""
    ratings = _checked(ratings, criteria)
    rows = [
        (
            interaction,
            reviewer,
            review_score(criteria, dict(zip(g.criterion_id, g.points, strict=True))).score,
        )
        for (interaction, reviewer), g in ratings.groupby(["interaction_id", "reviewer"])
    ]
    frame = pd.DataFrame(rows, columns=["interaction_id", "reviewer", "value"])
    return frame.astype({"value": float})
