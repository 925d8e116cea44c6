"""The one exporter behind every download: frames to CSV bytes with formula cells neutralised.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (tab and carriage
return are stripped by some before they look), so a queue named `=HYPERLINK("http://…")` would
become a live link — or worse — in the supervisor's Excel. The OWASP rule: prefix such a text
cell with a single quote, which spreadsheets read as "this is text". Only text is touched: a
negative number stays a number. XLSX exports are to go through `neutralise_formulas` too.

Not defusedcsv: it wraps the csv module's writer (pandas formatting and XLSX can't use it),
leaves tab/CR alone and also rewrites `|` inside cells.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """`value` with a leading `'` if it is text that starts like a formula; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names cannot run as spreadsheet formulas."""
    safe = frame.copy()
    for column in safe.select_dtypes(include=["object", "string"]).columns:
        safe[column] = safe[column].map(neutralise_cell, na_action="ignore")
    safe.columns = [neutralise_cell(column) for column in safe.columns]
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as UTF-8 CSV (no index), formula cells neutralised: what every download serves.

    Rows end in CRLF (RFC 4180): the csv writer then quotes any cell holding a CR, which with
    pandas' default LF ending would be written bare and split the row in a spreadsheet.
    """
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
