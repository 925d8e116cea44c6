"""Time axes of the report charts read in local time at every granularity: weeks are labelled with
their Monday (never the Sunday plotly picks by itself), days at local midnight, hours and quarter
hours at their local start — also over the weeks when the clocks change."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from components.mix_charts import channel_mix_chart
from components.sl_charts import service_level_over_time
from queries.local_buckets import period_table

GOALS = pd.DataFrame({"channel_id": ["chat"], "channel": ["Chat"], "goal_percent": [80.0]})


def _series(start: datetime, end: datetime, tz: str, granularity: str) -> pd.DataFrame:
    """One chat group over every period of [start, end) (naive UTC), 50 % in each."""
    periods = period_table(start=start, end=end, tz=tz, granularity=granularity)
    return periods.assign(
        group_key="chat",
        group_label="Chat",
        offered=2,
        met=1,
        missed=1,
        pending=0,
        service_level_percent=50.0,
    )


def _sl_figure(series: pd.DataFrame, granularity: str, tz: str):
    return service_level_over_time(
        series,
        goals=GOALS,
        group_by="channel",
        granularity=granularity,
        title="Service level % by channel",
        subtitle="",
        tz=tz,
    )


def _mix_figure(series: pd.DataFrame, granularity: str):
    mix = series.assign(channel_id="chat", share_percent=100.0)
    return channel_mix_chart(mix, mode="share", granularity=granularity, title="Channel mix")


# Europe/Berlin falls back on Sun 25 Oct 2026; New York on Sun 1 Nov 2026; London springs
# forward on Sun 29 Mar 2026.
WEEKS = [
    ("Europe/Berlin", datetime(2026, 10, 4, 22), datetime(2026, 11, 8, 23)),
    ("America/New_York", datetime(2026, 10, 19, 4), datetime(2026, 11, 16, 5)),
    ("Europe/London", datetime(2026, 3, 16), datetime(2026, 4, 12, 23)),
]


@pytest.mark.parametrize(("tz", "start", "end"), WEEKS, ids=[w[0] for w in WEEKS])
def test_weekly_ticks_are_mondays_at_local_midnight(tz, start, end):
    series = _series(start, end, tz, "week")
    for fig in (_sl_figure(series, "week", tz), _mix_figure(series, "week")):
        axis = fig.layout.xaxis
        assert axis.ticktext and all(text.startswith("Mon ") for text in axis.ticktext)
        assert all(pd.Timestamp(v).weekday() == 0 for v in axis.tickvals)
        assert all(pd.Timestamp(v).time() == datetime.min.time() for v in axis.tickvals)
        bars_or_lines = [t for t in fig.data if t.name.split(" (n = ")[0] == "Chat"]
        xs = pd.to_datetime(np.asarray(bars_or_lines[0].x))
        assert (xs.weekday == 0).all() and (xs.hour == 0).all()  # plotted at local Monday 00:00


def test_the_berlin_change_week_is_labelled_with_its_monday():
    start, end = datetime(2026, 10, 18, 22), datetime(2026, 11, 1, 23)  # Mon 19 Oct – Sun 1 Nov
    series = _series(start, end, "Europe/Berlin", "week")
    fig = _sl_figure(series, "week", "Europe/Berlin")
    assert list(fig.layout.xaxis.ticktext) == ["Mon 19 Oct", "Mon 26 Oct"]
    assert fig.layout.xaxis.hoverformat == "%a %d %b"


def test_daily_ticks_over_the_new_york_change_are_local_midnights():
    start, end = datetime(2026, 10, 30, 4), datetime(2026, 11, 3, 5)  # Fri 30 Oct – Mon 2 Nov
    series = _series(start, end, "America/New_York", "day")
    fig = _mix_figure(series, "day")
    assert list(fig.layout.xaxis.ticktext) == [
        "Fri 30 Oct",
        "Sat 31 Oct",
        "Sun 01 Nov",
        "Mon 02 Nov",
    ]
    assert [pd.Timestamp(v).hour for v in fig.layout.xaxis.tickvals] == [0, 0, 0, 0]


def test_hourly_ticks_repeat_the_local_hour_the_clocks_go_back():
    # Berlin, Sun 25 Oct 2026: 02:00–03:00 is lived twice (CEST, then CET).
    start, end = datetime(2026, 10, 24, 23, 0), datetime(2026, 10, 25, 3, 0)  # local 01:00–04:00
    series = _series(start, end, "Europe/Berlin", "hour")
    fig = _sl_figure(series, "hour", "Europe/Berlin")
    line = next(t for t in fig.data if t.name == "Chat")
    hours = [pd.Timestamp(x).strftime("%H:%M") for x in line.x]
    assert hours == ["01:00", "02:00", "02:00", "03:00"]  # four real hours, local labels
    assert list(fig.layout.xaxis.ticktext) == [
        "Sun 25 Oct 01:00",
        "Sun 25 Oct 02:00",
        "Sun 25 Oct 03:00",
    ]


def test_quarter_hour_ticks_are_local_and_thinned():
    start, end = datetime(2026, 6, 1, 7, 0), datetime(2026, 6, 1, 13, 0)  # London 08:00–14:00 BST
    series = _series(start, end, "Europe/London", "interval")
    fig = _sl_figure(series, "interval", "Europe/London")
    texts = list(fig.layout.xaxis.ticktext)
    assert len(texts) <= 12 and texts[0] == "Mon 01 Jun 08:00"
    assert all(t.endswith((":00", ":30")) for t in texts)  # 24 quarter hours, every 2nd shown


def test_ticks_name_the_year_when_the_periods_span_two():
    start, end = datetime(2025, 12, 22), datetime(2026, 1, 12)  # London winter: UTC = local
    series = _series(start, end, "Europe/London", "week")
    fig = _mix_figure(series, "week")
    assert list(fig.layout.xaxis.ticktext) == [
        "Mon 22 Dec 2025",
        "Mon 29 Dec 2025",
        "Mon 05 Jan 2026",
    ]
