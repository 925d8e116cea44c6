"""The hour × weekday pattern, worked by hand across the spring DST change (London, March 2026),
on SQLite and PostgreSQL; and its figure."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import pytest

from components.heatmap_view import pattern_heatmap, service_level_scale
from components.report_filters import utc_bounds
from db.rollups import refresh_interval_stats
from queries.heatmap import weekly_pattern
from tests.builders import insert_interactions, interaction

LONDON = "Europe/London"
NOW = datetime(2026, 4, 1, 12, 0)


@pytest.fixture
def march(engine):
    """Chat contacts (target 60 s, abandons are misses), times in UTC:
    - Mon 2 Mar 09:10 UTC = 09:10 GMT, answered in 30 s: met, Monday 09:00.
    - Mon 30 Mar 08:20 UTC = 09:20 BST, answered in 90 s: missed, Monday 09:00 too (by UTC
      hour it would be 08:00).
    - Tue 3 Mar 14:05 UTC = 14:05 GMT, answered in 10 s: met, Tuesday 14:00.
    - Sun 29 Mar 01:30 UTC = 02:30 BST (01:00–02:00 local does not exist that night),
      abandoned after 10 s: missed, Sunday 02:00.
    - Sat 28 Feb 23:30 UTC: before the period, not counted.
    """
    rows = [
        interaction(datetime(2026, 3, 2, 9, 10), frt=30),
        interaction(datetime(2026, 3, 30, 8, 20), frt=90),
        interaction(datetime(2026, 3, 3, 14, 5), frt=10),
        interaction(datetime(2026, 3, 29, 1, 30), abandon_after=10),
        interaction(datetime(2026, 2, 28, 23, 30), frt=10),
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)
    return engine


def _cell(pattern: pd.DataFrame, weekday: int, hour: int) -> pd.Series:
    return pattern[(pattern["weekday"] == weekday) & (pattern["hour"] == hour)].iloc[0]


def test_weekly_pattern_by_local_hour_and_weekday(march):
    start, end = utc_bounds(date(2026, 3, 1), date(2026, 3, 31), LONDON)
    pattern = weekly_pattern(engine=march, start=start, end=end, tz=LONDON, now=NOW)
    assert len(pattern) == 7 * 24
    monday_9 = _cell(pattern, 0, 9)
    assert (monday_9["offered"], monday_9["met"], monday_9["missed"]) == (2, 1, 1)
    assert monday_9["service_level_percent"] == 50.0
    # Mondays 2, 9, 16, 23 and 30 March: 5 of them, 2 contacts -> 0.4 an hour.
    assert (monday_9["hours"], monday_9["offered_per_hour"]) == (5, 0.4)
    # Sundays 1, 8, 15, 22, 29: 01:00 never began on the 29th (clocks went to 02:00).
    assert (_cell(pattern, 6, 1)["hours"], _cell(pattern, 6, 2)["hours"]) == (4, 5)
    assert _cell(pattern, 0, 8)["offered"] == 0
    tuesday_14 = _cell(pattern, 1, 14)
    assert (tuesday_14["offered"], tuesday_14["service_level_percent"]) == (1, 100.0)
    assert tuesday_14["hours"] == 5  # Tuesdays 3, 10, 17, 24 and 31 March
    # Seen at noon on Tuesday 31 March, that day's 14:00 has not come: 4 hours, 0.25 an hour;
    # Wednesday 1 April lies outside March: Wednesdays 4–25, 4 hours.
    at_noon = weekly_pattern(
        engine=march, start=start, end=end, tz=LONDON, now=datetime(2026, 3, 31, 11, 0)
    )
    assert (_cell(at_noon, 1, 14)["hours"], _cell(at_noon, 1, 14)["offered_per_hour"]) == (
        4,
        0.25,
    )
    assert _cell(at_noon, 2, 14)["hours"] == 4
    sunday_2 = _cell(pattern, 6, 2)
    assert (sunday_2["offered"], sunday_2["missed"], sunday_2["service_level_percent"]) == (
        1,
        1,
        0.0,
    )
    assert pattern["offered"].sum() == 4  # 28 Feb 23:30 UTC is before 1 March (GMT)
    # No data is no service level, never 0 %.
    assert pd.isna(_cell(pattern, 2, 9)["service_level_percent"])
    # Under "exclude" the abandon leaves the denominator: Sunday 02:00 has no service level.
    excluded = weekly_pattern(
        engine=march, start=start, end=end, tz=LONDON, now=NOW, abandon_rule="exclude"
    )
    assert pd.isna(_cell(excluded, 6, 2)["service_level_percent"])
    # Only the phone channel: nothing.
    phone = weekly_pattern(
        engine=march, start=start, end=end, tz=LONDON, now=NOW, channels=["phone"]
    )
    assert phone["offered"].sum() == 0


def test_pattern_heatmap_draws_both_grids_with_n(march):
    start, end = utc_bounds(date(2026, 3, 1), date(2026, 3, 31), LONDON)
    pattern = weekly_pattern(engine=march, start=start, end=end, tz=LONDON, now=NOW)
    fig = json.loads(pattern_heatmap(pattern, title="Pattern — March", goal=80.0).to_json())
    offered, level = fig["data"]
    assert offered["y"][0] == "Mon" and offered["x"][9] == "09:00"
    assert offered["z"][0][9] == 0.4 and offered["z"][1][14] == 0.2  # 2 in 5, 1 in 5 hours
    assert offered["customdata"][0][9] == [2, 5]  # the total and the hours in the hover
    assert level["z"][0][9] == 50.0 and level["z"][6][2] == 0.0
    assert level["z"][2][9] is None  # blank, not 0 %
    assert level["customdata"][0][9] == 2  # n = met + missed
    assert "n = " in level["hovertemplate"]
    # White (on target) sits at the goal.
    assert [0.8, "#f7f7f7"] in level["colorscale"]


def test_pattern_heatmap_without_data_says_so():
    empty = pd.DataFrame(
        {"weekday": [0], "hour": [0], "hours": [1], "offered": [0], "met": [0], "missed": [0]}
    ).assign(offered_per_hour=0.0, pending=0, service_level_percent=float("nan"))
    fig = pattern_heatmap(empty, title="Pattern", goal=None)
    assert "No interactions in this period" in fig.to_json()
    assert service_level_scale(None)[2] == [0.5, "#f7f7f7"]
