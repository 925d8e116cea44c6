"""The Topics and journey rollups (db/topic_rollup.py) give exactly what the raw rows give: per
local day and ISO week across clock changes (also in a half-hour zone), after a retag, after a
new negative threshold, and for journeys on the demo centre and after its contacts change."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, func, select, update

from analytics.journey import overall_rates
from analytics.topic_trends import weekly_table
from db.rollups import JOB_NAME, refresh_interval_stats
from db.schema import interactions, job_state, next_contacts, topic_stats, topics
from ingest.retag import retag_interactions
from queries.journey import journey_counts
from queries.topic_trends import daily_topic_counts, topic_contacts
from tests.builders import insert_interactions, interaction
from tests.test_journey import D
from tests.test_journey import _store as store_worked_example

TOPICS = ["billing", "outage", None, "delivery"]
CHANNELS = [("twitter", True), ("twitter", False), ("chat", False), ("email", False)]
SENTIMENTS = [-0.6, -0.05, -0.04, 0.3, None]


def _contacts(first: datetime, hours: int, step_minutes: int = 37) -> list[dict]:
    """A contact every `step_minutes` for `hours`, cycling topics, channels and sentiments;
    every fifth has a follow-up in its conversation (stored, never counted)."""
    rows, n = [], 0
    for n, minutes in enumerate(range(0, hours * 60, step_minutes)):
        created = first + timedelta(minutes=minutes)
        channel, public = CHANNELS[n % len(CHANNELS)]
        fields = {
            "channel_id": channel,
            "is_public": public,
            "topic": TOPICS[n % len(TOPICS)],
            "sentiment": SENTIMENTS[n % len(SENTIMENTS)],
            "conversation_id": f"c{n}",
            "body": "where is my parcel" if n % 3 == 0 else "hello",
            "topic_source": "taxonomy",
        }
        rows.append(interaction(created, **fields))
        if n % 5 == 0:
            rows.append(interaction(created + timedelta(minutes=3), **fields))
    return rows


def _raw(engine: Engine, read, **kwargs):
    """`read` on the raw route: without a watermark nothing is taken from the rollups."""
    with engine.begin() as conn:
        mark = conn.scalar(select(job_state.c.watermark).where(job_state.c.name == JOB_NAME))
        conn.execute(delete(job_state).where(job_state.c.name == JOB_NAME))
    try:
        return read(engine=engine, **kwargs)
    finally:
        if mark is not None:
            with engine.begin() as conn:
                conn.execute(job_state.insert().values(name=JOB_NAME, watermark=mark))


def _rollup_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(topic_stats)) or 0


@pytest.mark.parametrize(
    ("tz", "first"),
    [
        ("Europe/London", datetime(2026, 10, 22)),  # clocks back Sun 25 Oct: a 25-hour day
        ("Australia/Lord_Howe", datetime(2026, 3, 31)),  # +11 → +10:30 on Sun 5 Apr
        ("Asia/Kolkata", datetime(2026, 3, 27)),  # +05:30 all year
    ],
)
def test_topics_from_the_rollup_equal_the_raw_rows_per_local_day_and_week(
    engine: Engine, centre_settings, tz: str, first: datetime
):
    centre_settings(TIMEZONE=tz)
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, hours=24 * 9))
    refresh_interval_stats(engine)
    assert _rollup_rows(engine) > 0
    # A range that starts and ends inside local days, as the page's "until now" does.
    window = {"start": first + timedelta(hours=5), "end": first + timedelta(days=8, hours=7)}
    for filters in ({}, {"channel_ids": ["twitter"]}, {"visibility": True}, {"visibility": False}):
        rolled = daily_topic_counts(engine=engine, tz=tz, **window, **filters)
        raw = _raw(engine, daily_topic_counts, tz=tz, **window, **filters)
        pd.testing.assert_frame_equal(rolled, raw)
        assert rolled["count"].sum() > 0
    days = sorted(rolled["day"].unique())
    weekly = weekly_table(rolled, days[0], days[-1])
    pd.testing.assert_frame_equal(weekly, weekly_table(raw, days[0], days[-1]))


def test_the_25_hour_day_is_one_row_of_the_rollup(engine: Engine):
    # Sunday 25 Oct 2026 in London: 00:00 BST (Sat 23:00 UTC) to 24:00 GMT (Mon 00:00 UTC).
    rows = [
        interaction(datetime(2026, 10, 24, 22, 59), topic="billing", sentiment=None),  # Sat
        interaction(datetime(2026, 10, 24, 23, 0), topic="billing", sentiment=-0.5),
        interaction(datetime(2026, 10, 25, 23, 59), topic="billing", sentiment=0.5),
        interaction(datetime(2026, 10, 26, 0, 0), topic="billing", sentiment=None),  # Monday
    ]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)
    with engine.connect() as conn:
        stored = conn.execute(
            select(
                topic_stats.c.local_day, topic_stats.c.contacts, topic_stats.c.negative
            ).order_by(topic_stats.c.local_day)
        ).all()
    sunday = (datetime(2026, 10, 25).date() - datetime(1970, 1, 1).date()).days
    assert [tuple(r) for r in stored] == [(sunday - 1, 1, 0), (sunday, 2, 1), (sunday + 1, 1, 0)]


def test_a_retag_is_seen_at_once_and_recounted_by_the_next_refresh(engine: Engine):
    first = datetime(2026, 6, 1)
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, hours=24 * 3))
    refresh_interval_stats(engine)
    window = {"start": first, "end": first + timedelta(days=3), "tz": "Europe/London"}
    with engine.begin() as conn:  # the admin adds "parcel" to delivery; retag follows
        conn.execute(update(topics).where(topics.c.name == "delivery").values(keywords="parcel"))
    before = datetime.now()
    result = retag_interactions(engine=engine)
    assert result.changed > 0
    with engine.connect() as conn:
        stamped = conn.scalar(
            select(func.count()).where(
                interactions.c.topic == "delivery", interactions.c.updated_at >= before
            )
        )
    assert stamped > 0  # retagged rows carry a new updated_at
    seen = daily_topic_counts(engine=engine, **window)  # changed days: from raw rows
    pd.testing.assert_frame_equal(seen, _raw(engine, daily_topic_counts, **window))
    delivery = seen[seen["topic"] == "delivery"]["count"].sum()
    assert delivery == sum(1 for n in range(0, 72 * 60, 37) if n // 37 % 3 == 0)
    assert refresh_interval_stats(engine) > 0
    with engine.connect() as conn:
        stored = conn.scalar(
            select(func.sum(topic_stats.c.contacts)).where(topic_stats.c.topic == "delivery")
        )
    assert stored == delivery
    pd.testing.assert_frame_equal(daily_topic_counts(engine=engine, **window), seen)


def test_a_new_negative_threshold_recounts_the_rollup(engine: Engine, centre_settings):
    first = datetime(2026, 6, 1)
    with engine.begin() as conn:
        insert_interactions(conn, _contacts(first, hours=24 * 2))
    refresh_interval_stats(engine)
    with engine.begin() as conn:  # long settled: no row is inside the refresh's look-back
        conn.execute(update(interactions).values(updated_at=first))
    window = {"engine": engine, "start": first, "end": first + timedelta(days=2)}
    window["tz"] = "Europe/London"
    contacts = len(range(0, 48 * 60, 37))
    # Sentiments cycle -0.6, -0.05, -0.04, 0.3, None: below -0.05 is only -0.6.
    negative = sum(1 for n in range(contacts) if n % 5 == 0)
    assert daily_topic_counts(**window)["negative"].sum() == negative
    centre_settings(NEGATIVE_SENTIMENT_BELOW="-0.045")  # now -0.05 is negative too
    stricter = negative + sum(1 for n in range(contacts) if n % 5 == 1)
    assert daily_topic_counts(**window)["negative"].sum() == stricter  # raw until recounted
    assert refresh_interval_stats(engine) == 0  # nothing changed; the rollup is recounted
    with engine.connect() as conn:
        counted = conn.execute(
            select(func.sum(topic_stats.c.negative), func.max(topic_stats.c.negative_below))
        ).first()
    assert (counted[0], counted[1]) == (stricter, -0.045)
    assert daily_topic_counts(**window)["negative"].sum() == stricter


# --- journeys ------------------------------------------------------------------------------


def _journeys(engine: Engine, **kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """journey_counts by the rollup route and by the raw route, sorted alike."""
    keys = ["week", "channel_id", "topic"]

    def tidy(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values(keys, ignore_index=True)

    rolled = tidy(journey_counts(engine=engine, **kwargs))
    return rolled, tidy(_raw(engine, journey_counts, **kwargs))


def test_the_worked_example_from_the_stored_next_contacts(engine: Engine):
    store_worked_example(engine)
    refresh_interval_stats(engine)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(next_contacts)) == 7  # X1: nobody's
    window = {"start": D, "end": D + timedelta(days=20), "tz": "Europe/London", "window_days": 7}
    rolled, raw = _journeys(engine, **window)
    pd.testing.assert_frame_equal(rolled, raw)
    total = overall_rates(rolled)
    assert (total["resolved"], total["repeated"], total["switched"]) == (5, 3, 1)
    assert (total["answered_pairs"], total["same_agent"]) == (2, 1)
    # Any window is answered from the stored gaps: one second longer makes A2 → A3 a repeat.
    longer = overall_rates(
        journey_counts(engine=engine, **{**window, "window_days": 7 + 1 / 86_400})
    )
    assert longer["repeated"] == 4


NOW = datetime(2026, 11, 18, 15, 0)


def test_journeys_from_the_rollup_equal_the_raw_rows_on_the_demo_and_after_changes(
    engine: Engine,
):
    from ingest.demo import build_demo

    build_demo(engine, weeks=2, seed=3, now=NOW)
    tz = "Europe/London"
    window = {"start": NOW - timedelta(days=13, hours=3), "end": NOW, "tz": tz, "window_days": 7}
    rolled, raw = _journeys(engine, **window)
    pd.testing.assert_frame_equal(rolled, raw)
    assert overall_rates(rolled)["repeated"] > 0
    for channels in (["chat"], ["twitter", "email"]):
        pd.testing.assert_frame_equal(*_journeys(engine, **window, channel_ids=channels))
    pd.testing.assert_frame_equal(*_journeys(engine, **{**window, "window_days": 1.5}))

    i = interactions.c
    stamp = itertools.count(1)

    def touched() -> datetime:  # after the refresh's watermark, as a writer's clock would be
        return datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=next(stamp))

    with engine.begin() as conn:
        contact = (i.direction == "inbound") & i.is_thread_start.is_(True)
        # A customer's open contact is resolved; another customer writes again; one customer's
        # handle is merged into another's (their contacts move).
        open_row = conn.execute(
            select(i.id, i.created_at).where(contact, i.resolved_at.is_(None),
                                             i.customer_id.is_not(None)).limit(1)
        ).first()  # fmt: skip
        conn.execute(
            update(interactions)
            .where(i.id == open_row.id)
            .values(resolved_at=open_row.created_at + timedelta(hours=1), updated_at=touched())
        )
        a, b = conn.execute(
            select(i.customer_id).where(contact, i.customer_id.is_not(None))
            .group_by(i.customer_id).order_by(func.count().desc()).limit(2)
        ).scalars().all()  # fmt: skip
        conn.execute(
            update(interactions)
            .where(i.customer_id == b)
            .values(customer_id=a, updated_at=touched())
        )
        insert_interactions(
            conn,
            [interaction(NOW - timedelta(hours=2), channel_id="email", customer_id=a,
                         external_id="again", conversation_id="again", topic="billing",
                         updated_at=touched())],
        )  # fmt: skip
    # Before the refresh: changed customers are followed raw, the rest read from the rollup.
    pd.testing.assert_frame_equal(*_journeys(engine, **window))
    refresh_interval_stats(engine)
    rolled, raw = _journeys(engine, **window)
    pd.testing.assert_frame_equal(rolled, raw)
    with engine.connect() as conn:
        moved = conn.scalar(select(func.count()).where(next_contacts.c.customer_id == b))
    assert moved == 0


def test_the_drill_down_is_bounded_and_says_how_many_match(engine: Engine):
    t = datetime(2026, 6, 1, 10)
    rows = [interaction(t + timedelta(minutes=n), topic="outage") for n in range(5)]
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    listed = topic_contacts(
        engine=engine, topic="outage", start=t, end=t + timedelta(hours=1), limit=3
    )
    assert len(listed) == 3 and set(listed["total"]) == {5}
    assert list(listed["created_at"]) == [t + timedelta(minutes=n) for n in (4, 3, 2)]
