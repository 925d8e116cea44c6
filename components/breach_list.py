"""The breaches list of the Service level page: one page of it at a time ("n–m of total", the
database counts and pages), its order, a CSV of the whole list, and a drill-down chosen by
interaction id.

The drill-down is a select box keyed on the interaction id, not a table row position: the list
refreshes (a new breach, a new cache window, another order) and the chosen interaction must stay
the chosen one — or, when it has left the shown rows, the choice is cleared and the page says so.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from components import cache_reports
from components.db import app_engine, database_errors
from components.journey_links import journey_link
from components.sl_panels import interaction_panel
from components.sl_tables import BREACH_SORTS, breach_csv, breach_table
from queries.breaches import PAGE_SIZE, breaches

OPEN_KEY = "sl_breach_open"
PAGE_KEY = "sl_breach_page"


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


def shown_range(offset: int, rows: int, total: int) -> str:
    """'101–200 of 1,234' (or 'none' when the list is empty)."""
    if total == 0 or rows == 0:
        return "none"
    return f"{offset + 1:,}–{offset + rows:,} of {total:,}"


def render_breaches(filters: dict[str, Any], *, tz: str, first: date, last: date) -> None:
    """Heading, order, page, CSV, the table, and the chosen interaction's drill-down.

    Args:
        filters: the Service level query filters (`ServiceLevelFilters.query`).
        tz: the centre's time zone (arrival column, drill-down times).
        first, last: the period's local dates (CSV file name).
    """
    heading = st.empty()
    st.caption(
        "Every contact of the period that counts as missed now: answered late, abandoned when the "
        "rule makes that a miss, closed without a reply after target, or still open past target. "
        f"{PAGE_SIZE} are shown at a time; the CSV holds the whole list. Choose one below the "
        "table to see the interaction and its conversation."
    )
    sort = st.radio(
        "Order",
        list(BREACH_SORTS),
        format_func=BREACH_SORTS.get,
        horizontal=True,
        key="sl_breach_sort",
        label_visibility="collapsed",
    )
    page_no = int(st.session_state.get(PAGE_KEY) or 1)
    with database_errors():
        page = cache_reports.breach_page(**filters, sort=sort, offset=(page_no - 1) * PAGE_SIZE)
        pages = max(1, math.ceil(page.total / PAGE_SIZE))
        if page_no > pages:  # the list got shorter (another filter): show its last page
            page_no = pages
            page = cache_reports.breach_page(**filters, sort=sort, offset=(page_no - 1) * PAGE_SIZE)
    heading.subheader(f"Breaches ({page.total:,})")
    table = breach_table(page.rows, tz=tz, sort=sort)
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    with left:
        st.number_input(
            f"Page (of {pages:,})",
            min_value=1,  # also the first value
            max_value=pages,
            step=1,
            key=PAGE_KEY,
            disabled=pages == 1,
        )
    with right:
        st.caption(f"Showing {shown_range(page.offset, len(table), page.total)}")
    file_name = f"breaches_{first:%Y%m%d}_{last:%Y%m%d}.csv"
    if page.total <= len(table):
        data: Any = breach_csv(table)  # the whole list is on screen
    else:
        # Made when the button is clicked (Streamlit runs it then), not on every rerun.
        def data() -> bytes:
            every = breaches(engine=app_engine(), **filters)
            return breach_csv(breach_table(every, tz=tz, sort=sort))

    st.download_button(
        "Download CSV",
        data=data,
        file_name=file_name,
        mime="text/csv",
        key="sl_breaches_csv",
        icon=":material/download:",
        disabled=table.empty,
    )
    st.dataframe(table, hide_index=True, key="sl_breaches_table")
    by_id = _labels(table, tz)
    previous = st.session_state.get(OPEN_KEY)
    if previous is not None and previous not in by_id:
        # Out of the rows shown since it was chosen (another period or channel, no longer a
        # miss, another page): clear the choice rather than show another interaction instead.
        st.session_state[OPEN_KEY] = None
        where = "this list" if pages == 1 else "this page of the list"
        st.info(f"Interaction #{previous} is no longer in {where}; the selection was cleared.")
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
        interaction_panel(detail, tz)
        journey_link(interaction_id=int(chosen))
