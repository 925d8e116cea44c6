"""The Settings tables as a reader reads them: labels for headers, option labels for codes
("Chat", "any priority", "24/7"), durations as "4 h", percentages as "80 %", "Yes"/"No",
"—" for empty and every time in the centre's zone with the zone named (analytics.time_text).

`record_table` builds the frame (pure: testable without Streamlit); `show_record_table` draws
it with its CSV download, which serves exactly what is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics.time_text import EMPTY, format_datetime
from components.exports import csv_download
from components.record_form import FieldSpec, clean_value
from components.theme import format_seconds

# Who changed a record last, after its own fields.
CHANGE_COLUMNS = {"version": "Version", "updated_at": "Changed", "updated_by": "Changed by"}


def yes_no(value: Any) -> str:
    """'Yes' / 'No' for a flag ('—' when unknown)."""
    value = clean_value(value)
    return EMPTY if value is None else ("Yes" if value else "No")


def cell_text(spec: FieldSpec, value: Any, tz: str) -> str:
    """One field's value as a reader reads it."""
    value = clean_value(value)
    if spec.kind == "select":
        if value in spec.option_labels:
            return spec.option_labels[value]
        return EMPTY if value is None else str(value)
    if value is None or value == "":
        return EMPTY
    if spec.kind == "bool":
        return yes_no(value)
    if spec.kind == "datetime":
        return format_datetime(value, tz)
    if spec.unit == "seconds":
        return format_seconds(float(value))
    if spec.unit == "%":
        return f"{float(value):g} %"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def record_table(
    frame: pd.DataFrame,
    fields: Iterable[FieldSpec],
    tz: str,
    extra: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """`frame`'s records as text under labelled headers: the `fields` in order, then `extra`
    (column -> header, e.g. `until`; times among them written in `tz`), then who changed each
    record last. Columns `frame` lacks are left out."""
    fields = list(fields)
    columns: dict[str, list[str]] = {}
    for spec in fields:
        if spec.name in frame.columns and spec.kind != "table":
            header = spec.column or spec.label
            columns[header] = [cell_text(spec, v, tz) for v in frame[spec.name]]
    for name, header in {**(extra or {}), **CHANGE_COLUMNS}.items():
        if name not in frame.columns:
            continue
        values = frame[name]
        if name in ("updated_at", "until") or pd.api.types.is_datetime64_any_dtype(values):
            columns[header] = [format_datetime(clean_value(v), tz) for v in values]
        else:
            columns[header] = [EMPTY if clean_value(v) is None else str(v) for v in values]
    return pd.DataFrame(columns, index=range(len(frame)))


def show_record_table(table: pd.DataFrame, *, key: str, file_name: str) -> None:
    """Draw a `record_table` (or any frame of text) with its CSV download."""
    if table.empty:
        st.info("None yet.", icon=":material/inbox:")
        return
    st.dataframe(table, hide_index=True, key=f"{key}_table")
    csv_download(table, key=f"{key}_csv", file_name=file_name)
