"""Monthly partitions of `interactions` on PostgreSQL (migration 0013); nothing on SQLite.

Each calendar month (UTC, by created_at) has its partition, interactions_yYYYYmMM; rows of a
month without one land in interactions_default, the safety net. `ensure_month_partitions`
creates the partitions of a span of months — moving any rows of those months out of the
default partition first, since PostgreSQL refuses a new partition whose rows sit in the default —
and is run by `cli.py partitions` (maintenance, e.g. daily from cron) and before every rollup
refresh (the simulator's ticks, imports, the demo), so the current and next months exist and
imported history moves into its months' partitions.

Pages need nothing from here: their created_at ranges let the planner skip every partition
outside the period (partition pruning).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, column, delete, func, insert, select, table, text
from sqlalchemy.sql.expression import TableClause

from db.schema import interactions

TABLE = "interactions"
DEFAULT_PARTITION = "interactions_default"
_PARTITION_NAME = re.compile(r"^interactions_(y\d{4}m\d{2}|default)$")
# Partitions created past the current month by the maintenance command and the refresh.
MONTHS_AHEAD = 3


def month_start(moment: datetime | date) -> date:
    """The first day of `moment`'s month."""
    return date(moment.year, moment.month, 1)


def next_month(month: date) -> date:
    """The first day of the month after `month` (a first of the month)."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    """interactions_y2026m11 for November 2026."""
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def is_partitioned(conn: Connection) -> bool:
    """True when `interactions` is a partitioned table (PostgreSQL after migration 0013)."""
    if conn.dialect.name != "postgresql":
        return False
    found = conn.execute(
        text("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:t)"), {"t": TABLE}
    )
    return found.first() is not None


def dedupe_keys(conn: Connection) -> list[str]:
    """The unique key a re-import's ON CONFLICT names: created_at joins it when partitioned."""
    keys = ["source", "external_id"]
    return [*keys, "created_at"] if is_partitioned(conn) else keys


def existing_months(conn: Connection) -> set[date]:
    """The months that have their own partition."""
    names = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": TABLE},
    ).scalars()
    months = set()
    for name in names:
        found = re.fullmatch(r"interactions_y(\d{4})m(\d{2})", name)
        if found:
            months.add(date(int(found.group(1)), int(found.group(2)), 1))
    return months


def ensure_month_partitions(
    conn: Connection, first: datetime | date, last: datetime | date
) -> list[str]:
    """Create the partitions of every month from `first`'s to `last`'s; returns those created.

    Rows of such a month already in the default partition are moved into the new partition in
    the same transaction. Does nothing (returns []) when `interactions` is not partitioned.
    """
    months = []
    month, end = month_start(first), month_start(last)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return _ensure(conn, months)


def ensure_months_ahead(engine: Engine, now: datetime | None = None) -> list[str]:
    """Partitions for the current month, MONTHS_AHEAD after it and every month with rows
    waiting in the default partition (history imported before its months existed); returns
    those created."""
    months = [month_start(now or datetime.now(UTC))]
    for _ in range(MONTHS_AHEAD):
        months.append(next_month(months[-1]))
    with engine.begin() as conn:
        if not is_partitioned(conn):
            return []
        default = _partition_table(DEFAULT_PARTITION)
        waiting = conn.execute(
            select(func.date_trunc("month", default.c.created_at)).distinct()
        ).scalars()
        # December 9999 has no end to give a partition: such rows stay in the default.
        months += [month_start(m) for m in waiting if (m.year, m.month) != (9999, 12)]
        return _ensure(conn, months)


def _ensure(conn: Connection, months: list[date]) -> list[str]:
    if not is_partitioned(conn):
        return []
    # Two maintainers at once (the simulator's refresh, cron) would both create a month.
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('floorlight month partitions'))"))
    have = existing_months(conn)
    created = []
    for month in sorted(set(months) - have):
        _create_month(conn, month)
        created.append(partition_name(month))
    return created


def _partition_table(name: str) -> TableClause:
    """A partition of `interactions` by name, with the parent's columns (for Core statements)."""
    return table(name, *(column(c.name) for c in interactions.columns))


def _create_month(conn: Connection, month: date) -> None:
    name, bounds = partition_name(month), {"lo": month, "hi": next_month(month)}
    # A new partition cannot be attached while the default holds rows of its month: create it
    # standalone, move those rows into it, then attach (the check then finds it consistent).
    conn.execute(
        text(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    default, target = _partition_table(DEFAULT_PARTITION), _partition_table(name)
    moved = (
        delete(default)
        .where(default.c.created_at >= bounds["lo"], default.c.created_at < bounds["hi"])
        .returning(*default.c)
        .cte("moved")
    )
    conn.execute(insert(target).from_select(list(target.c.keys()), select(moved)))
    conn.execute(
        text(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
        )
    )


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter when comparing the database with db/schema.py (autogenerate, tests).

    Leaves out what migration 0013 makes differ on PostgreSQL by design: the month partitions
    (tables of their own to PostgreSQL), the foreign keys to interactions (checked by the writes
    instead) and the dedupe key widened by created_at.
    """
    if type_ == "table":
        return not (reflected and name is not None and _PARTITION_NAME.match(name))
    if type_ == "foreign_key_constraint":
        return obj.referred_table.name != TABLE
    if type_ == "unique_constraint":
        return name != "uq_interactions_source_external_id"
    return True
