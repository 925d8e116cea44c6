"""Fast bulk inserts that store exactly what a plain `table.insert()` would, on both backends.

PostgreSQL gets `COPY ... FROM STDIN` in CSV form, streamed while it is being formatted
(2-3x faster than SQLAlchemy's batched multi-row INSERT on the interactions table, where most of
the remaining time is the server's index and foreign-key work); SQLite gets executemany in
batches with a larger page cache. Both run inside the caller's transaction, so a failed load
leaves nothing behind when the caller rolls back.

`copy_insert_ignoring_conflicts` is the importer's PostgreSQL path for rows some of which may be
stored already: the rows are COPYed into a temporary staging table, then moved by one
`INSERT ... SELECT ... ON CONFLICT DO NOTHING` (a multi-row INSERT with RETURNING spends most of
its time in per-row statement work; this spends it in the server's index maintenance).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, time
from itertools import islice
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.exc import DBAPIError

DEFAULT_BATCH_SIZE = 20_000
# Rows formatted at a time while a COPY streams: small enough that the server always has data
# queued in the socket while Python formats the next chunk.
COPY_CHUNK_ROWS = 500
# SQLite's default 2 MB page cache is soon outgrown by the indexes of a large table; during a
# load a bigger one (a ceiling: pages are allocated only as used, and freed when the load ends
# restores the old size) makes a million-row load 1.5-2x faster.
SQLITE_LOAD_CACHE_KIB = 1024 * 1024

Row = Mapping[str, Any]


def bulk_insert(
    conn: Connection,
    table: Table,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Insert `rows` (dicts keyed by column name) into `table`; returns the number inserted.

    Every row must carry the keys of the first row (as for executemany); columns missing from
    the first row get their Python-side scalar default or, failing that, their server default.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not conn.in_transaction():
        # COPY goes through the raw driver connection; begin explicitly so the caller's
        # commit() really commits it (autobegin only notices SQLAlchemy's own statements).
        conn.begin()
    postgresql = conn.dialect.name == "postgresql"
    insert_batch = _copy_batch if postgresql else _executemany_batch
    total = 0
    with nullcontext() if postgresql else _sqlite_load_cache(conn):
        for batch in _batches(rows, batch_size):
            _check_columns(table, batch[0])
            insert_batch(conn, table, batch)
            total += len(batch)
    return total


def reset_id_sequence(conn: Connection, table: Table, column: str = "id") -> None:
    """After rows were inserted with explicit ids, move PostgreSQL's sequence past them.

    SQLite needs nothing: its INTEGER PRIMARY KEY continues from the largest id in the table.
    """
    if conn.dialect.name != "postgresql":
        return
    next_id = select(func.coalesce(func.max(table.c[column]), 0) + 1).scalar_subquery()
    sequence = func.pg_get_serial_sequence(table.name, column)
    conn.execute(select(func.setval(sequence, next_id, False)))


def copy_insert_ignoring_conflicts(
    conn: Connection, table: Table, rows: list[Row], conflict_keys: list[str]
) -> int:
    """PostgreSQL: insert `rows` into `table`, skipping rows that clash on `conflict_keys`
    (a unique key of the table); returns how many were inserted.

    The rows are COPYed into a temporary table of just their columns (no constraints, dropped
    at commit), then moved with one INSERT ... SELECT ... ON CONFLICT (keys) DO NOTHING: only
    that key's clashes are skipped, every other constraint still fails the statement. Runs in
    the caller's transaction.
    """
    if not rows:
        return 0
    if conn.dialect.name != "postgresql":
        raise NotImplementedError("copy_insert_ignoring_conflicts needs PostgreSQL")
    _check_columns(table, rows[0])
    columns, _defaults = _copy_columns(table, rows[0])
    stage_name = f"{table.name}_import_stage"
    column_list = ", ".join(_quote_identifier(name) for name in columns)
    # Identifiers come from the Table definition, never from data (DDL takes no bound
    # parameters, and Core has no CREATE TABLE AS); the values travel as COPY data. CREATE
    # TABLE AS copies the column types only: no NOT NULL, no defaults (the id sequence is not
    # touched twice), no indexes. ON COMMIT DROP: a rolled-back or committed batch leaves no
    # staging table behind.
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {_quote_identifier(stage_name)} ON COMMIT DROP AS "
        f"SELECT {column_list} FROM {_quote_identifier(table.name)} WITH NO DATA"
    )
    stage = Table(stage_name, MetaData(), *(Column(name, table.c[name].type) for name in columns))
    _copy_batch(conn, stage, rows, defaults_from=table)
    moved = (
        postgresql_insert(table)
        .from_select(list(columns), select(*stage.c))
        .on_conflict_do_nothing(index_elements=list(conflict_keys))
    )
    return int(conn.execute(moved).rowcount)


@contextmanager
def _sqlite_load_cache(conn: Connection) -> Iterator[None]:
    # PRAGMA takes no bound parameters; both values are integers of our own.
    previous = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_LOAD_CACHE_KIB:d}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {previous:d}")


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _check_columns(table: Table, row: Row) -> None:
    # executemany would silently drop a misspelt key; refuse it on both backends alike.
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {sorted(unknown)}")


def _executemany_batch(conn: Connection, table: Table, batch: list[Row]) -> None:
    conn.execute(table.insert(), batch)


def _copy_batch(
    conn: Connection, table: Table, batch: list[Row], *, defaults_from: Table | None = None
) -> None:
    """COPY `batch` into `table`; missing columns take the scalar defaults of `defaults_from`
    (default: `table` itself)."""
    source = defaults_from if defaults_from is not None else table
    columns, defaults = _copy_columns(source, batch[0])
    chunks = (
        _csv_text(batch[start : start + COPY_CHUNK_ROWS], columns, defaults)
        for start in range(0, len(batch), COPY_CHUNK_ROWS)
    )
    column_list = ", ".join(_quote_identifier(name) for name in columns)
    # Identifiers come from the Table definition, never from data; values travel as COPY data.
    statement = f"COPY {_quote_identifier(table.name)} ({column_list}) FROM STDIN WITH (FORMAT csv)"
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.copy_expert(statement, _TextStream(chunks))
    except conn.dialect.loaded_dbapi.Error as exc:
        # The raw cursor bypasses SQLAlchemy: wrap the driver's error as SQLAlchemy would
        # (DataError, IntegrityError, ...), so callers catch one family of exceptions.
        raise DBAPIError.instance(
            statement, None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc
    finally:
        cursor.close()


class _TextStream(io.TextIOBase):
    """A read-only file over text chunks made on demand.

    The driver reads the COPY data piece by piece and sends each piece on, so the server
    ingests one chunk while Python formats the next: on two cores that hides most of the
    formatting time.
    """

    def __init__(self, chunks: Iterator[str]) -> None:
        super().__init__()
        self._chunks = chunks
        self._chunk = ""
        self._position = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if self._position >= len(self._chunk):
            self._chunk, self._position = next(self._chunks, ""), 0
        end = len(self._chunk) if size is None or size < 0 else self._position + size
        data = self._chunk[self._position : end]
        self._position += len(data)
        return data


def _copy_columns(table: Table, first_row: Row) -> tuple[list[str], dict[str, Any]]:
    """Column names to COPY, and the scalar defaults of those the rows leave out."""
    columns = list(first_row)
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.key in first_row or column.default is None:
            continue  # server defaults (sequences, current_timestamp) apply by omission
        if not column.default.is_scalar:
            raise ValueError(
                f"{table.name}.{column.key} has a computed default; pass it explicitly"
            )
        columns.append(column.key)
        defaults[column.key] = column.default.arg
    return columns, defaults


def _csv_text(batch: list[Row], columns: list[str], defaults: dict[str, Any]) -> str:
    """The batch as COPY CSV text, formatted a column at a time.

    A column's values share their type (NULLs aside) in practice, so each column is formatted
    by one comprehension with its type's formatter (text quoted inline, an all-NULL column
    not looked at twice); a column of mixed types falls back to choosing per value.
    """
    if defaults:
        batch = [{**defaults, **row} for row in batch]
    cells = [_csv_column([row[name] for row in batch]) for name in columns]
    lines = [",".join(line) for line in zip(*cells, strict=True)]
    lines.append("")  # COPY wants the last line terminated too
    return "\n".join(lines)


def _csv_column(values: list[Any]) -> list[str]:
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if not kinds:
        return [""] * len(values)
    if kinds == {str}:
        # Always quoted: an unquoted empty field is NULL in COPY's CSV format, a quoted one is ''.
        return ["" if v is None else '"' + v.replace('"', '""') + '"' for v in values]
    formatter = _FORMATTERS.get(kinds.pop()) if len(kinds) == 1 else None
    if formatter is not None:
        return ["" if v is None else formatter(v) for v in values]
    return [_csv_field(v) for v in values]


def _quote_text(value: str) -> str:
    # Always quoted: an unquoted empty field is NULL in COPY's CSV format, a quoted one is ''.
    return '"' + value.replace('"', '""') + '"'


def _format_datetime(value: datetime) -> str:
    if value.tzinfo is not None:
        # The schema stores naive UTC; an aware value means that instant in UTC.
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ")


def _format_float(value: float) -> str:
    # repr round-trips exactly; PostgreSQL spells the specials NaN / Infinity.
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


_FORMATTERS: dict[type, Callable[[Any], str]] = {
    str: _quote_text,
    int: str,
    float: _format_float,
    bool: lambda value: "t" if value else "f",
    datetime: _format_datetime,
    date: date.isoformat,
    time: time.isoformat,
}


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    formatter = _FORMATTERS.get(type(value))
    if formatter is not None:
        return formatter(value)
    return _csv_field_slow(value)


def _csv_field_slow(value: Any) -> str:
    """Subclasses and foreign scalars (numpy, Decimal) by their nearest Python type."""
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        return _csv_field(value.item())
    for kind, formatter in _FORMATTERS.items():
        if isinstance(value, kind):
            return formatter(value)
    if isinstance(value, bytes):
        raise TypeError("bulk_insert does not load binary values")
    return _quote_text(str(value))


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
