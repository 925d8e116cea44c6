"""The one path every form write takes: one transaction, optimistic locking, idempotency, audit.

Transactions: every function takes `engine` keyword-only. Given an `Engine`, it opens and commits
its own transaction (`engine.begin()`); given a `Connection`, it joins the caller's transaction
and the caller commits — that is how several writes (a scorecard and its criteria) succeed or
fail together. Either way the audit row is written in the same transaction as the change, so a
write that fails leaves no audit row and an audited change is never lost.

Optimistic locking: editable tables carry a `version` column. A form remembers the version it
showed; `update_record` changes the row only `WHERE id = :id AND version = :expected`, so of two
people who opened version 1 the first to save wins and the second gets `StaleWriteError` naming
who changed the record and when, with the current row to show — nothing is silently overwritten.
On PostgreSQL the row is also read `FOR UPDATE`, so a concurrent writer waits and then sees the
new version instead of racing.

Idempotency: tables with an `idempotency_key` column (qa_samples, qa_reviews) accept a key per
form submission; a second submit with the same key returns the first record instead of creating
another, including when the two submits race (`INSERT ... ON CONFLICT DO NOTHING`).

Audit: `before`/`after` are JSON summaries of the changed fields; secret columns (password
hashes) are always redacted, and secrets never leave this module in returned rows or errors.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from db.schema import audit_log

# Columns whose values never appear in audit summaries, returned rows or error payloads.
SECRET_COLUMNS: frozenset[str] = frozenset({"password_hash"})
REDACTED = "[redacted]"
# Long texts (reply bodies, templates) are cut in audit summaries; the record itself keeps them.
AUDIT_TEXT_LIMIT = 1000
# Sizes of audit_log columns; values longer than these would fail the insert on PostgreSQL.
_AUDIT_USERNAME_MAX = 64
_AUDIT_ACTION_MAX = 32
_AUDIT_RECORD_ID_MAX = 64
# Columns the write helpers own; callers never set them through `values`/`changes`.
_MANAGED_COLUMNS = frozenset({"version", "updated_at", "updated_by"})


class WriteError(Exception):
    """Base of the errors a form write can raise for the user to see."""


class ValidationError(WriteError):
    """Input that cannot be written; `field_errors` maps each bad field to a message."""

    def __init__(self, field_errors: Mapping[str, str]) -> None:
        self.field_errors: dict[str, str] = dict(field_errors)
        summary = "; ".join(f"{field}: {message}" for field, message in self.field_errors.items())
        super().__init__(f"Please correct the form — {summary}")


class StaleWriteError(WriteError):
    """Someone saved the record after this form read it; `current` is the record as it is now."""

    def __init__(
        self, current: dict[str, Any], changed_by: str | None, changed_at: datetime | None
    ) -> None:
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at
        who = changed_by or "another user"
        when = f" at {changed_at:%Y-%m-%d %H:%M:%S} UTC" if changed_at else ""
        super().__init__(
            f"This record was changed by {who}{when} after you opened it. Your changes were not "
            f"saved; the current version is shown — review it and apply your changes again."
        )


class NotFoundError(WriteError, LookupError):
    """The record does not exist (any more)."""

    def __init__(self, table: str, record_id: Any) -> None:
        self.table = table
        self.record_id = record_id
        super().__init__(f"{table} record {record_id} does not exist (it may have been deleted).")


def utcnow() -> datetime:
    """Now as a naive UTC datetime, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc_naive(moment: datetime) -> datetime:
    """`moment` as naive UTC: aware datetimes are converted, naive ones are taken as UTC already."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


@contextmanager
def transaction(engine: Engine | Connection) -> Iterator[Connection]:
    """A connection inside a transaction: a new one committed on exit, or the caller's own."""
    if isinstance(engine, Connection):
        if engine.in_transaction():
            # The caller owns the transaction and commits (or rolls back) all of it.
            yield engine
        else:
            with engine.begin():
                yield engine
    else:
        with engine.begin() as conn:
            yield conn


@contextmanager
def conflict_as(field_errors: Mapping[str, str] | None) -> Iterator[None]:
    """Report a unique-index violation in the block as `ValidationError(field_errors)`.

    Two admins saving the same name at once both pass the form's check; the unique index decides
    and the second sees the message the check would have shown. With None it propagates as is.
    """
    try:
        yield
    except IntegrityError as exc:
        if field_errors is None:
            raise
        raise ValidationError(field_errors) from exc


def public_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """`row` as a plain dict without secret columns (safe to return to a page)."""
    return {key: value for key, value in row.items() if key not in SECRET_COLUMNS}


def _summary_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, str) and len(value) > AUDIT_TEXT_LIMIT:
        return value[:AUDIT_TEXT_LIMIT] + "…"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_summary_value(item) for item in value]
    return str(value)


def summarise(fields: Mapping[str, Any] | None) -> str | None:
    """A JSON summary of `fields` for the audit log, secrets redacted; None for no fields."""
    if fields is None:
        return None
    return json.dumps(
        {
            key: REDACTED if key in SECRET_COLUMNS else _summary_value(value)
            for key, value in fields.items()
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def audit(
    conn: Connection,
    *,
    user: str,
    action: str,
    table: Table | str,
    record_id: Any = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Append one row to audit_log on `conn` — call it inside the transaction of the change."""
    conn.execute(
        insert(audit_log).values(
            at=utcnow(),
            # Login attempts are attributed to whatever username was typed; cut it to fit.
            username=(user or "?")[:_AUDIT_USERNAME_MAX],
            action=action[:_AUDIT_ACTION_MAX],
            table_name=table.name if isinstance(table, Table) else table,
            record_id=None if record_id is None else str(record_id)[:_AUDIT_RECORD_ID_MAX],
            before=summarise(before),
            after=summarise(after),
        )
    )


def upsert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT for `table`, which has `on_conflict_do_nothing/_do_update`.

    Both supported backends speak INSERT ... ON CONFLICT; it lets one atomic statement settle a
    race on a unique key instead of a read followed by a write.
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return pg_insert(table)
    if dialect == "sqlite":
        return sqlite_insert(table)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")  # pragma: no cover


def _id_column(table: Table):
    primary = list(table.primary_key.columns)
    if len(primary) != 1:
        raise ValueError(f"{table.name}: form writes need a single-column primary key")
    return primary[0]


def _check_columns(table: Table, values: Mapping[str, Any], *, what: str) -> None:
    unknown = set(values) - set(table.c.keys())
    if unknown:
        raise ValueError(f"{table.name}: unknown {what} {sorted(unknown)}")
    managed = set(values) & _MANAGED_COLUMNS
    if managed:
        raise ValueError(f"{table.name}: {sorted(managed)} are set by the write helpers")


def _check_interactions_exist(conn: Connection, table: Table, values: Mapping[str, Any]) -> None:
    """Refuse a reference to an interaction that does not exist.

    On PostgreSQL `interactions` is partitioned (migration 0013) and no foreign key can point at
    it, so this check is what refuses, say, a review of an unknown interaction there.
    """
    errors = {}
    for key in table.foreign_keys:
        column = key.parent.key
        target = key.column
        if target.table.name != "interactions" or values.get(column) is None:
            continue
        if conn.execute(select(target).where(target == values[column])).first() is None:
            errors[column] = f"there is no interaction {values[column]}"
    if errors:
        raise ValidationError(errors)


def fetch_record(
    conn: Connection, table: Table, record_id: Any, *, for_update: bool = False
) -> dict[str, Any] | None:
    """The full row of `table` with this primary key (secrets included — internal use only)."""
    statement = select(table).where(_id_column(table) == record_id)
    if for_update:
        # Row lock on PostgreSQL; SQLite ignores it (its single writer lock serialises writes).
        statement = statement.with_for_update()
    row = conn.execute(statement).mappings().first()
    return dict(row) if row is not None else None


def require_record(
    conn: Connection, table: Table, record_id: Any, *, for_update: bool = False
) -> dict[str, Any]:
    """The full row with this primary key, or NotFoundError (internal use: secrets included)."""
    row = fetch_record(conn, table, record_id, for_update=for_update)
    if row is None:
        raise NotFoundError(table.name, record_id)
    return row


def _stamp(table: Table, values: dict[str, Any], user: str) -> None:
    if "updated_at" in table.c:
        values["updated_at"] = utcnow()
    if "updated_by" in table.c:
        values["updated_by"] = user


def _stale(current: Mapping[str, Any]) -> StaleWriteError:
    return StaleWriteError(
        public_row(current), current.get("updated_by"), current.get("updated_at")
    )


def _guarded_write(
    conn: Connection, table: Table, record_id: Any, expected_version: int | None, statement: Any
) -> dict[str, Any]:
    """Run `statement` (an UPDATE or DELETE of `table`) on this row, if it is still at
    `expected_version` when the table is versioned; returns the row as it was before."""
    current = require_record(conn, table, record_id, for_update=True)
    condition = _id_column(table) == record_id
    if "version" in table.c:
        if current["version"] != expected_version:
            raise _stale(current)
        # The version guard in the WHERE clause is what makes this safe on every backend,
        # whatever happened since the read above (on SQLite the read takes no lock).
        condition = condition & (table.c.version == expected_version)
    if conn.execute(statement.where(condition)).rowcount != 1:
        raise _stale(require_record(conn, table, record_id))
    return current


def stored_by_key(conn: Connection, table: Table, idempotency_key: str | None) -> dict | None:
    """The row a submit with `idempotency_key` already stored in `table`, or None (also for no
    key): a repeated submit answers with it instead of writing again."""
    if idempotency_key is None:
        return None
    by_key = select(table).where(table.c.idempotency_key == idempotency_key)
    row = conn.execute(by_key).mappings().first()
    return dict(row) if row is not None else None


def insert_record(
    *,
    engine: Engine | Connection,
    table: Table,
    values: Mapping[str, Any],
    user: str,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Insert one row and audit it; with `idempotency_key`, a repeated submit returns the first row.

    Sets version = 1 and updated_at/updated_by where the table has them. Returns the stored row
    (secrets removed).
    """
    _check_columns(table, values, what="columns")
    row_values = dict(values)
    id_column = _id_column(table)
    if "version" in table.c:
        row_values["version"] = 1
    _stamp(table, row_values, user)
    if idempotency_key is not None:
        if "idempotency_key" not in table.c:
            raise ValueError(f"{table.name} has no idempotency_key column")
        row_values["idempotency_key"] = idempotency_key

    with transaction(engine) as conn:
        if idempotency_key is not None:
            existing = stored_by_key(conn, table, idempotency_key)
            if existing is not None:
                return public_row(existing)
        _check_interactions_exist(conn, table, row_values)
        if idempotency_key is not None:
            # A twin submit may commit between the check and the insert: let the unique key
            # decide without raising, so neither transaction is aborted.
            statement = upsert(conn, table).on_conflict_do_nothing(
                index_elements=["idempotency_key"]
            )
        else:
            statement = insert(table)
        inserted = conn.execute(statement.values(row_values).returning(id_column)).first()
        if inserted is None:
            return public_row(stored_by_key(conn, table, idempotency_key))
        record_id = inserted[0]
        stored = require_record(conn, table, record_id)  # just inserted in this transaction
        after = {key: stored[key] for key in row_values}
        audit(conn, user=user, action="insert", table=table, record_id=record_id, after=after)
        return public_row(stored)


def update_record(
    *,
    engine: Engine | Connection,
    table: Table,
    record_id: Any,
    expected_version: int,
    changes: Mapping[str, Any],
    user: str,
) -> dict[str, Any]:
    """Apply `changes` if the row is still at `expected_version`; bump the version; audit.

    Raises NotFoundError when the row is gone and StaleWriteError (with the current row, who
    changed it and when) when someone saved it first. Returns the updated row (secrets removed).
    An empty `changes` still bumps the version: the form was saved (e.g. only child rows changed).
    """
    if "version" not in table.c:
        raise ValueError(f"{table.name} has no version column; use update_child_record")
    return _update(engine, table, record_id, expected_version, changes, user)


def update_child_record(
    *,
    engine: Engine | Connection,
    table: Table,
    record_id: Any,
    changes: Mapping[str, Any],
    user: str,
) -> dict[str, Any]:
    """Update an unversioned child row (a scorecard criterion) and audit it if it changed.

    The parent's version guards its children: call this inside the transaction that bumped the
    parent with `update_record`, never on its own from a form.
    """
    return _update(engine, table, record_id, None, changes, user)


def _update(
    engine: Engine | Connection,
    table: Table,
    record_id: Any,
    expected_version: int | None,
    changes: Mapping[str, Any],
    user: str,
) -> dict[str, Any]:
    _check_columns(table, changes, what="columns")
    if _id_column(table).key in changes:
        raise ValueError("the primary key cannot be changed")
    versioned = "version" in table.c
    new_values: dict[str, Any] = dict(changes)
    _stamp(table, new_values, user)
    if versioned:
        new_values["version"] = table.c.version + 1
    with transaction(engine) as conn:
        _check_interactions_exist(conn, table, changes)
        statement = update(table).values(new_values)
        current = _guarded_write(conn, table, record_id, expected_version, statement)
        stored = require_record(conn, table, record_id)
        # Every save of a versioned record is audited (with its version); a child row's only
        # when something changed.
        keys = ["version"] if versioned else []
        keys += [key for key in changes if current[key] != stored[key]]
        if keys:
            audit(
                conn,
                user=user,
                action="update",
                table=table,
                record_id=record_id,
                before={key: current[key] for key in keys},
                after={key: stored[key] for key in keys},
            )
        return public_row(stored)


def delete_record(
    *,
    engine: Engine | Connection,
    table: Table,
    record_id: Any,
    expected_version: int | None,
    user: str,
) -> dict[str, Any]:
    """Delete one row and audit its last state; returns that state (secrets removed).

    Versioned tables require `expected_version` (a stale form cannot delete a record someone
    just edited); `None` is accepted only for unversioned child rows guarded by their parent.
    """
    if "version" in table.c and expected_version is None:
        raise ValueError(f"{table.name} is versioned: pass expected_version")
    with transaction(engine) as conn:
        current = _guarded_write(conn, table, record_id, expected_version, table.delete())
        audit(conn, user=user, action="delete", table=table, record_id=record_id, before=current)
        return public_row(current)
