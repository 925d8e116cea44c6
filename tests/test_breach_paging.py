"""The breaches list paged in SQL (`queries.breaches.breach_page`): the total counted in the
database is the whole list's length (and the report's missed), and the pages, in either order,
are the whole list cut in slices — on the worked example and on the demo centre, both backends."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import update

from analytics.periods import day_bounds
from components.sl_tables import breach_table
from db.rollups import refresh_interval_stats
from db.schema import day_stats
from db.topic_rollup import day_number
from ingest.demo import build_demo
from queries.breaches import breach_page, breaches
from tests.builders import insert_interactions, interaction
from tests.test_day_rollup import _contacts, answer_an_open_contact
from tests.test_service_level_queries import DAY, NOW, _load, worked_example

UTC = "UTC"


def _pages(engine, size: int, **filters) -> tuple[list[int], pd.DataFrame]:
    totals, parts, offset = [], [], 0
    while True:
        page = breach_page(engine=engine, limit=size, offset=offset, **filters)
        totals.append(page.total)
        if page.rows.empty:
            break
        parts.append(breach_table(page.rows, tz=filters["tz"], sort=filters["sort"]))
        offset += size
    return totals, pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize(("rule", "missed"), [("fail", 4), ("exclude", 2), ("exclude_short", 3)])
def test_worked_example_totals_and_pages(engine, rule, missed):
    _load(engine, worked_example())
    common = {"start": DAY[0], "end": DAY[1], "tz": UTC, "now": NOW, "abandon_rule": rule}
    whole = breaches(engine=engine, **common)
    assert len(whole) == missed
    for sort in ("newest", "late"):
        totals, paged = _pages(engine, 3, sort=sort, **common)
        assert set(totals) == {missed}  # every page, and past the end, knows the total
        assert paged.equals(breach_table(whole, tz=UTC, sort=sort))


def test_worked_example_most_late_first(engine):
    _load(engine, worked_example())
    page = breach_page(engine=engine, start=DAY[0], end=DAY[1], tz=UTC, now=NOW, sort="late")
    # d: open 90 s, 30 s late · e: abandoned after 10 s · f after 3 s (before the 60 s target:
    # no "missed by", listed last) · b: answered after 61 s, 1 s late.
    assert list(page.rows["missed_by_seconds"].fillna(-1)) == [30.0, 1.0, -1.0, -1.0]


def test_demo_pages_are_the_whole_list_cut_in_slices(engine):
    now = datetime(2026, 11, 26, 14, 30)
    build_demo(engine, weeks=1, seed=5, now=now)
    tz = "Europe/London"
    today = datetime(2026, 11, 26).date()
    common = {
        "start": day_bounds(today - timedelta(days=6), tz)[0],
        "end": day_bounds(today, tz)[1],
        "tz": tz,
        "now": now,
    }
    whole = breaches(engine=engine, **common)
    assert len(whole) > 250
    for sort in ("newest", "late"):
        expected = breach_table(whole, tz=tz, sort=sort)
        page = breach_page(engine=engine, sort=sort, offset=100, limit=100, **common)
        assert page.total == len(whole)
        got = breach_table(page.rows, tz=tz, sort=sort)
        assert got.equals(expected.iloc[100:200].reset_index(drop=True))


def _changed_since_refresh(engine) -> datetime:
    """Seven days of contacts, refreshed; then an open contact answered late and a new late
    contact stored, no refresh yet. Returns `now`."""
    first = datetime(2026, 6, 1)
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, days=7))
    refresh_interval_stats(engine)
    now = first + timedelta(days=8)
    with engine.begin() as conn:
        answer_an_open_contact(
            conn, after=first + timedelta(days=2), frt=timedelta(hours=5), changed_at=now
        )
        late = interaction(first + timedelta(days=3, hours=2), frt=9000, updated_at=now)
        insert_interactions(conn, [late])
    return now


@pytest.mark.parametrize("channels", [None, ["chat"]])
@pytest.mark.parametrize("rule", [None, "exclude"])
def test_total_counts_what_changed_since_the_refresh(engine, centre_settings, channels, rule):
    centre_settings(TIMEZONE="Europe/London")
    now = _changed_since_refresh(engine)
    common = {
        "start": datetime(2026, 6, 1),
        "end": datetime(2026, 6, 8),
        "tz": "Europe/London",
        "now": now,
        "channels": channels,
        "abandon_rule": rule,
    }
    whole = breaches(engine=engine, **common)
    assert len(whole) > 20
    for sort in ("newest", "late"):
        totals, paged = _pages(engine, 7, sort=sort, **common)
        assert set(totals) == {len(whole)}
        assert paged.equals(breach_table(whole, tz="Europe/London", sort=sort))


def test_total_of_a_long_period_is_summed_from_the_day_rollup(engine, centre_settings):
    """Whole days' totals come from the day rows (a late answer planted there shows), not
    from counting every missed contact."""
    centre_settings(TIMEZONE="UTC")
    first = datetime(2026, 6, 1)
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, days=5))
    refresh_interval_stats(engine)
    end = first + timedelta(days=5)
    common = {"start": first, "end": end, "tz": "UTC", "now": end + timedelta(days=1)}
    before = breach_page(engine=engine, limit=5, offset=5, **common).total
    assert before == len(breaches(engine=engine, **common))
    with engine.begin() as conn:
        conn.execute(
            update(day_stats)
            .where(
                day_stats.c.channel_id == "chat", day_stats.c.local_day == day_number(first.date())
            )
            .values(answered=day_stats.c.answered + 1000)
        )
    assert breach_page(engine=engine, limit=5, offset=5, **common).total == before + 1000
