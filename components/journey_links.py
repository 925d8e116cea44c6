"""Links into the Customer journey page, shared by every drill-down: `?customer=ID` opens that
customer's journey, `?interaction=ID` the journey of whoever sent that interaction."""

from __future__ import annotations

import streamlit as st

JOURNEY_PAGE = "pages/customer_journey.py"


def journey_link(*, interaction_id: int | None = None, customer_id: int | None = None) -> None:
    """A link to the journey of the customer (by id) or of the sender of an interaction."""
    if customer_id is not None:
        params, label = {"customer": str(int(customer_id))}, f"Customer journey of #{customer_id}"
    elif interaction_id is not None:
        params = {"interaction": str(int(interaction_id))}
        label = f"Customer journey (interaction #{interaction_id})"
    else:
        return
    st.page_link(JOURNEY_PAGE, label=label, icon=":material/route:", query_params=params)
