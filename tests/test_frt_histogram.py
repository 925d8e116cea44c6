"""FRT percentiles from the rollup's histogram: the one percentile rule on exact values and on
histogram buckets, the SQL bucket matching numpy's, and on the demo centre (both backends) the
page's p50/p90 within the stated bound of exact, exact means and bucket counts, and exact
figures for a slice under the threshold."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Float, func, literal, select

import queries.sl_frt
from analytics.percentiles import (
    EDGES,
    EXACT_MAX_CONTACTS,
    RELATIVE_ERROR,
    bucket_of,
    representative,
    weighted_percentile,
)
from analytics.periods import day_bounds
from db.frt_buckets import frt_bucket_expr
from db.schema import interactions, interval_frt_hist, interval_stats
from ingest.demo import build_demo
from queries.service_level import service_level_report

NOW = datetime(2026, 11, 26, 14, 30)
TZ = "Europe/London"


def test_the_percentile_rule_by_hand():
    assert weighted_percentile([10, 20, 30, 40], [1, 1, 1, 1], 90) == pytest.approx(37.0)
    assert weighted_percentile([40, 10], [2, 2], 50) == pytest.approx(25.0)  # 10, 10, 40, 40
    assert weighted_percentile([5.0], [3], 90) == 5.0
    assert weighted_percentile([1.0, 2.0], [0, 0], 50) is None


def test_count_one_values_give_numpy_percentiles_exactly():
    rng = np.random.default_rng(3)
    for n in (1, 2, 7, 501):
        values = rng.lognormal(5, 2, n)
        for q in (50, 90):
            expected = float(np.percentile(values, q))
            assert weighted_percentile(values, np.ones(n), q) == pytest.approx(expected, rel=1e-12)


def test_histogram_estimate_is_within_the_stated_bound():
    rng = np.random.default_rng(11)
    values = np.concatenate([rng.lognormal(3, 1, 5_000), rng.lognormal(9, 1.5, 5_000)])
    buckets, counts = np.unique(bucket_of(values), return_counts=True)
    for q in (10, 50, 90, 99):
        estimate = weighted_percentile(representative(buckets), counts, q)
        assert estimate == pytest.approx(np.percentile(values, q), rel=RELATIVE_ERROR)
    assert RELATIVE_ERROR < 0.05


@pytest.mark.parametrize("seconds", [-3.0, 0.0, 0.5, 1.0, 19.999, 20.0, 60.0, 3_599.5, 3_600.0])
def test_sql_bucket_is_numpys_bucket(engine, seconds):
    with engine.connect() as conn:
        got = conn.scalar(select(frt_bucket_expr(literal(seconds, Float))))
    assert got == int(bucket_of([seconds])[0])
    # The chart edges are histogram edges, so a chart bucket never splits a histogram bucket.
    assert {20.0, 60.0, 3_600.0, 86_400.0} <= set(EDGES)


@pytest.fixture
def demo(engine):
    build_demo(engine, weeks=1, seed=5, now=NOW)
    return engine


def _report(engine, **filters):
    today = datetime(2026, 11, 26).date()
    start = day_bounds(today - timedelta(days=6), TZ)[0]
    end = day_bounds(today, TZ)[1]
    args = {"start": start, "end": end, "tz": TZ, "now": NOW, "granularity": "day"}
    return service_level_report(engine=engine, **(args | filters))


def test_demo_percentiles_from_the_histogram_are_within_the_bound(demo, monkeypatch):
    with demo.connect() as conn:
        in_hist = conn.scalar(select(func.sum(interval_frt_hist.c.n)))
        answered = conn.scalar(select(func.sum(interval_stats.c.answered)))
    assert in_hist == answered > EXACT_MAX_CONTACTS  # every answered contact, once
    for group_by in ("channel", "queue", "agent"):
        estimated = _report(demo, group_by=group_by)
        monkeypatch.setattr(queries.sl_frt, "EXACT_MAX_CONTACTS", 10**9)
        exact = _report(demo, group_by=group_by)
        monkeypatch.undo()
        est, ex = estimated.by_group, exact.by_group
        assert list(est["frt_n"]) == list(ex["frt_n"])
        for column in ("frt_median", "frt_p90"):
            for got, want in zip(est[column], ex[column], strict=True):
                if np.isnan(want):
                    assert np.isnan(got)
                else:
                    assert got == pytest.approx(want, rel=RELATIVE_ERROR, abs=0.5)
        assert np.allclose(est["frt_mean"], ex["frt_mean"], equal_nan=True)
        assert estimated.frt_buckets["count"].tolist() == exact.frt_buckets["count"].tolist()
        for clock, summary in exact.by_clock.items():
            assert estimated.by_clock[clock].n == summary.n
            assert estimated.by_clock[clock].p90 == pytest.approx(summary.p90, rel=RELATIVE_ERROR)


def test_a_slice_under_the_threshold_gets_exact_percentiles(demo):
    today = datetime(2026, 11, 26).date()
    start, end = day_bounds(today, TZ)
    report = _report(demo, start=start, end=end, group_by="channel", channels=["email"])
    i = interactions.c
    with demo.connect() as conn:
        rows = conn.execute(
            select(i.created_at, i.first_response_at).where(
                i.channel_id == "email",
                i.created_at >= start,
                i.created_at < end,
                i.is_thread_start.is_(True),
                i.direction == "inbound",
                i.first_response_at.is_not(None),
            )
        ).all()
    frt = np.array([(r.first_response_at - r.created_at).total_seconds() for r in rows])
    assert 0 < frt.size <= EXACT_MAX_CONTACTS
    assert report.overall["frt_n"] == frt.size
    assert report.overall["frt_median"] == pytest.approx(float(np.percentile(frt, 50)), abs=1e-6)
    assert report.overall["frt_p90"] == pytest.approx(float(np.percentile(frt, 90)), abs=1e-6)
