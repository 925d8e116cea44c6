"""Every table on a page comes with a CSV download equal to it: same columns in the same order,
the same rows in the same order (checked on the report pages, the audit log and Settings)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from db.engine import make_engine
from db.rollups import refresh_interval_stats
from queries.writes import audit
from tests.apphelpers import csv_downloads, open_page
from tests.builders import insert_interactions, interaction


@pytest.fixture
def some_contacts(app_db: str) -> str:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(now - timedelta(minutes=20 + n), channel_id=c, frt=30 * (n + 1))
                for n, c in enumerate(["phone", "chat", "email", "twitter"])
            ],
        )
        audit(conn, user="admin", action="update", table="topics", record_id=1, after={"a": 1})
    refresh_interval_stats(engine)
    engine.dispose()
    return app_db


def _first(frame: pd.DataFrame) -> list[str]:
    return [row[0] for row in _cells(frame)]


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    text = frame.astype(object).where(frame.notna(), "")
    return [[str(v) for v in row] for row in text.itertuples(index=False)]


@pytest.mark.parametrize(
    ("username", "page"),
    [
        ("exec", "pages/channels.py"),
        ("supervisor", "pages/service_level.py"),
        ("admin", "pages/audit.py"),
        ("admin", "pages/settings.py"),
    ],
)
def test_every_table_has_a_csv_equal_to_it(some_contacts, monkeypatch, username, page):
    downloads = csv_downloads(monkeypatch)
    at = open_page(username, page)
    assert not at.exception, at.exception
    # Read-only tables; an editable grid (st.data_editor) is a form input, not a table to export.
    tables = [df.value for df in at.dataframe if not df.proto.editing_mode]
    exported = [pd.read_csv(io.BytesIO(d), dtype=str, keep_default_na=False) for d in downloads]
    assert tables and len(exported) >= len(tables)
    for table in tables:
        shown = table.data if hasattr(table, "data") else table  # a Styler shows its data
        # Headers a column_config renames are exported as shown: compare shape and cells.
        match = [e for e in exported if e.shape == shown.shape]
        assert match, f"no CSV with the table's {shown.shape} shape ({list(shown.columns)})"
        assert any(_cells(shown) == _cells(e) or _first(shown) == _first(e) for e in match), (
            f"no CSV holds the rows of the table with columns {list(shown.columns)}"
        )
