"""The bulk row reader of the report queries: timestamps cross the wire and come back exact to
the microsecond (NULL as NaT) on both backends, and the cheap FRT used to narrow the breaches
query stays within a millisecond of the exact one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import select

from db.schema import interactions
from db.sqlfuncs import seconds_between
from queries.sl_base import approx_seconds_between, raw_timestamp, read_columns
from tests.builders import insert_interactions, interaction


def test_wire_timestamps_round_trip_to_the_microsecond(engine):
    created = datetime(2026, 10, 25, 1, 59, 59, 999_999)
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(created, frt=0.000_002)])
    i = interactions.c
    statement = select(
        i.id,
        raw_timestamp(i.created_at),
        raw_timestamp(i.first_response_at),
        raw_timestamp(i.abandoned_at),
    )
    with engine.connect() as conn:
        frame = read_columns(conn, statement)
    row = frame.iloc[0]
    assert row["created_at"] == pd.Timestamp(created)
    assert row["first_response_at"] == pd.Timestamp(created + timedelta(microseconds=2))
    assert pd.isna(row["abandoned_at"])
    assert str(frame["created_at"].dtype) == "datetime64[us]"


def test_read_columns_of_no_rows_keeps_the_columns(engine):
    i = interactions.c
    with engine.connect() as conn:
        frame = read_columns(conn, select(i.id, raw_timestamp(i.created_at)))
    assert frame.empty and list(frame.columns) == ["id", "created_at"]


def test_cheap_frt_is_within_a_millisecond_of_the_exact_one(engine):
    created = datetime(2026, 6, 1, 9, 0, 0, 123_000)
    frts = [0.001, 59.999, 60.0, 3_599.999, 86_400.0, 1_000_000.5]
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(created, frt=f) for f in frts])
    i = interactions.c
    statement = select(
        seconds_between(i.created_at, i.first_response_at),
        approx_seconds_between(i.created_at, i.first_response_at),
    ).order_by(i.id)
    with engine.connect() as conn:
        pairs = conn.execute(statement).all()
    assert [round(float(exact), 3) for exact, _ in pairs] == frts
    assert all(abs(float(exact) - float(approx)) < 0.001 for exact, approx in pairs)
