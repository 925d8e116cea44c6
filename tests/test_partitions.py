"""Monthly partitions of interactions on PostgreSQL (migration 0013, db/partitions.py).

What a user or operator relies on: rows of each month live in that month's partition; a page's
period reads only its months' partitions; a new month's partition appears without losing rows
that arrived first; the downgrade gives the plain table back with every row; a review of an
interaction that does not exist is still refused although no foreign key says so; and new
arrivals never rewrite last month's rollup rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, event, inspect, select, text

from db.engine import make_engine
from db.migrate import alembic_config
from db.partitions import ensure_month_partitions, is_partitioned
from db.rollups import refresh_interval_stats
from db.schema import interactions, interval_stats, replies
from queries.writes import NotFoundError, ValidationError, insert_record
from tests.builders import insert_interactions, interaction
from tests.conftest import _fresh_db_url

OCT = datetime(2026, 10, 14, 9, 0)
NOV = datetime(2026, 11, 30, 9, 0)


@pytest.fixture
def pg_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A fresh migrated PostgreSQL database: only there is interactions partitioned."""
    for url in _fresh_db_url("postgresql", request, tmp_path):
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _where(engine: Engine) -> dict[str, str]:
    """external_id -> the partition that holds the row."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT external_id, tableoid::regclass::text FROM interactions"))
        return dict(rows.tuples().all())


def test_the_migration_partitions_postgresql_by_month_and_leaves_sqlite_alone(engine) -> None:
    with engine.connect() as conn:
        partitioned = is_partitioned(conn)
    assert partitioned is (engine.dialect.name == "postgresql")
    live = inspect(engine)
    # Every column and index of db/schema.py is there on both backends.
    assert {c["name"] for c in live.get_columns("interactions")} == set(interactions.c.keys())
    expected_indexes = {i.name for i in interactions.indexes}
    assert expected_indexes <= {i["name"] for i in live.get_indexes("interactions")}
    if partitioned:
        assert live.get_pk_constraint("interactions")["constrained_columns"] == ["id", "created_at"]


def _october_and_november(engine: Engine) -> None:
    """The partitions of the tests' months (the migration made those of its own time on)."""
    with engine.begin() as conn:
        ensure_month_partitions(conn, OCT, NOV)


def test_rows_land_in_their_months_partition(pg_engine) -> None:
    _october_and_november(pg_engine)
    with pg_engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(OCT, external_id="oct"),
                interaction(NOV, external_id="nov"),
                interaction(datetime(2031, 5, 2), external_id="far"),
            ],
        )
    assert _where(pg_engine) == {
        "oct": "interactions_y2026m10",
        "nov": "interactions_y2026m11",
        "far": "interactions_default",
    }


def test_a_new_months_partition_takes_the_rows_that_arrived_before_it(pg_engine) -> None:
    with pg_engine.begin() as conn:
        insert_interactions(conn, [interaction(datetime(2031, 5, 2), external_id="far")])
    with pg_engine.begin() as conn:
        created = ensure_month_partitions(conn, datetime(2031, 4, 30), datetime(2031, 5, 31))
        again = ensure_month_partitions(conn, datetime(2031, 4, 30), datetime(2031, 5, 31))
    assert created == ["interactions_y2031m04", "interactions_y2031m05"]
    assert again == []
    assert _where(pg_engine) == {"far": "interactions_y2031m05"}


def test_a_refresh_creates_the_months_ahead_and_those_of_imported_history(pg_engine) -> None:
    with pg_engine.begin() as conn:
        insert_interactions(conn, [interaction(datetime(2019, 3, 5), external_id="old")])
    refresh_interval_stats(pg_engine)
    now = datetime.now()
    ahead = now.replace(day=1) + timedelta(days=95)  # three months on
    with pg_engine.connect() as conn:
        names = set(
            conn.execute(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "WHERE i.inhparent = 'interactions'::regclass"
                )
            ).scalars()
        )
    assert f"interactions_y{now:%Y}m{now:%m}" in names
    assert f"interactions_y{ahead:%Y}m{ahead:%m}" in names
    assert _where(pg_engine) == {"old": "interactions_y2019m03"}


def _partitions_read(engine: Engine, call) -> set[str]:
    """The interactions partitions PostgreSQL plans to read for every statement `call` runs."""
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if "interactions" in statement and statement.lstrip().upper().startswith(
            ("SELECT", "WITH")
        ):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert statements, "the query read no interactions"
    plans = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            cursor = conn.connection.dbapi_connection.cursor()
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.extend(row[0] for row in cursor.fetchall())
    return {word for line in plans for word in line.split() if word.startswith("interactions_")}


def test_the_service_level_of_a_day_reads_only_that_months_partition(pg_engine) -> None:
    from queries.service_level import frt_values, service_level_counts

    _october_and_november(pg_engine)
    with pg_engine.begin() as conn:
        insert_interactions(
            conn, [interaction(OCT, frt=30), interaction(NOV, frt=90), interaction(NOV, frt=20)]
        )
    # Raw rows (not the rollup), the route the Floor's "now" and the FRT charts take.
    day = {
        "start": NOV.replace(hour=0),
        "end": NOV.replace(hour=0) + timedelta(days=1),
        "group_by": "channel",
        "now": NOV + timedelta(hours=1),
    }
    read = _partitions_read(
        pg_engine,
        lambda: service_level_counts(
            engine=pg_engine, tz="UTC", granularity="day", source="raw", **day
        ),
    )
    read |= _partitions_read(pg_engine, lambda: frt_values(engine=pg_engine, **day))
    assert {name.split("_")[1] for name in read if name.startswith("interactions_y")} == {
        "y2026m11"
    }


def test_downgrade_restores_the_plain_table_with_every_row_and_foreign_key(pg_engine) -> None:
    with pg_engine.begin() as conn:
        insert_interactions(conn, [interaction(OCT, external_id="oct"), interaction(NOV)])
    url = pg_engine.url.render_as_string(hide_password=False)
    command.downgrade(alembic_config(url), "0012")
    pg_engine.dispose()
    live = inspect(pg_engine)
    with pg_engine.connect() as conn:
        assert not is_partitioned(conn)
        assert conn.scalar(text("SELECT count(*) FROM interactions")) == 2
    assert live.get_pk_constraint("interactions")["constrained_columns"] == ["id"]
    referring = {
        table
        for table in live.get_table_names()  # the tables of revision 0012
        for fk in live.get_foreign_keys(table)
        if fk["referred_table"] == "interactions"
    }
    assert referring == {"qa_assignments", "calibration_items", "qa_reviews", "replies"}
    command.upgrade(alembic_config(url), "head")
    pg_engine.dispose()
    assert _where(pg_engine)["oct"] == "interactions_y2026m10"


def test_a_review_or_reply_of_an_unknown_interaction_is_refused(engine) -> None:
    from queries.qa_reviews import save_review

    with pytest.raises(NotFoundError):
        save_review(engine=engine, actor="qa", interaction_id=999_999, scores={}, submit=True)
    with pytest.raises(ValidationError) as refused:
        insert_record(
            engine=engine,
            table=replies,
            values={
                "interaction_id": 999_999,
                "body": "Sorry!",
                "state": "draft",
                "created_at": NOV,
            },
            user="agent",
        )
    assert refused.value.field_errors == {"interaction_id": "there is no interaction 999999"}
    with engine.connect() as conn:
        assert conn.execute(select(replies)).first() is None


def test_new_arrivals_leave_last_months_rollup_rows_as_they_were(engine) -> None:
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(OCT, frt=30), interaction(OCT, frt=90)])
    refresh_interval_stats(engine)
    # The month goes on: the watermark moves past October (a refresh looks back 2 minutes).
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(datetime(2026, 11, 2, 9), frt=10)])
    refresh_interval_stats(engine)
    october = interval_stats.c.interval_start < datetime(2026, 11, 1)
    # On PostgreSQL xmin names the transaction that wrote a row version: a rewrite changes it.
    version = text("xmin::text") if engine.dialect.name == "postgresql" else text("rowid")
    snapshot = select(interval_stats, version).where(october)
    with engine.connect() as conn:
        before = conn.execute(snapshot).all()
    assert [(row.offered, row.met) for row in before] == [(2, 1)]
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(NOV, frt=10), interaction(NOV + timedelta(hours=1))])
    # Today's two intervals, and 2 November's (its row is the watermark, within the look-back).
    assert refresh_interval_stats(engine) == 3
    with engine.connect() as conn:
        assert conn.execute(snapshot).all() == before
