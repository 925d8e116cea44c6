"""Percentiles, the first-response-time (FRT) summary and FRT buckets.

FRT is reported as median and 90th percentile (the mean only as a secondary figure, because a
few very late replies drag it far from what a typical customer sees). Buckets group FRTs for the
distribution charts: hours for async/social channels, seconds and minutes for voice/chat.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.percentiles import weighted_percentile

# (label, lower edge in seconds); each bucket includes its lower edge and excludes the next one's.
ASYNC_BUCKETS: tuple[tuple[str, int], ...] = (
    ("0–1 h", 0),
    ("1–4 h", 3_600),
    ("4–8 h", 4 * 3_600),
    ("8–24 h", 8 * 3_600),
    ("24 h+", 24 * 3_600),
)
LIVE_BUCKETS: tuple[tuple[str, int], ...] = (
    ("0–20 s", 0),
    ("20–60 s", 20),
    ("1–2 min", 60),
    ("2–5 min", 120),
    ("5 min+", 300),
)
# Channel kinds (channels.kind) answered live use second buckets; the others use hour buckets.
LIVE_KINDS = frozenset({"voice", "chat", "live"})
ASYNC_KINDS = frozenset({"async", "social", "email"})


@dataclass(frozen=True)
class FrtSummary:
    """Median, 90th percentile and mean FRT in seconds over `n` answered contacts.

    The three figures are None when n == 0 (no answered contacts: "no data", never 0 s).
    """

    median: float | None
    p90: float | None
    mean: float | None
    n: int


def _clean(values: Iterable[float | None]) -> np.ndarray:
    """Values as a float array with None / NaN / NaT dropped."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        array = values.astype(float, copy=False).ravel()
    else:
        if not isinstance(values, pd.Series | pd.Index):
            values = pd.Series(list(values), dtype="object")
        array = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    return array[~np.isnan(array)]


def percentile(values: Iterable[float | None], q: float) -> float | None:
    """The q-th percentile (0 ≤ q ≤ 100) of the values, by linear interpolation.

    Definition (Hyndman & Fan type 7, numpy's default "linear" method): sort the n values
    x[0] ≤ … ≤ x[n-1]; h = (n − 1) · q / 100; the result is
    x[⌊h⌋] + (h − ⌊h⌋) · (x[⌊h⌋ + 1] − x[⌊h⌋]). Missing values (None, NaN) are ignored;
    returns None when no values remain. (The one rule: `analytics.percentiles`.)
    Example: values 10, 20, 30, 40 → p50 = 25, p90 = 37 (h = 2.7 → 30 + 0.7 · 10).
    """
    data = _clean(values)
    return weighted_percentile(data, np.ones(data.size), q)


def frt_summary(seconds: Iterable[float | None]) -> FrtSummary:
    """Median (p50), p90 and arithmetic mean of the FRTs in seconds, and their count n.

    Percentiles use `percentile` (linear interpolation). Missing values (unanswered contacts)
    are ignored; with no values left every figure is None and n is 0.
    """
    data = _clean(seconds)
    if data.size == 0:
        return FrtSummary(median=None, p90=None, mean=None, n=0)
    return FrtSummary(
        median=percentile(data, 50),
        p90=percentile(data, 90),
        mean=float(data.mean()),
        n=int(data.size),
    )


def frt_summary_counted(frame: pd.DataFrame) -> FrtSummary:
    """FRT summary of an FRT frame (`queries.sl_frt`): rows of frt_seconds with n contacts at
    that value and sum_seconds their exact summed FRT (a frame without n: one contact a row).

    Median and p90 by `analytics.percentiles.weighted_percentile` (exact for exact values,
    within its stated bound for histogram values); the mean from the exact sums.
    """
    if "n" not in frame.columns:
        return frt_summary(frame["frt_seconds"] if len(frame) else [])
    counts = pd.to_numeric(frame["n"]).to_numpy(dtype=float)
    n = int(counts.sum())
    if n == 0:
        return FrtSummary(median=None, p90=None, mean=None, n=0)
    values = pd.to_numeric(frame["frt_seconds"]).to_numpy(dtype=float)
    return FrtSummary(
        median=weighted_percentile(values, counts, 50),
        p90=weighted_percentile(values, counts, 90),
        mean=float(pd.to_numeric(frame["sum_seconds"]).sum()) / n,
        n=n,
    )


def buckets_for(kind: str) -> tuple[tuple[str, int], ...]:
    """The (label, lower edge in seconds) buckets for a channel kind.

    voice / chat → 0–20 s, 20–60 s, 1–2 min, 2–5 min, 5 min+;
    async (email) / social → 0–1 h, 1–4 h, 4–8 h, 8–24 h, 24 h+.
    """
    key = kind.strip().lower()
    if key in LIVE_KINDS:
        return LIVE_BUCKETS
    if key in ASYNC_KINDS:
        return ASYNC_BUCKETS
    known = ", ".join(sorted(LIVE_KINDS | ASYNC_KINDS))
    raise ValueError(f"unknown channel kind {kind!r}; use one of {known}")


def frt_bucket(seconds: float, kind: str) -> str:
    """The label of the FRT bucket holding `seconds` for a channel kind.

    Each bucket includes its lower edge: for async/social 3,599 s → "0–1 h", 3,600 s → "1–4 h",
    86,400 s → "24 h+"; for voice/chat 19 s → "0–20 s", 20 s → "20–60 s", 300 s → "5 min+".
    A negative FRT (a reply stamped before arrival, i.e. clock skew) falls in the first bucket.
    """
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        raise ValueError("an unanswered contact (no FRT) has no bucket")
    label = buckets_for(kind)[0][0]
    for name, lower in buckets_for(kind):
        if seconds >= lower:
            label = name
    return label


def bucket_counts(
    seconds: Iterable[float | None], kind: str, weights: Iterable[float] | None = None
) -> pd.Series:
    """Number of FRTs in each bucket for a channel kind, every bucket in order, zero-filled.

    Returns an int Series indexed by bucket label (see `frt_bucket` for the edges); missing
    values (unanswered) are not counted; negative FRTs count in the first bucket. weights:
    contacts at each value (an FRT histogram's counts; its edges include these buckets').
    """
    buckets = buckets_for(kind)
    if weights is None:
        data, counted = _clean(seconds), None
    else:
        values = np.asarray(list(seconds) if not isinstance(seconds, np.ndarray) else seconds)
        data = values.astype(float)
        counted = np.asarray(list(weights) if not isinstance(weights, np.ndarray) else weights)
        keep = ~np.isnan(data)
        data, counted = data[keep], counted.astype(float)[keep]
    edges = np.array([lower for _, lower in buckets], dtype=float)
    # side="right": a value equal to an edge lands in the bucket that edge opens.
    positions = np.clip(np.searchsorted(edges, data, side="right") - 1, 0, len(buckets) - 1)
    counts = np.rint(np.bincount(positions, weights=counted, minlength=len(buckets)))
    return pd.Series(counts.astype(int), index=[label for label, _ in buckets], name="count")
