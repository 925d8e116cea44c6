"""The one percentile rule, for exact FRT values and for the FRT histogram of the rollup.

Percentiles are Hyndman & Fan type 7 (numpy's default "linear" method): over the n values
sorted, h = (n − 1) · q / 100 and the result interpolates between the ⌊h⌋-th and the next.
`weighted_percentile` applies that rule to (value, count) pairs, so the same code serves
exact values (count 1 each: the result is exactly numpy's) and a histogram (each contact of
a bucket stands at the bucket's representative value).

The FRT histogram: fixed bucket edges, log-spaced by RATIO from 1 s to 30 days, with every
edge of the FRT bucket charts (`analytics.distributions`) added, so bucket counts per chart
bucket come out exact. A bucket's representative value is its geometric midpoint √(lo · hi),
which lies within a factor √RATIO of every value in the bucket; a type-7 percentile is a
convex combination of two order statistics, so the estimate is within that factor of the
exact percentile too: relative error ≤ √RATIO − 1 ≈ RELATIVE_ERROR (4.9 %). Values under 1 s
(and negative ones: clock skew) share the first bucket, represented by 0.5 s (error ≤ 0.5 s);
values of 30 days and more share the last, represented by their mean.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

# Width of a log bucket: each bucket's upper edge is RATIO × its lower edge.
RATIO = 1.1
RELATIVE_ERROR = math.sqrt(RATIO) - 1.0
FIRST_EDGE = 1.0
LAST_EDGE = 30 * 86_400.0
# Absolute error bound for values under FIRST_EDGE (the first bucket is [-inf, 1 s)).
ABSOLUTE_ERROR_UNDER_FIRST = 0.5
# Chart bucket edges (analytics.distributions LIVE_BUCKETS / ASYNC_BUCKETS), kept exact.
CHART_EDGES = (20.0, 60.0, 120.0, 300.0, 3_600.0, 4 * 3_600.0, 8 * 3_600.0, 24 * 3_600.0)
# Below this many answered contacts in a slice, percentiles are computed from the exact
# values: reading that many FRTs is a few milliseconds on either backend, and small slices
# are where a reader compares figures contact by contact.
EXACT_MAX_CONTACTS = 5_000
# The error bound as the metric help states it (pages and docs/metrics.md).
PERCENTILE_NOTE = (
    f"Exact when the selection has at most {EXACT_MAX_CONTACTS:,} answered contacts; above "
    "that, read from a histogram of response times kept with the 15-minute rollup, within "
    f"{RELATIVE_ERROR * 100:.0f} % of the exact value (0.5 s under one second). The mean is "
    "always exact."
)


def _edges() -> tuple[float, ...]:
    steps = math.ceil(math.log(LAST_EDGE / FIRST_EDGE) / math.log(RATIO))
    log_edges = {round(FIRST_EDGE * RATIO**k, 6) for k in range(steps)}
    return tuple(sorted(log_edges | set(CHART_EDGES) | {LAST_EDGE}))


# Lower edges of buckets 1..len(EDGES); bucket 0 holds everything below EDGES[0].
EDGES: tuple[float, ...] = _edges()
BUCKET_COUNT = len(EDGES) + 1


def bucket_of(seconds: np.ndarray | Iterable[float]) -> np.ndarray:
    """Histogram bucket of each value: 0 below 1 s, k for EDGES[k-1] ≤ value < EDGES[k]."""
    values = np.asarray(seconds, dtype=float)
    return np.searchsorted(np.asarray(EDGES), values, side="right")


def representative(bucket: np.ndarray | Iterable[int]) -> np.ndarray:
    """Representative value of each bucket (geometric midpoint; 0.5 s for bucket 0; the last,
    open bucket has none: NaN, the caller uses the bucket's mean)."""
    index = np.asarray(bucket, dtype=int)
    lower = np.concatenate([[0.0], EDGES])
    upper = np.concatenate([EDGES, [np.nan]])
    mid = np.sqrt(lower * upper)
    mid[0] = ABSOLUTE_ERROR_UNDER_FIRST
    return mid[index]


def weighted_percentile(
    values: np.ndarray | Iterable[float], counts: np.ndarray | Iterable[float], q: float
) -> float | None:
    """The q-th percentile (type 7) of the multiset where each value occurs `count` times.

    None when the counts sum to 0. With all counts 1 this is exactly numpy's percentile.
    Example: values 10, 20, 30, 40 with counts 1 each → p90 = 37; values 10, 40 with counts
    2, 2 → p50 = 25 (the multiset 10, 10, 40, 40).
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be between 0 and 100, got {q}")
    v = np.asarray(values, dtype=float)
    c = np.asarray(counts, dtype=float)
    keep = (c > 0) & ~np.isnan(v)
    v, c = v[keep], c[keep]
    if v.size == 0:
        return None
    order = np.argsort(v, kind="stable")
    v, c = v[order], c[order]
    cumulative = np.cumsum(c)  # cumulative[i] - 1 = index of the last copy of v[i]
    n = cumulative[-1]
    h = (n - 1) * q / 100.0
    lower = math.floor(h)
    upper = min(lower + 1, int(n) - 1)
    # The value at sorted index k is the first v[i] whose copies reach past k.
    at = np.searchsorted(cumulative, [lower + 1, upper + 1], side="left")
    low_value, high_value = float(v[at[0]]), float(v[at[1]])
    return low_value + (h - lower) * (high_value - low_value)
