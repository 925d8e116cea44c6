"""The journey day rollup (db/journey_day_rollup.py): journey_counts read from its day rows gives
exactly what the stored next contacts and the raw rows give — on the demo centre in London, in
the week the clocks go back, with partial days at the edges, with customers changed since the
refresh and after the refresh recounted them (also days before the refresh's run), with another
repeat window (falls back, then recounted), after a time-zone change — and is really read."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, func, insert, select, text, update

from analytics.journey import overall_rates
from analytics.periods import day_bounds, local_today, week_bounds
from db import journey_day_rollup
from db.rollups import refresh_interval_stats
from db.schema import interactions, journey_day_stats, next_contacts
from db.topic_rollup import day_number
from queries.journey import journey_counts
from tests.builders import insert_interactions, interaction
from tests.conftest import _pg_admin
from tests.test_topic_rollup import _raw

LONDON = "Europe/London"
KEYS = ["week", "channel_id", "topic"]


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(KEYS, ignore_index=True)


def _day_rows(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(journey_day_stats)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in journey_day_stats.columns])


@contextmanager
def _without_day_rows(engine: Engine) -> Iterator[None]:
    """The day table emptied for the block (reads take next_contacts), then put back."""
    saved = _day_rows(engine)
    with engine.begin() as conn:
        conn.execute(delete(journey_day_stats))
    try:
        yield
    finally:
        if len(saved):
            with engine.begin() as conn:
                conn.execute(insert(journey_day_stats), saved.to_dict("records"))


def _assert_routes_agree(engine: Engine, **kwargs) -> pd.DataFrame:
    """journey_counts by the day rows equals it by next_contacts alone and by the raw rows."""
    by_days = _tidy(journey_counts(engine=engine, **kwargs))
    with _without_day_rows(engine):
        by_contacts = _tidy(journey_counts(engine=engine, **kwargs))
    pd.testing.assert_frame_equal(by_days, by_contacts)
    pd.testing.assert_frame_equal(by_days, _tidy(_raw(engine, journey_counts, **kwargs)))
    assert overall_rates(by_days)["repeated"] > 0
    return by_days


def _assert_days_as_recounted(engine: Engine) -> None:
    """The day rows kept up by the refreshes equal a full recount from next_contacts."""
    kept = _day_rows(engine).sort_values(["local_day", "channel_id", "topic"], ignore_index=True)
    with engine.begin() as conn:
        journey_day_rollup.recount_days(conn, None)
    recounted = _day_rows(engine).sort_values(
        ["local_day", "channel_id", "topic"], ignore_index=True
    )
    assert len(kept) > 0
    pd.testing.assert_frame_equal(kept, recounted)


def _counted_with(engine: Engine) -> tuple[str, int] | None:
    with engine.connect() as conn:
        return journey_day_rollup.counted_with(conn)


def _weeks(now: datetime, count: int) -> dict:
    """The last `count` whole ISO weeks up to now's, as Weekly trends asks for them."""
    today = local_today(now, LONDON)
    monday = today - timedelta(days=today.weekday())
    first = week_bounds(monday - timedelta(weeks=count - 1), LONDON)[0]
    return {"start": first, "end": week_bounds(monday, LONDON)[1], "tz": LONDON}


# Built demos, by (backend, now): the demo is built once and copied into each test's database
# (building it is most of each test's time).
_BUILT: dict[tuple[str, datetime], str] = {}


@pytest.fixture(scope="module", autouse=True)
def _drop_built_demos() -> Iterator[None]:
    yield
    copies = [copy for (backend, _), copy in _BUILT.items() if backend == "postgresql"]
    _BUILT.clear()
    if not copies:
        return
    admin = _pg_admin()
    with admin.connect() as conn:
        for copy in copies:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
    admin.dispose()


def _demo(engine: Engine, now: datetime) -> None:
    """The 3-week demo up to `now` in `engine`'s (fresh) database."""
    from ingest.demo import build_demo

    backend = engine.dialect.name
    built = _BUILT.get((backend, now))
    if built is None:
        build_demo(engine, weeks=3, seed=5, now=now)
        engine.dispose()
        _BUILT[(backend, now)] = _keep_copy(engine)
    else:
        engine.dispose()
        _restore_copy(engine, built)


def _keep_copy(engine: Engine) -> str:
    """A copy of `engine`'s database (a file, or a PostgreSQL database): its name."""
    if engine.dialect.name == "sqlite":
        copy = f"{engine.url.database}.demo"
        shutil.copy(engine.url.database, copy)
        return copy
    copy = f"floorlight_demo_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{engine.url.database}"'))
    admin.dispose()
    return copy


def _restore_copy(engine: Engine, copy: str) -> None:
    """Replace `engine`'s database by the copy `_keep_copy` made (its pool already disposed)."""
    if engine.dialect.name == "sqlite":
        shutil.copy(copy, engine.url.database)
        return
    name = engine.url.database
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{copy}"'))
    admin.dispose()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 18, 15, 0),  # a plain November
        datetime(2026, 10, 29, 11, 0),  # clocks back Sun 25 Oct: a 25-hour day in the period
    ],
)
def test_day_route_equals_the_stored_and_raw_routes_on_the_demo(engine: Engine, now: datetime):
    _demo(engine, now)
    assert _counted_with(engine) == (LONDON, 7 * 86_400)
    for period in (
        _weeks(now, 3),  # whole weeks, as Weekly trends
        # Partial days at both edges, as the Topics page's "until now".
        {"start": now - timedelta(days=13, hours=3), "end": now, "tz": LONDON},
        {"start": now - timedelta(hours=20), "end": now - timedelta(hours=1), "tz": LONDON},
    ):
        _assert_routes_agree(engine, **period, window_days=7)
        _assert_routes_agree(engine, **period, window_days=7, channel_ids=["chat", "email"])
    _assert_days_as_recounted(engine)


def test_a_planted_day_row_shows_so_the_day_rows_are_read(engine: Engine):
    now = datetime(2026, 11, 18, 15, 0)
    _demo(engine, now)
    period = {**_weeks(now, 2), "window_days": 7}
    before = journey_counts(engine=engine, **period)
    day = local_today(now, LONDON) - timedelta(days=2)
    j = journey_day_stats.c
    with engine.begin() as conn:
        planted = conn.execute(
            update(journey_day_stats)
            .where(j.local_day == day_number(day), j.channel_id == "chat")
            .values(repeated=j.repeated + 1000)
        ).rowcount
    assert planted > 0
    after = journey_counts(engine=engine, **period)
    week = day - timedelta(days=day.weekday())
    gained = after.groupby("week")["repeated"].sum() - before.groupby("week")["repeated"].sum()
    assert gained.to_dict() == {w: 1000 * planted if w == week else 0 for w in gained.index}
    # Another window, or another zone, is not what the day rows hold: they are left alone.
    for other in ({"window_days": 6}, {"tz": "Europe/Paris"}):
        asked = {**period, **other}
        pd.testing.assert_frame_equal(
            _tidy(journey_counts(engine=engine, **asked)),
            _tidy(_raw(engine, journey_counts, **asked)),
        )


def _customer_to_follow(engine: Engine, now: datetime) -> int:
    """A customer whose newest contact was resolved over a day before `now` and not earlier
    than a day before, so a new contact now makes it a repeat counted on an earlier day."""
    i = interactions.c
    newest = (
        select(i.customer_id, func.max(i.created_at).label("last"))
        .where(i.direction == "inbound", i.is_thread_start.is_(True), i.customer_id.is_not(None))
        .group_by(i.customer_id)
        .subquery()
    )
    last = (i.customer_id == newest.c.customer_id) & (i.created_at == newest.c.last)
    with engine.connect() as conn:
        row = conn.execute(
            select(newest.c.customer_id)
            .join(interactions, last)
            .where(
                i.resolved_at.is_not(None),
                i.resolved_at < now - timedelta(days=2),
                i.resolved_at > now - timedelta(days=5),
            )
            .order_by(newest.c.customer_id)
            .limit(1)
        ).first()
    assert row is not None
    return row.customer_id


def test_changed_customers_and_the_refresh_that_recounts_them(engine: Engine):
    now = datetime(2026, 11, 18, 15, 0)
    _demo(engine, now)
    customer = _customer_to_follow(engine, now)
    period = {**_weeks(now, 3), "window_days": 7}
    repeats_before = overall_rates(journey_counts(engine=engine, **period))["repeated"]
    later = datetime.now() + timedelta(minutes=1)  # after the refresh's watermark
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [interaction(now - timedelta(hours=1), channel_id="email", customer_id=customer,
                         external_id="again", conversation_id="again", topic="billing",
                         updated_at=later)],
        )  # fmt: skip
    # Before the refresh the customer is followed in the raw rows: their earlier contact is now
    # a repeat, on a day whose day rows do not know it yet.
    counted = _assert_routes_agree(engine, **period)
    assert overall_rates(counted)["repeated"] == repeats_before + 1
    with engine.connect() as conn:
        stored_day = conn.scalar(
            select(next_contacts.c.local_day).where(
                next_contacts.c.customer_id == customer, next_contacts.c.resolved.is_(True)
            ).order_by(next_contacts.c.created_at.desc()).limit(1)
        )  # fmt: skip
    assert stored_day < day_number(local_today(now, LONDON))  # a day before the refresh's run
    assert refresh_interval_stats(engine) > 0
    # The refresh recounted the earlier day too: the day rows equal a full recount.
    _assert_days_as_recounted(engine)
    pd.testing.assert_frame_equal(_tidy(journey_counts(engine=engine, **period)), counted)
    _assert_routes_agree(engine, **period)


def test_another_window_falls_back_until_the_refresh_recounts_the_days(
    engine: Engine, centre_settings
):
    now = datetime(2026, 11, 18, 15, 0)
    _demo(engine, now)
    period = {**_weeks(now, 3)}
    with engine.begin() as conn:  # long settled: the refresh recounts only for the setting
        conn.execute(update(interactions).values(updated_at=datetime(2026, 1, 1)))
    _assert_routes_agree(engine, **period, window_days=2)  # not the stored 7: next_contacts
    centre_settings(REPEAT_WINDOW_DAYS="2")
    assert refresh_interval_stats(engine) == 0  # nothing changed; the day rows are recounted
    assert _counted_with(engine) == (LONDON, 2 * 86_400)
    _assert_days_as_recounted(engine)
    two = _assert_routes_agree(engine, **period, window_days=2)
    seven = _assert_routes_agree(engine, **period, window_days=7)
    assert overall_rates(two)["repeated"] < overall_rates(seven)["repeated"]


def test_a_new_time_zone_falls_back_until_the_refresh_recounts_the_days(
    engine: Engine, centre_settings
):
    now = datetime(2026, 11, 18, 15, 0)
    _demo(engine, now)
    kolkata = {**_weeks(now, 3), "tz": "Asia/Kolkata", "window_days": 7}
    with engine.begin() as conn:
        conn.execute(update(interactions).values(updated_at=datetime(2026, 1, 1)))
    pd.testing.assert_frame_equal(
        _tidy(journey_counts(engine=engine, **kolkata)),
        _tidy(_raw(engine, journey_counts, **kolkata)),
    )
    centre_settings(TIMEZONE="Asia/Kolkata")
    assert refresh_interval_stats(engine) == 0  # nothing changed; every rollup is recounted
    assert _counted_with(engine) == ("Asia/Kolkata", 7 * 86_400)
    _assert_days_as_recounted(engine)
    # A Kolkata midnight-to-midnight period, and one with partial days.
    first = local_today(now, "Asia/Kolkata") - timedelta(days=15)
    today = local_today(now, "Asia/Kolkata")
    whole = {
        "start": day_bounds(first, "Asia/Kolkata")[0],
        "end": day_bounds(today, "Asia/Kolkata")[0],
    }
    _assert_routes_agree(engine, **kolkata)
    _assert_routes_agree(engine, **{**kolkata, **whole})


def test_day_numbers_before_1970_make_the_right_weeks():
    from queries.journey import _week_key

    days = [date(1969, 12, 29), date(1970, 1, 4), date(1970, 1, 5), date(1900, 1, 1)]
    keys = _week_key(pd.Series([day_number(d) for d in days])).tolist()
    assert keys == [-1, -1, 0, -3653]


def test_a_full_refresh_recounts_every_day(engine: Engine):
    now = datetime(2026, 11, 18, 15, 0)
    _demo(engine, now)
    i = interactions.c
    with engine.begin() as conn:  # open contacts resolved, stamped long ago
        conn.execute(
            update(interactions)
            .where(i.resolved_at.is_(None), i.customer_id.is_not(None))
            .values(resolved_at=now, updated_at=datetime(2026, 1, 1))
        )
    period = {**_weeks(now, 3), "window_days": 7}
    refresh_interval_stats(engine, full=True)
    _assert_days_as_recounted(engine)
    _assert_routes_agree(engine, **period)


def test_an_upgraded_database_fills_the_day_rows_at_the_next_refresh(engine: Engine):
    """Migration 0015 adds the table empty and leaves the other rollups as they are: the next
    refresh fills it, although no interaction changed."""
    now = datetime(2026, 11, 18, 15, 0)
    _demo(engine, now)
    with engine.begin() as conn:
        conn.execute(update(interactions).values(updated_at=datetime(2026, 1, 1)))
        conn.execute(delete(journey_day_stats))
    assert refresh_interval_stats(engine) == 0
    assert _counted_with(engine) == (LONDON, 7 * 86_400)
    _assert_days_as_recounted(engine)
    _assert_routes_agree(engine, **_weeks(now, 3), window_days=7)
