"""One picker for the QA forms: a select box over the rows of a frame, by id, that returns the
chosen row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st


def pick_row(
    frame: pd.DataFrame,
    id_column: str,
    *,
    label: str,
    key: str,
    describe: Callable[[dict[str, Any]], str],
    order: Sequence[int] | None = None,
) -> dict[str, Any] | None:
    """A select box of `frame`'s rows (labelled by `describe(row)`, in `order` of ids if given);
    the chosen row, or None when the frame is empty."""
    rows = {int(row[id_column]): row for row in frame.to_dict("records")}
    if not rows:
        return None
    chosen = st.selectbox(
        label,
        list(order) if order is not None else list(rows),
        key=key,
        format_func=lambda row_id: describe(rows[row_id]),
    )
    return rows.get(chosen)
