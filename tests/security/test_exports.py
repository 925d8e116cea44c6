"""Issue 9.16: every CSV export neutralises cells a spreadsheet would run as formulas.

OWASP's rule: a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading
single quote. The CSVs are read back with the csv module, cell by cell, as a spreadsheet would.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from components.exports import csv_bytes
from components.sl_tables import breach_csv, breach_table
from db.engine import make_engine
from db.rollups import refresh_interval_stats
from tests.apphelpers import csv_downloads, open_page
from tests.builders import insert_interactions, interaction

HYPERLINK = '=HYPERLINK("http://127.0.0.1:9","x")'


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_text_cells_that_start_like_formulas_get_a_leading_quote():
    frame = pd.DataFrame(
        {
            "name": [HYPERLINK, "+1 call", "-x", "@SUM(A1)", "\tcmd", "\rcmd", "plain", None],
            "count": [-5, 3, 0, -1, 2, 7, 1, 4],
            "share": [-0.5, 1.25, np.nan, 0.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    rows = _cells(csv_bytes(frame))
    assert rows[0] == ["name", "count", "share"]
    assert [r[0] for r in rows[1:]] == [
        "'" + HYPERLINK,
        "'+1 call",
        "'-x",
        "'@SUM(A1)",
        "'\tcmd",
        "'\rcmd",
        "plain",
        "",
    ]
    # Numbers stay numbers: a negative count or share is not text and is left alone.
    assert [r[1] for r in rows[1:]] == ["-5", "3", "0", "-1", "2", "7", "1", "4"]
    assert [r[2] for r in rows[1:]] == ["-0.5", "1.25", "", "0.0", "2.0", "3.0", "4.0", "5.0"]
    assert frame["name"][0] == HYPERLINK  # the caller's frame is not changed


def test_column_names_and_pandas_string_columns_are_neutralised_too():
    frame = pd.DataFrame({"=cmd": pd.array(["-1", "ok", pd.NA], dtype="string")})
    assert _cells(csv_bytes(frame)) == [["'=cmd"], ["'-1"], ["ok"], [""]]


def _breaches() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2],
            "channel_id": ["chat", "chat"],
            "channel": ["Chat", "+Chat"],
            "queue": [HYPERLINK, "general"],
            "agent": ["@ann", None],
            "status": ["Answered late", "Open, past target"],
            "arrival_local": pd.to_datetime(["2026-11-26 10:00", "2026-11-26 11:00"]),
            "value_seconds": [61.0, 90.0],
            "target_seconds": [60, 60],
            "missed_by_seconds": [1.0, 30.0],
        }
    )


def test_the_breach_csv_neutralises_a_hyperlink_queue():
    rows = _cells(breach_csv(breach_table(_breaches(), tz="UTC", sort="newest")))
    header, newest, older = rows
    by_column = dict(zip(header, older, strict=True))
    assert by_column["Queue"] == "'" + HYPERLINK
    assert by_column["Agent"] == "'@ann"
    assert by_column["Missed by (s)"] == "1"  # numbers untouched
    assert dict(zip(header, newest, strict=True))["Channel"] == "'+Chat"


def test_the_service_level_page_serves_the_neutralised_csv(app_db, monkeypatch):
    """The page's own download (the only st.download_button in the app), from a stored queue."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = make_engine(app_db)
    with engine.begin() as conn:
        late = interaction(now - timedelta(minutes=30), frt=600, queue=HYPERLINK)
        insert_interactions(conn, [late])
    refresh_interval_stats(engine)
    engine.dispose()
    downloads = csv_downloads(monkeypatch)
    at = open_page("supervisor", "pages/service_level.py")
    assert not at.exception
    header, row = _cells(downloads[-1])
    assert dict(zip(header, row, strict=True))["Queue"] == "'" + HYPERLINK
