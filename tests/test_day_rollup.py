"""The day rollup (db/day_rollup.py, queries/rollup_split.py) gives exactly what the raw rows
give: service level per local day and ISO week across clock changes (and in a half-hour zone),
FRT histograms, CSAT; a day with a contact changed since the last refresh is read from its
15-minute rows; a new time zone recounts the days; and long periods really read the day rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, update

from analytics.periods import week_bounds
from db.day_rollup import rollup_timezone
from db.rollups import refresh_interval_stats
from db.schema import day_frt_hist, day_stats, interactions
from queries.csat import csat_counts
from queries.local_buckets import period_table
from queries.rollup_split import RollupSplit, split_period
from queries.service_level import frt_values, service_level_report
from queries.sl_frt import histogram_frame, rollup_histogram
from queries.sl_kinds import stale_intervals
from tests.builders import insert_interactions, interaction
from tests.test_topic_rollup import _raw

CHANNELS = ("chat", "email", "phone", "twitter")
# (FRT seconds or None, abandoned after, csat) cycled over the contacts.
OUTCOMES = [(20, None, 5), (75, None, 2), (None, 8, None), (4000, None, 4), (None, None, None)]


def _contacts(first: datetime, days: int, step_minutes: int = 41) -> list[dict]:
    """A contact every `step_minutes` for `days`, cycling channels, queues and outcomes."""
    rows = []
    for n, minutes in enumerate(range(0, days * 24 * 60, step_minutes)):
        frt, abandon, csat = OUTCOMES[n % len(OUTCOMES)]
        rows.append(
            interaction(
                first + timedelta(minutes=minutes),
                channel_id=CHANNELS[n % len(CHANNELS)],
                queue=("general", "billing")[n % 2],
                frt=frt,
                abandon_after=abandon,
                csat=csat,
                handle_seconds=300 if frt else None,
            )
        )
    return rows


def answer_an_open_contact(
    conn, *, after: datetime, frt: timedelta, changed_at: datetime, **values
) -> datetime:
    """The first contact still open that arrived from `after` on is answered `frt` after it
    arrived (and given `values`), stamped as changed at `changed_at`. Returns its arrival."""
    opened = conn.scalar(
        select(func.min(interactions.c.id)).where(
            interactions.c.first_response_at.is_(None),
            interactions.c.abandoned_at.is_(None),
            interactions.c.created_at >= after,
        )
    )
    arrived = conn.scalar(select(interactions.c.created_at).where(interactions.c.id == opened))
    conn.execute(
        update(interactions)
        .where(interactions.c.id == opened)
        .values(first_response_at=arrived + frt, status="resolved", updated_at=changed_at, **values)
    )
    return arrived


def _report(engine: Engine, **filters):
    return service_level_report(engine=engine, **filters)


def _same_report(engine: Engine, **filters) -> None:
    """The rollup route's report equals the raw route's, series and per-group CSAT."""
    rolled = _report(engine, **filters)
    raw = _report(engine, **filters, source="raw")
    assert rolled.source == "rollup"
    pd.testing.assert_frame_equal(rolled.series, raw.series)
    pd.testing.assert_frame_equal(rolled.by_group, raw.by_group)
    assert rolled.series["offered"].sum() > 0


def _split(engine: Engine, start: datetime, end: datetime, stale=()) -> RollupSplit:
    with engine.connect() as conn:
        return split_period(conn, start=start, end=end, stale=list(stale), keyed_in=None)


@pytest.mark.parametrize(
    ("tz", "first"),
    [
        ("Europe/London", datetime(2026, 10, 20)),  # clocks back Sun 25 Oct: a 25-hour day
        ("Australia/Lord_Howe", datetime(2026, 3, 31)),  # +11 → +10:30 on Sun 5 Apr
        ("Asia/Kolkata", datetime(2026, 3, 27)),  # +05:30 all year
    ],
)
def test_days_and_weeks_from_the_day_rollup_equal_the_raw_rows(
    engine: Engine, centre_settings, tz: str, first: datetime
):
    centre_settings(TIMEZONE=tz)
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, days=12))
    refresh_interval_stats(engine)
    # A range with partial days at both ends (read from 15-minute rows) and whole days between.
    start, end = first + timedelta(hours=6), first + timedelta(days=11, hours=3)
    split = _split(engine, start, end)
    assert len(split.day_runs) == 1 and split.day_runs[0][1] - split.day_runs[0][0] >= 9
    now = first + timedelta(days=12)
    for granularity in ("day", "week"):
        for group_by in ("channel", "queue"):
            _same_report(
                engine,
                start=start,
                end=end,
                tz=tz,
                now=now,
                granularity=granularity,
                group_by=group_by,
            )


def test_the_25_hour_day_is_one_day_row(engine: Engine, centre_settings):
    centre_settings(TIMEZONE="Europe/London")
    # Sunday 25 Oct 2026 in London: 00:00 BST (Sat 23:00 UTC) to 24:00 GMT (Mon 00:00 UTC).
    # Every row names csat: an insert of several rows takes its columns from the first.
    rows = [
        interaction(datetime(2026, 10, 24, 22, 59), frt=10, csat=None),  # Saturday
        interaction(datetime(2026, 10, 24, 23, 0), frt=10, csat=None),
        interaction(datetime(2026, 10, 25, 23, 59), frt=100, csat=5),
        interaction(datetime(2026, 10, 26, 0, 0), frt=10, csat=None),  # Monday
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)
    with engine.connect() as conn:
        stored = conn.execute(
            select(
                day_stats.c.local_day,
                day_stats.c.offered,
                day_stats.c.answered,
                day_stats.c.csat_rated,
            ).order_by(day_stats.c.local_day)
        ).all()
        buckets = conn.scalar(select(func.sum(day_frt_hist.c.n)))
    sunday = (datetime(2026, 10, 25).date() - datetime(1970, 1, 1).date()).days
    assert [tuple(r) for r in stored] == [
        (sunday - 1, 1, 1, 0),
        (sunday, 2, 2, 1),
        (sunday + 1, 1, 1, 0),
    ]
    assert buckets == 4


def test_frt_histogram_of_the_day_rollup_equals_the_15_minute_one(engine: Engine, centre_settings):
    centre_settings(TIMEZONE="UTC")
    first = datetime(2026, 6, 1)
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, days=9, step_minutes=13))
    refresh_interval_stats(engine)
    start, end = first, first + timedelta(days=9)
    split = _split(engine, start, end)
    assert split.day_runs and not split.interval_ranges
    with engine.connect() as conn:
        for group_by in ("channel", "queue"):
            by_day = rollup_histogram(conn, group_by=group_by, channel_ids=CHANNELS, split=split)
            by_interval = rollup_histogram(
                conn,
                group_by=group_by,
                channel_ids=CHANNELS,
                split=RollupSplit((), ((start, end),)),
            )
            pd.testing.assert_frame_equal(histogram_frame(by_day), histogram_frame(by_interval))
            assert by_day["n"].sum() > 0


def test_a_day_changed_since_the_refresh_is_read_from_its_rows(engine: Engine, centre_settings):
    centre_settings(TIMEZONE="UTC")
    first = datetime(2026, 6, 1)
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, days=7))
    refresh_interval_stats(engine)
    # An open contact of the third day is answered, a rated one re-rated; no refresh yet.
    changed_at = first + timedelta(days=8)
    with engine.begin() as conn:
        arrived = answer_an_open_contact(
            conn, after=first + timedelta(days=2), frt=timedelta(seconds=30), changed_at=changed_at,
            csat=1,
        )  # fmt: skip
    window = {"start": first, "end": first + timedelta(days=7), "tz": "UTC", "now": changed_at}
    split = _split(engine, window["start"], window["end"], stale=[arrived])
    assert len(split.day_runs) == 2 and len(split.interval_ranges) == 1
    _same_report(engine, **window, granularity="day", group_by="channel")

    def ratings(engine: Engine) -> pd.DataFrame:
        with engine.connect() as conn:
            return csat_counts(
                conn=conn,
                start=window["start"],
                end=window["end"],
                channel_ids=list(CHANNELS),
                group_by="channel",
            )

    rolled, raw = ratings(engine), _raw(engine, ratings)
    pd.testing.assert_frame_equal(rolled, raw)
    assert rolled["csat_rated"].sum() > 0


def test_a_long_period_reads_the_day_rows(engine: Engine, centre_settings):
    """The day rows are what a period of whole days sums: a change planted in one shows."""
    centre_settings(TIMEZONE="UTC")
    first = datetime(2026, 6, 1)
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, days=5))
    refresh_interval_stats(engine)
    window = {"start": first, "end": first + timedelta(days=5), "tz": "UTC"}
    before = _report(engine, **window, now=window["end"], granularity="week", group_by="channel")
    with engine.begin() as conn:
        conn.execute(
            update(day_stats)
            .where(day_stats.c.channel_id == "chat")
            .values(offered=day_stats.c.offered + 1000)
        )
    after = _report(engine, **window, now=window["end"], granularity="week", group_by="channel")
    gained = (
        after.by_group.set_index("group_key")["offered"]
        - before.by_group.set_index("group_key")["offered"]
    )
    # The newest rows are within the refresh's look-back, so their day is read from its
    # 15-minute rows; every other day from its day row.
    with engine.connect() as conn:
        stale = stale_intervals(
            conn, start=window["start"], end=window["end"], channel_ids=list(CHANNELS)
        )
    split = _split(engine, window["start"], window["end"], stale=stale)
    days_read = sum(last - first + 1 for first, last in split.day_runs)
    assert days_read >= 4
    assert gained["chat"] == 1000 * days_read and gained.drop("chat").eq(0).all()


def test_a_new_time_zone_recounts_the_days(engine: Engine, centre_settings):
    first = datetime(2026, 3, 23)
    centre_settings(TIMEZONE="Europe/London")
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, days=9))
    refresh_interval_stats(engine)
    centre_settings(TIMEZONE="Asia/Kolkata")
    window = {
        "start": first + timedelta(hours=2, minutes=30),
        "end": first + timedelta(days=8, hours=2, minutes=30),
        "tz": "Asia/Kolkata",
        "now": first + timedelta(days=9),
    }
    # Until the next refresh, Kolkata days are read from the 15-minute rows, still exact.
    with engine.connect() as conn:
        assert rollup_timezone(conn) == "Europe/London"
    _same_report(engine, **window, granularity="day", group_by="channel")
    refresh_interval_stats(engine)  # nothing changed: the time zone alone recounts the days
    with engine.connect() as conn:
        assert rollup_timezone(conn) == "Asia/Kolkata"
    assert _split(engine, window["start"], window["end"]).day_runs
    _same_report(engine, **window, granularity="day", group_by="channel")


@pytest.mark.parametrize("exact_max", [10_000, 150])
def test_frt_and_csat_per_week_equal_each_week_read_alone(
    engine: Engine, centre_settings, monkeypatch: pytest.MonkeyPatch, exact_max: int
):
    """One read keyed by week (the Weekly trends page) gives each week what a read of that
    week alone gives, on the exact route and (with a small threshold) the histogram route,
    including a week that is part exact, part histogram and a day changed since the refresh."""
    centre_settings(TIMEZONE="Europe/London")
    monkeypatch.setattr("queries.sl_frt.EXACT_MAX_CONTACTS", exact_max)
    first = datetime(2026, 10, 12)  # a Monday; the clocks go back on Sunday 25 Oct
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, days=14, step_minutes=23))
        insert_interactions(conn, _contacts(first + timedelta(days=14), days=7, step_minutes=90))
    refresh_interval_stats(engine)
    with engine.begin() as conn:  # a contact of the second week re-rated after the refresh
        conn.execute(
            update(interactions)
            .where(interactions.c.id == select(func.max(interactions.c.id)).scalar_subquery())
            .values(csat=1, updated_at=first + timedelta(days=30))
        )
    tz, now = "Europe/London", first + timedelta(days=30)
    mondays = [first + timedelta(weeks=w) for w in range(3)]
    bounds = [week_bounds(m.date(), tz) for m in mondays]
    start, end = bounds[0][0], bounds[-1][1]
    keys = period_table(start=start, end=end, tz=tz, granularity="week")["period_key"].tolist()
    together = frt_values(
        engine=engine, start=start, end=end, group_by="channel", now=now, per=(tz, "week")
    )
    with engine.connect() as conn:
        rated = csat_counts(
            conn=conn,
            start=start,
            end=end,
            channel_ids=list(CHANNELS),
            group_by="channel",
            per=(tz, "week"),
        )
    for key, (week_start, week_end) in zip(keys, bounds, strict=True):
        alone = frt_values(
            engine=engine, start=week_start, end=week_end, group_by="channel", now=now
        )
        week = together[together["period_key"] == key].drop(columns="period_key")
        order = ["group_key", "channel_id", "frt_seconds"]
        pd.testing.assert_frame_equal(
            week.sort_values(order, ignore_index=True),
            alone.sort_values(order, ignore_index=True),
            check_dtype=False,
        )
        assert alone["n"].sum() > 0
        with engine.connect() as conn:
            alone_rated = csat_counts(
                conn=conn,
                start=week_start,
                end=week_end,
                channel_ids=list(CHANNELS),
                group_by="channel",
            )
        week_rated = rated[rated["period_key"] == key].drop(columns="period_key")
        pd.testing.assert_frame_equal(week_rated.reset_index(drop=True), alone_rated)
