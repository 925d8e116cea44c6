"""The migrations build the same working schema on both backends."""

from sqlalchemy import func, inspect, select

from db.schema import channels, metadata, sla_policies


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
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
