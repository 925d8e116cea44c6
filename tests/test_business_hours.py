"""Business-hours seconds: the DESIGN example, window edges, weekends and clock changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from analytics.business_hours import (
    business_seconds,
    business_seconds_series,
    parse_weekly_hours,
)

OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
LONDON = "Europe/London"


def test_design_example_sunday_to_saturday_is_144000() -> None:
    # Sunday 2026-01-04 00:00 to Saturday 2026-01-10 23:59 (January: London = UTC).
    # Mon..Fri each 8 h open: 5 × 8 × 3600 = 144,000 s.
    assert business_seconds(
        datetime(2026, 1, 4, 0, 0), datetime(2026, 1, 10, 23, 59), OFFICE, LONDON
    ) == pytest.approx(144_000)


def test_hours_are_read_in_the_calendars_time_zone() -> None:
    # Same local week in New York (EST = UTC-5): the UTC instants are 5 h later, answer the same.
    start = datetime(2026, 1, 4, 5, 0)  # Sun 00:00 EST
    end = datetime(2026, 1, 11, 4, 59)  # Sat 23:59 EST
    assert business_seconds(start, end, OFFICE, "America/New_York") == pytest.approx(144_000)
    # Tue 2026-01-06 14:00-15:00 UTC is 09:00-10:00 EST: open in New York ...
    one_hour = (datetime(2026, 1, 6, 14), datetime(2026, 1, 6, 15))
    assert business_seconds(*one_hour, OFFICE, "America/New_York") == pytest.approx(3_600)
    # ... and 13:00-14:00 UTC is 08:00-09:00 EST: closed in New York, open in London.
    early = (datetime(2026, 1, 6, 13), datetime(2026, 1, 6, 14))
    assert business_seconds(*early, OFFICE, "America/New_York") == 0
    assert business_seconds(*early, OFFICE, LONDON) == pytest.approx(3_600)


def test_same_day_inside_hours() -> None:
    # Tue 10:00 -> 11:30 = 90 min = 5,400 s
    assert business_seconds(
        datetime(2026, 1, 6, 10, 0), datetime(2026, 1, 6, 11, 30), OFFICE, LONDON
    ) == pytest.approx(5_400)


def test_starts_before_opening() -> None:
    # Tue 07:00 -> 10:00: only 09:00-10:00 counts = 3,600 s
    assert business_seconds(
        datetime(2026, 1, 6, 7), datetime(2026, 1, 6, 10), OFFICE, LONDON
    ) == pytest.approx(3_600)


def test_ends_after_closing() -> None:
    # Tue 16:00 -> 19:00: only 16:00-17:00 counts = 3,600 s
    assert business_seconds(
        datetime(2026, 1, 6, 16), datetime(2026, 1, 6, 19), OFFICE, LONDON
    ) == pytest.approx(3_600)


def test_wholly_outside_hours_is_zero() -> None:
    # Tue 18:00 -> Wed 08:00: closed all night
    assert business_seconds(datetime(2026, 1, 6, 18), datetime(2026, 1, 7, 8), OFFICE, LONDON) == 0


def test_across_a_weekend() -> None:
    # Fri 2026-01-09 16:00 -> Mon 2026-01-12 10:00: Fri 16-17 (1 h) + Mon 09-10 (1 h) = 7,200 s
    assert business_seconds(
        datetime(2026, 1, 9, 16), datetime(2026, 1, 12, 10), OFFICE, LONDON
    ) == pytest.approx(7_200)


def test_across_spring_forward_weekend() -> None:
    # London goes GMT -> BST on Sun 2026-03-29.
    # Fri 2026-03-27 16:00 UTC = 16:00 GMT; Mon 2026-03-30 09:00 UTC = 10:00 BST.
    # Open: Fri 16:00-17:00 (1 h) + Mon 09:00-10:00 BST (1 h) = 7,200 s.
    # (Reading the hours as UTC would give Mon 09:00-09:00 UTC = 0 for Monday: 3,600 s.)
    assert business_seconds(
        datetime(2026, 3, 27, 16), datetime(2026, 3, 30, 9), OFFICE, LONDON
    ) == pytest.approx(7_200)


def test_a_full_day_window_on_clock_change_days_is_23_and_25_hours() -> None:
    sundays = {"sun": [["00:00", "24:00"]]}
    # 2026-03-29 London: 00:00 GMT (00:00 UTC) to Mon 00:00 BST (Sun 23:00 UTC) = 23 h = 82,800 s
    assert business_seconds(
        datetime(2026, 3, 28), datetime(2026, 3, 30), sundays, LONDON
    ) == pytest.approx(82_800)
    # 2026-10-25 London: 00:00 BST (Sat 23:00 UTC) to Mon 00:00 GMT (00:00 UTC) = 25 h = 90,000 s
    assert business_seconds(
        datetime(2026, 10, 24), datetime(2026, 10, 27), sundays, LONDON
    ) == pytest.approx(90_000)


def test_end_before_start_is_zero() -> None:
    # Decision: a reply stamped before arrival (clock skew) counts 0 s, never negative.
    assert business_seconds(datetime(2026, 1, 6, 12), datetime(2026, 1, 6, 10), OFFICE, LONDON) == 0
    assert business_seconds(datetime(2026, 1, 6, 12), datetime(2026, 1, 6, 12), OFFICE, LONDON) == 0


def test_closed_calendar_counts_nothing() -> None:
    assert business_seconds(datetime(2026, 1, 1), datetime(2026, 2, 1), {}, LONDON) == 0


def test_split_day_windows() -> None:
    lunch = {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}
    # Mon 2026-01-05 08:00 -> 18:00: 3 h + 4 h = 25,200 s
    assert business_seconds(
        datetime(2026, 1, 5, 8), datetime(2026, 1, 5, 18), lunch, LONDON
    ) == pytest.approx(25_200)


def test_overlapping_windows_are_merged_not_double_counted() -> None:
    overlapping = {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}
    assert parse_weekly_hours(overlapping)[0] == ((9 * 60, 17 * 60),)
    # Mon 09:00-17:00 = 8 h, not 9 h
    assert business_seconds(
        datetime(2026, 1, 5), datetime(2026, 1, 6), overlapping, LONDON
    ) == pytest.approx(28_800)


def test_json_calendar_and_tz_aware_inputs() -> None:
    # The DB stores weekly_hours as JSON text; aware datetimes are converted to UTC.
    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 1, 6, 10, 0, tzinfo=new_york)  # 15:00 UTC
    end = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)  # 12:00 UTC, 07:00 New York
    # 15:00 UTC -> 12:00 UTC: the end is before the start -> 0
    assert business_seconds(start, end, json.dumps(OFFICE), LONDON) == 0
    # 10:00 NY (15:00 UTC) -> 17:00 UTC: London open 15:00-17:00 = 7,200 s
    later = datetime(2026, 1, 6, 17, 0, tzinfo=UTC)
    assert business_seconds(start, later, json.dumps(OFFICE), LONDON) == pytest.approx(7_200)


def test_invalid_calendars() -> None:
    with pytest.raises(ValueError, match="overnight"):
        parse_weekly_hours({"mon": [["22:00", "06:00"]]})
    with pytest.raises(ValueError, match="unknown day"):
        parse_weekly_hours({"funday": [["09:00", "17:00"]]})
    with pytest.raises(ValueError):
        parse_weekly_hours({"mon": [["9am", "5pm"]]})
    with pytest.raises(ValueError):
        parse_weekly_hours({"mon": [["09:00", "24:30"]]})


def test_series_matches_scalar_and_keeps_index() -> None:
    starts = pd.Series(
        pd.to_datetime(["2026-01-04 00:00", "2026-01-06 07:00", None, "2026-01-06 12:00"]),
        index=[10, 11, 12, 13],
    )
    ends = pd.Series(
        pd.to_datetime(["2026-01-10 23:59", "2026-01-06 10:00", "2026-01-06 10:00", None]),
        index=[10, 11, 12, 13],
    )
    result = business_seconds_series(starts, ends, OFFICE, LONDON)
    assert result.index.tolist() == [10, 11, 12, 13]
    assert result.loc[10] == pytest.approx(144_000)
    assert result.loc[11] == pytest.approx(3_600)
    assert np.isnan(result.loc[12]) and np.isnan(result.loc[13])  # a missing end -> NaN


def test_series_over_many_rows() -> None:
    # 50,000 contacts, each arriving Mon 2026-01-05 08:00 + k minutes (k = 0..49,999, ~35 days)
    # and answered 1 hour later. Every row equals the scalar result; spot-check by hand:
    # k = 0: 08:00-09:00 -> 0 s; k = 60: 09:00-10:00 -> 3,600 s; k = 510: 16:30-17:30 -> 1,800 s.
    base = datetime(2026, 1, 5, 8)
    starts = pd.Series([base + timedelta(minutes=k) for k in range(50_000)])
    ends = starts + pd.Timedelta(hours=1)
    result = business_seconds_series(starts, ends, OFFICE, LONDON)
    assert result.iloc[0] == 0
    assert result.iloc[60] == pytest.approx(3_600)
    assert result.iloc[510] == pytest.approx(1_800)
    for k in (1_234, 20_000, 49_999):
        assert result.iloc[k] == pytest.approx(
            business_seconds(starts.iloc[k], ends.iloc[k], OFFICE, LONDON)
        )
