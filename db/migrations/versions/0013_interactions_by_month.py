"""interactions partitioned by month on PostgreSQL

Revision ID: 0013
Revises: 0010
Create Date: 2026-11-30 11:10:00

On PostgreSQL `interactions` becomes a declaratively partitioned table, RANGE (created_at), one
partition per calendar month (UTC) named interactions_yYYYYmMM — for every month that has rows,
this month and the next three — plus interactions_default for rows of a month that has no
partition yet (db/partitions.py creates months ahead and moves such
rows out). SQLite is left as it is: this revision does nothing there.

The table is rebuilt from what the live table has at this point, reflected, never from a column
list: columns, defaults, NOT NULL and CHECK constraints (CREATE TABLE ... LIKE), every index
(pg_get_indexdef), its foreign keys to channels/customers/agents, and the id sequence. What a
partitioned table cannot keep as it was:
- PRIMARY KEY (id) becomes (id, created_at) — a partitioned table's unique keys must contain the
  partition key. id stays unique in practice: it comes from the one sequence, and no code path
  writes an explicit id.
- UNIQUE (source, external_id) becomes (source, external_id, created_at), the importer's
  ON CONFLICT target on PostgreSQL (db/partitions.dedupe_keys). A stored row's created_at never
  changes (the importer skips rows already stored, by (source, external_id), before inserting),
  so a re-import still stores nothing twice.
- Foreign keys from other tables to interactions (qa_assignments, calibration_items, qa_reviews,
  replies) are dropped: they would need (id, created_at). The writes check that the interaction
  exists instead (queries/writes.insert_record, and the forms' own lookups). The dropped
  definitions are kept in the comment of the primary key so the downgrade restores exactly
  those (a table comment would show as a difference from db/schema.py).

Downgrade restores the plain table with its original keys and the dropped foreign keys.
"""

import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "interactions"
KEY = "created_at"
OLD = "interactions_unpartitioned"
PARTITIONED = "interactions_partitioned"
DEFAULT_PARTITION = "interactions_default"
MONTHS_AHEAD = 3  # partitions created beyond the current month (db/partitions.py adds more)
COMMENT_PREFIX = "Partitioned by month (migration 0013); dropped foreign keys: "


def _rows(sql: str, **params) -> list:
    return list(op.get_bind().execute(sa.text(sql), params))


def _month(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _table_shape(table: str) -> dict:
    """Indexes, unique/primary keys and outgoing foreign keys of `table`, as SQL definitions."""
    return {
        "indexes": _rows(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.oid = CAST(:t AS regclass) AND i.indexrelid NOT IN "
            "(SELECT conindid FROM pg_constraint WHERE conrelid = t.oid)",
            t=table,
        ),
        "keys": _rows(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u') ORDER BY contype",
            t=table,
        ),
        "foreign_keys": _rows(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'",
            t=table,
        ),
        "sequences": _rows(
            "SELECT a.attname, pg_get_serial_sequence(:t, a.attname) FROM pg_attribute a "
            "WHERE a.attrelid = CAST(:t AS regclass) AND a.attnum > 0 AND NOT a.attisdropped "
            "AND pg_get_serial_sequence(:t, a.attname) IS NOT NULL",
            t=table,
        ),
    }


def _rebuild(shape: dict, source: str, partitioned: bool, key_sql) -> None:
    """Create TABLE like `source` (partitioned or plain), copy the rows, recreate the shape.

    `key_sql(definition)` turns a primary/unique key definition of the old table into
    the new one's.
    """
    by_month = f" PARTITION BY RANGE ({KEY})" if partitioned else ""
    op.execute(
        f"CREATE TABLE {TABLE} (LIKE {source} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS){by_month}"
    )
    if partitioned:
        _create_partitions(source)
    # Identifiers only (this migration's own table names): DDL and table names take no binds.
    op.execute(f"INSERT INTO {TABLE} SELECT * FROM {source}")
    for name, _contype, definition in shape["keys"]:
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {key_sql(definition)}")
    for _name, definition in shape["indexes"]:
        # pg_get_indexdef names the table `interactions` already (a partitioned parent's index
        # reads "ON ONLY"; without ONLY the plain table, or every partition, gets it).
        op.execute(definition.replace(" ON ONLY ", " ON ", 1))
    for name, definition in shape["foreign_keys"]:
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
    for column, sequence in shape["sequences"]:
        # The sequence belongs to the old table's column and would be dropped with it.
        op.execute(f"ALTER SEQUENCE {sequence} OWNED BY {TABLE}.{column}")
    op.execute(f"DROP TABLE {source}")
    op.execute(f"ANALYZE {TABLE}")


def _free_names(shape: dict, table: str) -> None:
    """Drop the renamed table's keys and indexes so the new table can take their names."""
    for name, _contype, _definition in shape["keys"]:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _definition in shape["indexes"]:
        op.execute(f"DROP INDEX {name}")


def _create_partitions(source: str) -> None:
    """A partition per month that has rows, for this month and MONTHS_AHEAD more; the default.

    Only months with rows: a stray far-off date must not create a partition per month between.
    """
    months = {_month(datetime.now(UTC))}
    for _ in range(MONTHS_AHEAD):
        months.add(_next_month(max(months)))
    # Identifiers only (this migration's own column and table names); no value is formatted in.
    stored = _rows(f"SELECT DISTINCT date_trunc('month', {KEY}) FROM {source}")
    # December 9999 has no end to give a partition: its rows go to the default.
    months |= {_month(m) for (m,) in stored if (m.year, m.month) != (9999, 12)}
    for month in sorted(months):
        following = _next_month(month)
        op.execute(
            f"CREATE TABLE {TABLE}_y{month.year:04d}m{month.month:02d} PARTITION OF {TABLE} "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')"
        )
    op.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")


def _with_partition_key(definition: str) -> str:
    columns = re.fullmatch(r"(.*\()(.*)(\).*)", definition)
    if columns is None or KEY in [c.strip() for c in columns.group(2).split(",")]:
        return definition
    return f"{columns.group(1)}{columns.group(2)}, {KEY}{columns.group(3)}"


def _without_partition_key(definition: str) -> str:
    return re.sub(rf", {KEY}\)", ")", definition, count=1)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    shape = _table_shape(TABLE)
    unique_indexes = [name for name, sql in shape["indexes"] if sql.startswith("CREATE UNIQUE")]
    if unique_indexes:
        raise RuntimeError(f"unique indexes need {KEY} to be partitioned: {unique_indexes}")
    incoming = _rows(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE confrelid = CAST(:t AS regclass) AND contype = 'f' ORDER BY 1, 2",
        t=TABLE,
    )
    for table, name, _definition in incoming:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    op.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    _free_names(shape, OLD)
    _rebuild(shape, OLD, partitioned=True, key_sql=_with_partition_key)
    dropped = COMMENT_PREFIX + json.dumps([list(row) for row in incoming])
    primary = next(name for name, contype, _definition in shape["keys"] if contype == "p")
    op.execute(sa.text(f"COMMENT ON CONSTRAINT {primary} ON {TABLE} IS :c").bindparams(c=dropped))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    comment = _rows(
        "SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint "
        "WHERE conrelid = CAST(:t AS regclass) AND contype = 'p'",
        t=TABLE,
    )[0][0]
    dropped = json.loads(comment.removeprefix(COMMENT_PREFIX)) if comment else []
    shape = _table_shape(TABLE)
    op.execute(f"ALTER TABLE {TABLE} RENAME TO {PARTITIONED}")
    _free_names(shape, PARTITIONED)
    _rebuild(shape, PARTITIONED, partitioned=False, key_sql=_without_partition_key)
    for table, name, definition in dropped:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
