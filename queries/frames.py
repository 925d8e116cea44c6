"""Run a Core select and hand back a DataFrame whose columns exist even when no row matched."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.sql import Select


def read_frame(*, engine: Engine | Connection, statement: Select[Any]) -> pd.DataFrame:
    """The rows of `statement` as a DataFrame (column names from the select, also when empty)."""
    if isinstance(engine, Connection):
        result = engine.execute(statement)
        return pd.DataFrame(result.all(), columns=list(result.keys()))
    with engine.connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.all(), columns=list(result.keys()))
