"""The migrations build the same working schema on both backends."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import column as sa_column
from sqlalchemy import func, inspect, select, text
from sqlalchemy import table as sa_table

from db.engine import make_engine
from db.partitions import include_object
from db.schema import channels, interactions, metadata, sla_policies, users
from tests.builders import insert_interactions, interaction
from tests.conftest import BACKENDS, _pg_admin, _pg_url

# What migration 0013 makes differ on PostgreSQL by design (month partitions, db/partitions.py).
COMPARE = {"include_object": include_object}


def test_migrations_create_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables


def test_reference_data_is_seeded_once(engine):
    from db.reference import CHANNELS, seed_reference_data

    with engine.begin() as conn:
        seed_reference_data(conn)  # a second run adds nothing
        assert conn.scalar(select(func.count()).select_from(channels)) == len(CHANNELS)
        assert conn.scalar(select(func.count()).select_from(sla_policies)) == 9


def test_migrations_and_table_definitions_agree(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts=COMPARE), metadata) == []


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database (no migrations run), once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"floorlight_mig_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migration_0003_marks_the_follow_ups_already_stored(empty_db_url):
    from alembic import command

    from db.migrate import alembic_config
    from db.reference import seed_reference_data

    config = alembic_config(empty_db_url)
    command.upgrade(config, "0002")
    engine = make_engine(empty_db_url)
    t0 = datetime(2026, 6, 1, 9, 0)
    rows = [
        interaction(t0, frt=60, conversation_id="a", external_id="a-1"),
        interaction(t0 + timedelta(minutes=5), conversation_id="a", external_id="a-2"),
        interaction(t0, conversation_id="b", external_id="b-1"),
        interaction(t0 + timedelta(minutes=1), conversation_id=None, external_id="loose"),
    ]
    with engine.begin() as conn:
        seed_reference_data(conn)
        insert_interactions(conn, rows, mark=False)  # no such column yet
    before = datetime.now(UTC).replace(tzinfo=None)
    command.upgrade(config, "head")
    with engine.connect() as conn:
        stored = {
            row.external_id: row
            for row in conn.execute(
                select(
                    interactions.c.external_id,
                    interactions.c.is_thread_start,
                    interactions.c.updated_at,
                )
            )
        }
    assert {name: bool(row.is_thread_start) for name, row in stored.items()} == {
        "a-1": True,
        "a-2": False,
        "b-1": True,
        "loose": True,
    }
    # The row that became a follow-up is stamped, so the next rollup refresh recounts it.
    assert stored["a-2"].updated_at >= before
    assert stored["a-1"].updated_at == t0 + timedelta(seconds=60)
    command.downgrade(config, "0002")
    assert "is_thread_start" not in {c["name"] for c in inspect(engine).get_columns("interactions")}
    command.upgrade(config, "head")
    with engine.connect() as conn:
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        assert compare_metadata(MigrationContext.configure(conn, opts=COMPARE), metadata) == []
    engine.dispose()


def test_migration_0005_turns_conversations_the_centre_started_into_follow_ups(empty_db_url):
    from alembic import command

    from db.migrate import alembic_config
    from db.reference import seed_reference_data

    config = alembic_config(empty_db_url)
    command.upgrade(config, "0004")
    engine = make_engine(empty_db_url)
    t0 = datetime(2026, 6, 1, 9, 0)
    rows = [
        # The brand posts first; two customers answer: the old rule made the first a contact.
        interaction(t0, direction="outbound", conversation_id="post", external_id="post-0"),
        interaction(t0 + timedelta(minutes=3), conversation_id="post", external_id="post-1"),
        interaction(t0 + timedelta(minutes=4), conversation_id="post", external_id="post-2"),
        # The customer writes first: one contact, the brand's reply and the follow-up are not.
        interaction(t0, frt=60, conversation_id="ask", external_id="ask-1"),
        interaction(
            t0 + timedelta(minutes=1),
            direction="outbound",
            conversation_id="ask",
            external_id="ask-0",
        ),
        interaction(t0 + timedelta(minutes=5), conversation_id="ask", external_id="ask-2"),
    ]
    with engine.begin() as conn:
        seed_reference_data(conn)
        insert_interactions(conn, rows, mark=False)
        # As the old rule marked them: the first inbound row of each conversation.
        conn.execute(
            interactions.update()
            .where(interactions.c.external_id.in_(["post-2", "ask-2", "ask-0"]))
            .values(is_thread_start=False)
        )
    before = datetime.now(UTC).replace(tzinfo=None)
    command.upgrade(config, "0005")

    def flags() -> dict[str, bool]:
        with engine.connect() as conn:
            return {
                row.external_id: bool(row.is_thread_start)
                for row in conn.execute(
                    select(interactions.c.external_id, interactions.c.is_thread_start)
                )
            }

    assert flags() == {
        "post-0": True,  # the opener: outbound, so no contact (counts_as_contact is inbound)
        "post-1": False,
        "post-2": False,
        "ask-1": True,
        "ask-0": False,
        "ask-2": False,
    }
    with engine.connect() as conn:
        stamped = conn.execute(
            select(interactions.c.external_id).where(interactions.c.updated_at >= before)
        ).scalars()
        assert list(stamped) == ["post-1"]  # recounted by the next refresh
    command.downgrade(config, "0004")
    assert flags()["post-1"] is True
    engine.dispose()


def test_migration_0004_names_case_duplicates_it_cannot_index_then_upgrades(empty_db_url):
    from alembic import command

    from db.migrate import alembic_config

    config = alembic_config(empty_db_url)
    command.upgrade(config, "0003")
    engine = make_engine(empty_db_url)
    names = sa_table(
        "topics",
        sa_column("name"),
        sa_column("keywords"),
        sa_column("active"),
        sa_column("version"),
    )
    with engine.begin() as conn:
        conn.execute(
            names.insert(),
            [
                {"name": n, "keywords": "", "active": True, "version": 1}
                for n in ("Billing", "billing", "Late")
            ],
        )
    clash = r"topics holds names that differ only in case \(billing\)"
    with pytest.raises(RuntimeError, match=clash):
        command.upgrade(config, "head")
    with engine.begin() as conn:  # the admin renames one of the pair
        conn.execute(names.update().where(names.c.name == "billing").values(name="Billing 2"))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.execute(select(users.c.session_version)).all() == []  # column exists
    command.downgrade(config, "0003")
    assert "login_throttle" not in inspect(engine).get_table_names()
    engine.dispose()
