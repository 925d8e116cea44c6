"""Agent (or team) QA score over a period, with its 95 % interval, and the auto-fail rate.

Definitions (docs/metrics.md "Agent QA score interval"):
- QA score = mean of the group's review scores; an auto-failed review counts as 0 whatever score
  it carries. A review without a score (every criterion N/A) is not a scored review: it is left out
  of n, the mean and the auto-fail rate.
- 95 % interval = mean ± t(0.975, n − 1) × sd / √n (Student t, sample sd with n − 1), clipped to
  0–100. One review has no interval (NaN); identical scores give a zero-width one.
- Fewer than `min_reviews` (5) scored reviews: status "too few reviews (n)", no rank, listed after
  the ranked groups. A bare ranking is never shown without n and the interval.
- Auto-fail rate = auto-failed / scored reviews, with a Wilson score interval (statsmodels'
  `proportion_confint(method="wilson")`), which stays inside 0–1 and is sensible at 0 % and 100 %.

Example: scores 80, 90, 100, 70, 60 → mean 80, sd 15.81, t(0.975, 4) = 2.776 → ± 19.63 →
[60.37, 99.63]; one auto-fail in 10 reviews → 10 %, Wilson [1.79 %, 40.42 %].
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import t as student_t
from statsmodels.stats.proportion import proportion_confint

MIN_REVIEWS = 5
CONFIDENCE = 0.95
STAT_COLUMNS = [
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "auto_fails",
    "auto_fail_rate",
    "auto_fail_low",
    "auto_fail_high",
    "status",
    "rank",
]
STATUS_OK = "ok"


def too_few_status(n: int) -> str:
    """The status shown in place of a score with too few reviews."""
    return f"too few reviews ({n})"


def t_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval of a mean on the 0–100 scale, clipped to 0–100; NaN where n < 2."""
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        critical = student_t.ppf((1 + confidence) / 2, np.where(n >= 2, n - 1, np.nan))
        half = critical * np.asarray(sd, dtype=float) / np.sqrt(n)
    return np.clip(mean - half, 0, 100), np.clip(mean + half, 0, 100)


def wilson_interval(
    count: np.ndarray, n: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share count/n with its Wilson interval (all NaN where n is 0)."""
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    has = n > 0
    safe_n = np.where(has, n, 1)
    low, high = proportion_confint(count, safe_n, alpha=1 - confidence, method="wilson")
    nan = np.full(n.shape, np.nan)
    return (
        np.where(has, count / safe_n, nan),
        np.where(has, low, nan),
        np.where(has, high, nan),
    )


def agent_qa_scores(
    reviews: pd.DataFrame,
    by: str | Sequence[str] = "agent_id",
    *,
    score: str = "score",
    auto_failed: str = "auto_failed",
    groups: pd.DataFrame | None = None,
    min_reviews: int = MIN_REVIEWS,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """QA score per group (agent, team, …) from one row per review, ranked.

    Args:
        reviews: one row per review in the period, with the grouping column(s), `score` (0–100,
            NaN for a review without a score) and `auto_failed` (bool).
        by: the grouping column or columns.
        groups: optional frame of every group to show (the `by` columns); a group without
            reviews appears with n 0 and "too few reviews (0)".
        min_reviews: fewer scored reviews than this → not ranked.

    Returns the `by` columns then STAT_COLUMNS, in `rank_qa_scores` order.
    """
    keys = [by] if isinstance(by, str) else list(by)
    scored = reviews.loc[reviews[score].notna(), [*keys, score, auto_failed]].copy()
    failed = scored[auto_failed].eq(True)  # NULL (object dtype from the database) is not a fail
    scored["_value"] = scored[score].astype(float).where(~failed, 0.0)
    scored["_failed"] = failed.astype(int)
    stats = scored.groupby(keys, dropna=False).agg(
        n=("_value", "size"),
        mean=("_value", "mean"),
        sd=("_value", "std"),
        auto_fails=("_failed", "sum"),
    )
    return scores_from_stats(
        stats.reset_index(),
        keys,
        groups=groups,
        min_reviews=min_reviews,
        confidence=confidence,
    )


def scores_from_stats(
    stats: pd.DataFrame,
    by: str | Sequence[str],
    *,
    groups: pd.DataFrame | None = None,
    min_reviews: int = MIN_REVIEWS,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """`agent_qa_scores` from per-group aggregates already computed (e.g. in SQL).

    Args:
        stats: one row per group with the `by` columns, n (scored reviews), mean and sd (sample
            sd, n − 1) of the review scores with auto-fails as 0, and auto_fails.
        by, groups, min_reviews, confidence: as for `agent_qa_scores`.
    """
    keys = [by] if isinstance(by, str) else list(by)
    stats = stats[[*keys, "n", "mean", "sd", "auto_fails"]].copy()
    if groups is not None:
        # Outer join: every group asked for is listed, and no reviewed group is dropped.
        stats = groups[keys].drop_duplicates().merge(stats, on=keys, how="outer")
        stats[["n", "auto_fails"]] = stats[["n", "auto_fails"]].fillna(0)
    stats["n"] = stats["n"].astype(int)
    stats["auto_fails"] = stats["auto_fails"].astype(int)
    stats["ci_low"], stats["ci_high"] = t_interval(
        stats["mean"].to_numpy(float), stats["sd"].to_numpy(float), stats["n"], confidence
    )
    stats["auto_fail_rate"], stats["auto_fail_low"], stats["auto_fail_high"] = wilson_interval(
        stats["auto_fails"], stats["n"], confidence
    )
    enough = stats["n"] >= min_reviews
    stats["status"] = np.where(enough, STATUS_OK, stats["n"].map(too_few_status))
    return rank_qa_scores(stats[[*keys, *STAT_COLUMNS[:-1]]], keys, min_reviews=min_reviews)


def rank_qa_scores(
    stats: pd.DataFrame, keys: Sequence[str], *, min_reviews: int = MIN_REVIEWS
) -> pd.DataFrame:
    """Order groups for display and number the ranked ones.

    Groups with at least `min_reviews` scored reviews come first, by mean (high first), then by
    the interval's lower bound (the surer score first), then by key; they get rank 1, 2, … (equal
    means and lower bounds share a rank). Groups with too few reviews follow, most reviews first,
    with no rank (NA).
    """
    keys = list(keys)
    frame = stats.copy()
    frame["_enough"] = frame["n"] >= min_reviews
    # Too-few groups sort by n alone: their means are not compared.
    frame["_mean"] = frame["mean"].where(frame["_enough"])
    frame["_low"] = frame["ci_low"].where(frame["_enough"])
    frame = frame.sort_values(
        ["_enough", "_mean", "_low", "n", *keys],
        ascending=[False, False, False, False, *[True] * len(keys)],
        na_position="last",
        kind="mergesort",
    )
    ranked = frame["_enough"].to_numpy()
    # Sorted already: a group's rank is the position of the first group with its (mean, ci_low).
    ties = frame.loc[ranked, ["mean", "ci_low"]]
    starts = (ties != ties.shift()).any(axis=1).to_numpy()
    positions = np.arange(1, len(ties) + 1)
    rank = pd.Series(np.where(starts, positions, np.nan)).ffill()
    frame["rank"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    frame.loc[ranked, "rank"] = rank.astype(int).to_numpy()
    return frame.drop(columns=["_enough", "_mean", "_low"]).reset_index(drop=True)
