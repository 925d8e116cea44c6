"""Alembic environment: runs migrations against the configured database (or a passed connection)."""

import warnings

from alembic import context
from sqlalchemy.exc import SAWarning

from db.engine import make_engine
from db.partitions import include_object
from db.schema import metadata
from db.settings import get_settings

config = context.config

# SQLite batch migrations reflect the tables they copy, and SQLAlchemy cannot reflect the
# lower(name) unique indexes of topics and scorecards. Those tables are never copied (only
# tables referring to them are), so the indexes stay; the warning would only alarm operators.
warnings.filterwarnings(
    "ignore", message="Skipped unsupported reflection of expression-based index", category=SAWarning
)


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().db_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    # render_as_batch lets ALTERs work on SQLite too.
    # include_object: autogenerate must not try to drop the month partitions of interactions
    # on PostgreSQL or re-add what migration 0013 replaced there (db/partitions.py).
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
