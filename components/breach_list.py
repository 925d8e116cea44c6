"""The breaches list of the Service level page: ordered table, CSV download, and a drill-down
chosen by interaction id.

The drill-down is a select box keyed on the interaction id, not a table row position: the list
refreshes (a new breach, a new cache window, another order) and the chosen interaction must stay
the chosen one — or, when it has left the list, the choice is cleared and the page says so.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import cache_reports
from components.db import database_errors
from components.journey_links import journey_link
from components.sl_panels import interaction_panel
from components.sl_tables import BREACH_SORTS, breach_csv, breach_table

OPEN_KEY = "sl_breach_open"


def _labels(table: pd.DataFrame, tz: str) -> dict[int, str]:
    """Interaction id -> its line in the select box (built per column: the list can be long)."""
    text = (
        "#"
        + table["ID"].astype(str)
        + " · "
        + table["Channel"]
        + " · "
        + table["Status"]
        + " · arrived "
        + table[f"Arrival ({tz})"]
    )
    return dict(zip(table["ID"].astype(int), text, strict=True))


def render_breaches(missed: pd.DataFrame, *, tz: str, first: date, last: date) -> None:
    """Heading, order, CSV, the table, and the chosen interaction's drill-down.

    Args:
        missed: `queries.breaches.breaches` rows of the period.
        tz: the centre's time zone (arrival column, drill-down times).
        first, last: the period's local dates (CSV file name).
    """
    st.subheader(f"Breaches ({len(missed):,})")
    st.caption(
        "Every contact of the period that counts as missed now: answered late, abandoned when the "
        "rule makes that a miss, closed without a reply after target, or still open past target. "
        "Choose one below the table to see the interaction and its conversation."
    )
    sort = st.radio(
        "Order",
        list(BREACH_SORTS),
        format_func=BREACH_SORTS.get,
        horizontal=True,
        key="sl_breach_sort",
        label_visibility="collapsed",
    )
    table = breach_table(missed, tz=tz, sort=sort)
    st.download_button(
        "Download CSV",
        data=breach_csv(table),
        file_name=f"breaches_{first:%Y%m%d}_{last:%Y%m%d}.csv",
        mime="text/csv",
        key="sl_breaches_csv",
        icon=":material/download:",
        disabled=table.empty,
    )
    st.dataframe(table, hide_index=True, key="sl_breaches_table")
    by_id = _labels(table, tz)
    previous = st.session_state.get(OPEN_KEY)
    if previous is not None and previous not in by_id:
        # Out of the list since it was chosen (another period or channel, no longer a miss):
        # clear the choice rather than show another interaction in its place.
        st.session_state[OPEN_KEY] = None
        st.info(f"Interaction #{previous} is no longer in this list; the selection was cleared.")
    chosen = st.selectbox(
        "Open a breach",
        options=list(by_id),
        index=None,
        format_func=by_id.get,
        placeholder="Choose a breach to see the interaction (type its id to find it)",
        key=OPEN_KEY,
        disabled=not by_id,
    )
    if chosen is not None:
        with database_errors():
            detail = cache_reports.interaction_detail(int(chosen), tz)
        interaction_panel(detail)
        journey_link(interaction_id=int(chosen))
