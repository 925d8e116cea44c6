"""analytics.clock_kpis: response KPIs per clock, never phone seconds averaged with email hours."""

import pandas as pd

from analytics.clock_kpis import clock_of, frt_by_clock

KINDS = {"phone": "voice", "chat": "chat", "email": "async", "twitter": "social"}


def test_each_clock_has_its_own_mean_median_and_p90():
    frt = pd.DataFrame(
        {
            "channel_id": ["phone", "chat", "chat", "email", "twitter"],
            "frt_seconds": [4.0, 60.0, 61.0, 7200.0, 14400.0],
        }
    )
    live, later = frt_by_clock(frt, KINDS).values()
    # 4, 60, 61: mean 41.67, median 60, p90 60 + 0.8 × 1 = 60.8 (linear interpolation).
    assert (round(live.mean, 2), live.median, round(live.p90, 1), live.n) == (41.67, 60.0, 60.8, 3)
    # 2 h and 4 h: mean and median 3 h, p90 2 h + 0.9 × 2 h = 13,680 s.
    assert (later.mean, later.median, round(later.p90), later.n) == (10800.0, 10800.0, 13680, 2)


def test_a_clock_without_selected_channels_is_left_out_and_one_without_answers_is_empty():
    frt = pd.DataFrame({"channel_id": ["phone"], "frt_seconds": [20.0]})
    assert list(frt_by_clock(frt, {"phone": "voice"})) == ["live"]
    empty = frt_by_clock(frt.iloc[0:0], {"email": "async"})["async"]
    assert (empty.mean, empty.n) == (None, 0)
    assert [clock_of(k) for k in ("voice", "chat", "async", "social")] == [
        "live", "live", "async", "async",
    ]  # fmt: skip
