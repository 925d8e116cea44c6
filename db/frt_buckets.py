"""The FRT histogram bucket of `analytics.percentiles` as SQL, so the rollup refresh and the raw
aggregates bucket FRTs in the database exactly as `analytics.percentiles.bucket_of` does in
numpy (bucket k: EDGES[k-1] ≤ seconds < EDGES[k]; 0 below the first edge).

A balanced nested CASE: about eight comparisons a row for the ~165 buckets, on both backends
(SQLite has no log function to compute it directly, and a join against an edges table costs a
comparison per edge).
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, case, literal
from sqlalchemy.sql.expression import ColumnElement

from analytics.percentiles import EDGES


def _between(seconds: ColumnElement, low: int, high: int) -> ColumnElement:
    """Bucket of `seconds` known to lie in buckets [low, high]."""
    if low == high:
        return literal(low, Integer)
    middle = (low + high + 1) // 2  # first bucket of the upper half; its lower edge:
    return case(
        (seconds < literal(EDGES[middle - 1], Float), _between(seconds, low, middle - 1)),
        else_=_between(seconds, middle, high),
    )


def frt_bucket_expr(seconds: ColumnElement) -> ColumnElement:
    """SQL for the histogram bucket (an integer) of an FRT in seconds."""
    return _between(seconds, 0, len(EDGES))
