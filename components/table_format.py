"""Number formats for st.dataframe: counts with thousands separators, rates with one decimal.

Tables keep their numbers numeric (sortable, exact in the CSV); only the display is formatted.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st


def number_formats(table: pd.DataFrame) -> dict[str, Any]:
    """A `column_config` for `table`: integer columns as "15,652", other numbers as "34.3"."""
    formats: dict[str, Any] = {}
    for name in table.columns:
        dtype = table[name].dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            continue
        whole = pd.api.types.is_integer_dtype(dtype)
        formats[name] = st.column_config.NumberColumn(format="localized" if whole else "%.1f")
    return formats
