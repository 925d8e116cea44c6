"""Which monthly partitions of interactions the pages' SL queries read (PostgreSQL EXPLAIN).

    python -m bench.partition_pruning [--url postgresql+psycopg2://...]   (default: db_url)

Runs the Service level report's queries for today, the last 7 days and a week of the previous
month, as the pages do, captures every statement that reads interactions, and prints for each
the partitions in its plan (EXPLAIN, not run) and the call's time. With pruning, a period reads
only its months' partitions; statements without a created_at range (the rollup's "changed
since" check) read each partition's small updated_at index.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event

from db.engine import make_engine
from db.settings import get_settings
from queries.service_level import frt_values, service_level_counts

_PARTITION = re.compile(r"\binteractions_(?:y\d{4}m\d{2}|default)\b")


def _statements(engine: Engine, call: Callable[[], Any]) -> tuple[float, list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "interactions" in statement and statement.lstrip().upper().startswith(
            ("SELECT", "WITH")
        ):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    started = time.perf_counter()
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return time.perf_counter() - started, seen


def _partitions(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute("EXPLAIN " + statement, parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted(set(_PARTITION.findall(plan)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=get_settings().db_url)
    args = parser.parse_args()
    engine = make_engine(args.url)
    if engine.dialect.name != "postgresql":
        raise SystemExit("interactions is partitioned on PostgreSQL only")
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    today = now.replace(hour=0, minute=0, second=0)
    last_month = today.replace(day=1) - timedelta(days=14)
    periods = {
        "today": (today, today + timedelta(days=1)),
        "last 7 days": (today - timedelta(days=6), today + timedelta(days=1)),
        "a week last month": (last_month, last_month + timedelta(days=7)),
    }
    for label, (start, end) in periods.items():
        window = {"start": start, "end": end, "group_by": "channel", "now": now}
        calls = {
            "service level (raw rows)": lambda w=window: service_level_counts(
                engine=engine, tz="UTC", granularity="day", source="raw", **w
            ),
            "service level (auto)": lambda w=window: service_level_counts(
                engine=engine, tz="UTC", granularity="day", **w
            ),
            "FRT values": lambda w=window: frt_values(engine=engine, **w),
        }
        for name, call in calls.items():
            seconds, statements = _statements(engine, call)
            read = [", ".join(_partitions(engine, s, p)) or "(none)" for s, p in statements]
            print(f"{label:18} {name:26} {seconds * 1000:7.0f} ms  " + " | ".join(read))


if __name__ == "__main__":
    main()
