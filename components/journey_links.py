"""Links into the Customer journey page, shared by every drill-down: `?customer=ID` opens that
customer's journey, `?interaction=ID` the journey of whoever sent that interaction."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

JOURNEY_PAGE = "pages/customer_journey.py"


def link_to_page(page: str, *, label: str, icon: str, params: dict[str, str]) -> None:
    """`st.page_link` to a page of the app with query parameters. Rendered on its own (a
    component tested without the app's pages) it falls back to a plain relative link, which is
    the URL the page has in the app. `label` is markdown: escape data in it."""
    try:
        st.page_link(page, label=label, icon=icon, query_params=params)
    except StreamlitPageNotFoundError:
        st.markdown(f"{icon} [{label}](./{Path(page).stem}?{urlencode(params)})")


def journey_link(*, interaction_id: int | None = None, customer_id: int | None = None) -> None:
    """A link to the journey of the customer (by id) or of the sender of an interaction."""
    if customer_id is not None:
        params, label = {"customer": str(int(customer_id))}, f"Customer journey of #{customer_id}"
    elif interaction_id is not None:
        params = {"interaction": str(int(interaction_id))}
        label = f"Customer journey (interaction #{interaction_id})"
    else:
        return
    link_to_page(JOURNEY_PAGE, label=label, icon=":material/route:", params=params)
