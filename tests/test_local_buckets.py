"""Local-time periods: SQL and pandas give the same key to the same instant, on both backends,
and DST days, non-whole-hour zones and ISO weeks come out right."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, select

from queries.local_buckets import period_key_expr, period_keys, period_table

LONDON = "Europe/London"


def _sql_keys(engine, stamps: list[datetime], **kwargs) -> list[int]:
    meta = MetaData()
    table = Table(
        "bucket_probe", meta, Column("id", Integer, primary_key=True), Column("t", DateTime)
    )
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": n, "t": t} for n, t in enumerate(stamps)])
        key = period_key_expr(table.c.t, **kwargs)
        return [int(v) for v in conn.scalars(select(key).order_by(table.c.id))]


@pytest.mark.parametrize("granularity", ["interval", "hour", "day", "week"])
def test_sql_and_pandas_keys_agree_across_the_autumn_change(engine, granularity):
    start, end = datetime(2026, 10, 23, 23), datetime(2026, 10, 28, 0)
    stamps = [start + timedelta(minutes=7 * n, seconds=n % 60) for n in range(0, 900)]
    stamps = [t for t in stamps if t < end]
    kwargs = {"start": start, "end": end, "tz": LONDON, "granularity": granularity}
    expected = period_keys(pd.Series(stamps), **kwargs).tolist()
    assert _sql_keys(engine, stamps, **kwargs) == expected


def test_london_2026_10_25_is_one_day_of_25_hours():
    start, end = datetime(2026, 10, 23, 23), datetime(2026, 10, 26, 0)  # local 24th..25th
    days = period_table(start=start, end=end, tz=LONDON, granularity="day")
    assert [d.strftime("%Y-%m-%d") for d in days["period_start"]] == ["2026-10-24", "2026-10-25"]
    lengths = (days["period_end"] - days["period_start"]).dt.total_seconds() / 3600
    assert lengths.tolist() == [24.0, 25.0]
    # 00:30 BST (23:30 UTC the day before) and 23:30 GMT both fall on the 25th.
    keys = period_keys(
        pd.Series([datetime(2026, 10, 24, 23, 30), datetime(2026, 10, 25, 23, 30)]),
        start=start,
        end=end,
        tz=LONDON,
        granularity="day",
    )
    assert keys.nunique() == 1 and keys.iloc[0] == days["period_key"].iloc[1]


def test_the_repeated_hour_is_two_hours_and_the_day_has_25():
    start, end = datetime(2026, 10, 24, 23), datetime(2026, 10, 26, 0)  # local 25 Oct
    hours = period_table(start=start, end=end, tz=LONDON, granularity="hour")
    assert len(hours) == 25
    labels = [t.strftime("%H:%M%z") for t in hours["period_start"]]
    assert labels[1:3] == ["01:00+0100", "01:00+0000"]


def test_spring_forward_day_has_23_hours():
    start, end = datetime(2026, 3, 29, 0), datetime(2026, 3, 29, 23)  # local 29 Mar 2026
    hours = period_table(start=start, end=end, tz=LONDON, granularity="hour")
    assert len(hours) == 23
    assert "01:00" not in [t.strftime("%H:%M") for t in hours["period_start"]]


def test_half_hour_zone_hours_start_at_local_whole_hours():
    # India is UTC+05:30: local hours begin at :30 UTC.
    start, end = datetime(2026, 1, 1, 18, 30), datetime(2026, 1, 2, 18, 30)
    hours = period_table(start=start, end=end, tz="Asia/Kolkata", granularity="hour")
    assert len(hours) == 24
    assert {t.strftime("%M") for t in hours["period_start"]} == {"00"}
    key = period_keys(
        pd.Series([datetime(2026, 1, 1, 19, 29), datetime(2026, 1, 1, 19, 30)]),
        start=start,
        end=end,
        tz="Asia/Kolkata",
        granularity="hour",
    )
    assert key.iloc[1] == key.iloc[0] + 1


def test_weeks_start_on_monday_local():
    start, end = datetime(2026, 11, 1, 0), datetime(2026, 11, 23, 0)  # Sun 1 .. Sun 22 Nov
    weeks = period_table(start=start, end=end, tz=LONDON, granularity="week")
    starts = [t.strftime("%a %d") for t in weeks["period_start"]]
    assert starts == ["Sun 01", "Mon 02", "Mon 09", "Mon 16"]  # a range may begin mid-week


def test_unknown_granularity_is_refused():
    with pytest.raises(ValueError, match="granularity"):
        period_table(
            start=datetime(2026, 1, 1), end=datetime(2026, 1, 2), tz=LONDON, granularity="month"
        )
