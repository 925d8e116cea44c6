"""Percentiles (linear interpolation), the FRT summary and FRT buckets with their edges."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.distributions import (
    ASYNC_BUCKETS,
    LIVE_BUCKETS,
    bucket_counts,
    frt_bucket,
    frt_summary,
    percentile,
)


def test_percentile_linear_interpolation_by_hand() -> None:
    values = [40, 10, 30, 20]  # sorted: 10, 20, 30, 40; n − 1 = 3
    assert percentile(values, 0) == 10
    assert percentile(values, 100) == 40
    # p50: h = 3 · 0.5 = 1.5 → 20 + 0.5 · (30 − 20) = 25
    assert percentile(values, 50) == pytest.approx(25)
    # p90: h = 3 · 0.9 = 2.7 → 30 + 0.7 · (40 − 30) = 37
    assert percentile(values, 90) == pytest.approx(37)
    # p25: h = 0.75 → 10 + 0.75 · 10 = 17.5
    assert percentile(values, 25) == pytest.approx(17.5)


def test_percentile_agrees_with_numpy_default() -> None:
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    for q in (10, 50, 90, 99):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_ignores_missing_and_handles_empty() -> None:
    assert percentile([None, float("nan"), 7], 90) == 7
    assert percentile([], 50) is None
    assert percentile([None], 50) is None
    assert percentile(pd.Series([1.0, np.nan, 3.0]), 50) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_frt_summary() -> None:
    # 60, 61: median (60 + 61)/2 = 60.5; p90: h = 0.9 → 60.9; mean 60.5; n = 2
    summary = frt_summary([60, 61, None])
    assert summary.median == pytest.approx(60.5)
    assert summary.p90 == pytest.approx(60.9)
    assert summary.mean == pytest.approx(60.5)
    assert summary.n == 2
    # 10, 20, 30, 1000: median 25; p90: h = 2.7 → 30 + 0.7 · 970 = 709; mean 1060/4 = 265
    skewed = frt_summary([10, 20, 30, 1000])
    assert (skewed.median, skewed.p90, skewed.mean) == pytest.approx((25, 709, 265))


def test_frt_summary_empty_is_none() -> None:
    empty = frt_summary([])
    assert (empty.median, empty.p90, empty.mean, empty.n) == (None, None, None, 0)


@pytest.mark.parametrize(
    ("seconds", "label"),
    [
        (0, "0–1 h"),
        (3_599, "0–1 h"),  # DESIGN: 3,599 s → 0–1 h
        (3_600, "1–4 h"),  # DESIGN: 3,600 s → 1–4 h
        (14_399, "1–4 h"),
        (14_400, "4–8 h"),  # 4 h
        (28_799, "4–8 h"),
        (28_800, "8–24 h"),  # 8 h
        (86_399, "8–24 h"),
        (86_400, "24 h+"),  # DESIGN: 86,400 s → 24 h+
        (1_000_000, "24 h+"),
    ],
)
def test_async_bucket_edges(seconds: float, label: str) -> None:
    assert frt_bucket(seconds, "async") == label
    assert frt_bucket(seconds, "social") == label


@pytest.mark.parametrize(
    ("seconds", "label"),
    [
        (0, "0–20 s"),
        (19.9, "0–20 s"),
        (20, "20–60 s"),
        (59, "20–60 s"),
        (60, "1–2 min"),
        (119, "1–2 min"),
        (120, "2–5 min"),
        (299, "2–5 min"),
        (300, "5 min+"),
    ],
)
def test_live_bucket_edges(seconds: float, label: str) -> None:
    assert frt_bucket(seconds, "voice") == label
    assert frt_bucket(seconds, "chat") == label


def test_negative_frt_goes_to_first_bucket_and_unknown_kind_fails() -> None:
    assert frt_bucket(-2, "voice") == "0–20 s"
    with pytest.raises(ValueError):
        frt_bucket(10, "fax")
    with pytest.raises(ValueError):
        frt_bucket(math.nan, "voice")


def test_bucket_counts_in_order_zero_filled() -> None:
    counts = bucket_counts([3_599, 3_600, 86_400, 100, None, float("nan")], "async")
    # 0–1 h: 3,599 and 100; 1–4 h: 3,600; 24 h+: 86,400; the two missing are not counted
    assert counts.index.tolist() == [label for label, _ in ASYNC_BUCKETS]
    assert counts.tolist() == [2, 1, 0, 0, 1]


def test_bucket_counts_live_and_empty() -> None:
    counts = bucket_counts(pd.Series([5, 20, 20, 61, 400]), "voice")
    assert counts.index.tolist() == [label for label, _ in LIVE_BUCKETS]
    assert counts.tolist() == [1, 2, 1, 0, 1]
    assert bucket_counts([], "chat").tolist() == [0, 0, 0, 0, 0]
