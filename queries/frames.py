"""Run a Core select and hand back a DataFrame whose columns exist even when no row matched.

Timestamps are kept inside the span pandas computes with (datetime64[ns], 1677-09-21 to
2262-04-11): the importer refuses times outside 1970..now + 1 day, but a row stored by other
means may hold year 1 or 9999, and one such row must not fail a page for every user. Such a
time is clipped to the edge of the span (a response in 9999 still reads as far too late).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, DateTime, Engine
from sqlalchemy.sql import Select

PANDAS_EARLIEST: datetime = pd.Timestamp.min.ceil("us").to_pydatetime()
PANDAS_LATEST: datetime = pd.Timestamp.max.floor("us").to_pydatetime()


def within_pandas_span(value: Any) -> Any:
    """A naive datetime clipped to [PANDAS_EARLIEST, PANDAS_LATEST]; anything else unchanged."""
    if not isinstance(value, datetime) or value.tzinfo is not None:
        return value
    return min(max(value, PANDAS_EARLIEST), PANDAS_LATEST)


def read_frame(*, engine: Engine | Connection, statement: Select[Any]) -> pd.DataFrame:
    """The rows of `statement` as a DataFrame (column names from the select, also when empty)."""
    if isinstance(engine, Connection):
        result = engine.execute(statement)
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    else:
        with engine.connect() as conn:
            result = conn.execute(statement)
            frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    for column in statement.selected_columns:
        if isinstance(column.type, DateTime) and column.key in frame:
            values = frame[column.key]
            if any(within_pandas_span(v) is not v for v in values):
                frame[column.key] = [within_pandas_span(v) for v in values]
    return frame


def concat_parts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts of one result read by several routes, stacked; an empty part adds nothing
    (pandas warns on concatenating empty frames), and with all of them empty the first one
    (its columns) is the result."""
    return pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
