"""Expected arrivals per 15-minute slot from the same weekday in the previous weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.expected_volume import CURVE_COLUMNS, expected_curve, reference_days

TARGET = "2026-03-24"  # a Tuesday; reference Tuesdays: 03-17, 03-10, 03-03, 02-24


def _history(rows: list[tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"interval_start": pd.to_datetime([r[0] for r in rows]), "count": [r[1] for r in rows]}
    )


def test_reference_days_are_previous_same_weekdays() -> None:
    assert reference_days(TARGET, 4) == [
        pd.Timestamp("2026-03-17"),
        pd.Timestamp("2026-03-10"),
        pd.Timestamp("2026-03-03"),
        pd.Timestamp("2026-02-24"),
    ]
    assert reference_days(TARGET, 4, observed_from="2026-03-05") == [
        pd.Timestamp("2026-03-17"),
        pd.Timestamp("2026-03-10"),
    ]
    with pytest.raises(ValueError):
        reference_days(TARGET, 0)


def test_curve_mean_low_high_by_hand() -> None:
    history = _history(
        [
            # 10:00 slot: 6 (as 3 + 3 in finer rows), 6, 8, 2 → mean 22/4 = 5.5, low 2, high 8
            ("2026-03-17 10:05", 3),
            ("2026-03-17 10:10", 3),
            ("2026-03-10 10:00", 6),
            ("2026-03-03 10:00", 8),
            ("2026-02-24 10:00", 2),
            # 10:15 slot: only on one day, 4 → mean 4/4 = 1, low 0 (the zero-filled days), high 4
            ("2026-03-10 10:15", 4),
            # ignored: a Wednesday, the target day itself, and a Tuesday five weeks back
            ("2026-03-18 10:00", 100),
            ("2026-03-24 10:00", 100),
            ("2026-02-17 10:00", 100),
        ]
    )
    curve = expected_curve(history, TARGET, weeks=4)
    assert list(curve.columns) == CURVE_COLUMNS
    assert len(curve) == 96  # 24 h × 4 slots
    ten = curve[curve["slot"] == 600].iloc[0]
    assert (ten["mean"], ten["low"], ten["high"]) == pytest.approx((5.5, 2, 8))
    assert ten["slot_start"] == pd.Timestamp("2026-03-24 10:00")
    quarter_past = curve[curve["slot"] == 615].iloc[0]
    assert (quarter_past["mean"], quarter_past["low"], quarter_past["high"]) == pytest.approx(
        (1.0, 0, 4)
    )
    others = curve[~curve["slot"].isin([600, 615])]
    assert (others[["mean", "low", "high"]].to_numpy() == 0).all()  # zero-filled slots
    assert (curve["days"] == 4).all()


def test_observed_from_leaves_out_days_without_history() -> None:
    history = _history([("2026-03-17 09:00", 6), ("2026-03-10 09:00", 2)])
    # Only two Tuesdays observed → mean (6 + 2)/2 = 4, not (6 + 2)/4 = 2
    curve = expected_curve(history, TARGET, weeks=4, observed_from="2026-03-05")
    nine = curve[curve["slot"] == 540].iloc[0]
    assert (nine["mean"], nine["low"], nine["high"], nine["days"]) == pytest.approx((4, 2, 6, 2))


def test_empty_history_is_all_zero_and_no_days_is_nan() -> None:
    curve = expected_curve(_history([]), TARGET)
    assert (curve[["mean", "low", "high"]].to_numpy() == 0).all()
    nothing = expected_curve(_history([]), TARGET, observed_from=TARGET)
    assert np.isnan(nothing["mean"]).all()
    assert (nothing["days"] == 0).all()


def test_hourly_slots() -> None:
    # 60-minute slots: 10:00 and 10:45 both fall in the 10:00 hour: (1 + 3) on one day of two
    history = _history([("2026-03-17 10:00", 1), ("2026-03-17 10:45", 3)])
    curve = expected_curve(history, TARGET, weeks=2, slot_minutes=60)
    assert len(curve) == 24
    ten = curve[curve["slot"] == 600].iloc[0]
    assert (ten["mean"], ten["low"], ten["high"]) == pytest.approx((2.0, 0, 4))
    with pytest.raises(ValueError):
        expected_curve(history, TARGET, slot_minutes=7)
