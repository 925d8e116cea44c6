"""Portable SQL expressions whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import DateTime, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

INTERVAL_SECONDS = 900


class seconds_between(FunctionElement):  # noqa: N801 - reads as a SQL function
    """Seconds from `start` to `end` (float); NULL when either is NULL."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)

    # Whole seconds as exact integers plus the millisecond fraction: julianday() arithmetic
    # drifts by microseconds, which would flip "exactly at target" contacts to misses.
    def whole(ts: str) -> str:
        return f"CAST(strftime('%s', {ts}) AS INTEGER)"

    def fraction(ts: str) -> str:
        return f"(strftime('%f', {ts}) - strftime('%S', {ts}))"

    return f"(({whole(end)} - {whole(start)}) + ROUND({fraction(end)} - {fraction(start)}, 3))"


@compiles(seconds_between)
def _seconds_between_pg(element, compiler, **kw) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


class bucket_15m(FunctionElement):  # noqa: N801
    """The start of the 15-minute UTC interval containing a timestamp."""

    type = DateTime()
    inherit_cache = True
    name = "bucket_15m"


@compiles(bucket_15m, "sqlite")
def _bucket_sqlite(element, compiler, **kw) -> str:
    (ts,) = (compiler.process(arg, **kw) for arg in element.clauses)
    # Same text shape SQLAlchemy writes for DateTime, so range comparisons stay lexical-safe.
    return (
        f"(strftime('%Y-%m-%d %H:%M:%S', (CAST(strftime('%s', {ts}) AS INTEGER) / 900) * 900, "
        "'unixepoch') || '.000000')"
    )


@compiles(bucket_15m)
def _bucket_pg(element, compiler, **kw) -> str:
    (ts,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date_bin(INTERVAL '15 minutes', {ts}, TIMESTAMP '2000-01-01')"
