"""The audit trail for the admin page: who did what to which record, newest first."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.schema import audit_log
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
