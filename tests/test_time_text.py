"""The one date and time format (analytics.time_text): local time with the zone named."""

from datetime import UTC, date, datetime

import pandas as pd

from analytics.time_text import format_date, format_datetime, zone_name


def test_a_stored_utc_time_is_written_in_the_centres_zone_with_its_name():
    # 13:05 UTC is 14:05 in Paris in winter (CET, UTC+1) and 14:05 in London in summer (BST).
    assert format_datetime(datetime(2026, 11, 30, 13, 5), "Europe/Paris") == (
        "Mon 30 Nov 2026, 14:05 CET"
    )
    assert format_datetime(datetime(2026, 7, 1, 13, 5, 9), "Europe/London", seconds=True) == (
        "Wed 1 Jul 2026, 14:05:09 BST"
    )


def test_aware_times_and_pandas_timestamps_read_the_same():
    aware = datetime(2026, 11, 30, 13, 5, tzinfo=UTC)
    assert format_datetime(aware, "Europe/London") == "Mon 30 Nov 2026, 13:05 GMT"
    assert format_datetime(pd.Timestamp("2026-11-30 13:05"), "Europe/London") == (
        "Mon 30 Nov 2026, 13:05 GMT"
    )


def test_the_local_day_can_differ_from_the_utc_day():
    assert format_datetime(datetime(2026, 11, 30, 23, 30), "Europe/Berlin") == (
        "Tue 1 Dec 2026, 00:30 CET"
    )


def test_dates_and_missing_values():
    assert format_date(date(2026, 11, 30)) == "30 Nov 2026"
    assert format_date(date(2026, 12, 1)) == "1 Dec 2026"
    assert format_date(None) == "—" and format_date(pd.NaT) == "—"
    assert format_datetime(None, "UTC") == "—" and format_datetime(pd.NaT, "UTC") == "—"


def test_zone_name_follows_daylight_saving():
    assert zone_name("Europe/London", datetime(2026, 1, 15)) == "GMT"
    assert zone_name("Europe/London", datetime(2026, 7, 15)) == "BST"
