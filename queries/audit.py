"""The audit trail for the admin page: who did what to which record, newest first, and the
names of the records it refers to."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from db.schema import audit_log, metadata
from queries.frames import read_frame
from queries.writes import as_utc_naive

MAX_AUDIT_ROWS = 10_000


def list_audit(
    *,
    engine: Engine | Connection,
    start: datetime | None = None,
    end: datetime | None = None,
    username: str | None = None,
    table: str | None = None,
    action: str | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Audit rows with start <= at < end (UTC) and the given user/table/action, newest first.

    Columns: id, at, username, action, table_name, record_id, before, after (JSON text).
    `limit` is capped at MAX_AUDIT_ROWS so a page cannot ask for the whole history.
    """
    statement = select(audit_log)
    if start is not None:
        statement = statement.where(audit_log.c.at >= as_utc_naive(start))
    if end is not None:
        statement = statement.where(audit_log.c.at < as_utc_naive(end))
    if username:
        statement = statement.where(audit_log.c.username == username.strip().lower())
    if table:
        statement = statement.where(audit_log.c.table_name == table)
    if action:
        statement = statement.where(audit_log.c.action == action)
    bounded = max(1, min(int(limit), MAX_AUDIT_ROWS))
    # id breaks ties between rows written in the same microsecond (one transaction).
    statement = statement.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(bounded)
    return read_frame(engine=engine, statement=statement)


# The column that names a record of each table (the rest are named by their id).
NAME_COLUMNS: dict[str, str] = {
    "users": "username",
    "topics": "name",
    "scorecards": "name",
    "scorecard_criteria": "name",
    "stakeholders": "name",
    "review_rules": "name",
    "playbook_entries": "issue",
    "import_mappings": "name",
    "calibration_sessions": "name",
    "weekly_reports": "week",
    "sla_policies": "channel_id",
}


def record_names(
    *, engine: Engine | Connection, refs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """{(table name, record id): the record's name now} for the `refs` whose table has a
    NAME_COLUMNS entry and whose record still exists (one query per table)."""
    wanted: dict[str, set[int]] = {}
    for table_name, record_id in refs:
        if table_name in NAME_COLUMNS and str(record_id).isdigit():
            wanted.setdefault(table_name, set()).add(int(record_id))
    names: dict[tuple[str, str], str] = {}
    if not wanted:
        return names
    # A caller's connection is used as it is (and left open).
    with nullcontext(engine) if isinstance(engine, Connection) else engine.connect() as conn:
        for table_name, ids in wanted.items():
            table = metadata.tables[table_name]
            rows = conn.execute(
                select(table.c.id, table.c[NAME_COLUMNS[table_name]]).where(
                    table.c.id.in_(sorted(ids))
                )
            )
            names.update({(table_name, str(rid)): str(name) for rid, name in rows})
    return names


def action_counts(
    *, engine: Engine | Connection, start: datetime, end: datetime | None = None
) -> dict[str, int]:
    """{action: number of audit entries} with start <= at (< end, when given; UTC)."""
    statement = select(audit_log.c.action, func.count()).where(
        audit_log.c.at >= as_utc_naive(start)
    )
    if end is not None:
        statement = statement.where(audit_log.c.at < as_utc_naive(end))
    statement = statement.group_by(audit_log.c.action)
    with nullcontext(engine) if isinstance(engine, Connection) else engine.connect() as conn:
        return {action: int(n) for action, n in conn.execute(statement)}
