"""Wallboard mode of the Floor: a toggle (or `?wallboard=1` in the address) that hides the
sidebar and draws the figures in large type for a TV across the room. Outside wallboard mode
the Floor is still fitted to one screen: narrower page margins, so the channel cards and the
alerts sit above the fold at 1440×900.

The toggle and the query parameter stay in step, so a wallboard URL can be bookmarked on the
TV and the toggle turns it off again. The style is fixed CSS: no data ever goes into it.
"""

from __future__ import annotations

import streamlit as st

QUERY_PARAM = "wallboard"
WALLBOARD_HELP = (
    "Large type, no sidebar, the per-channel figures above the fold and the alerts as counts "
    "(details on demand), for a screen across the room. Bookmark the page with ?wallboard=1 to "
    "open it this way."
)
# Streamlit's own test ids of the sidebar, its open button and the page header. Every rule
# applies only while the toggle (the element classed st-key-<its key>) is checked: a rerun can
# leave the style element of the previous mode on the page for a while, and the sidebar must
# come back the moment wallboard mode is switched off.
WALLBOARD_CSS = """
<style>
ON [data-testid="stSidebar"], ON [data-testid="stSidebarCollapsedControl"],
ON [data-testid="stExpandSidebarButton"], ON [data-testid="stHeader"] { display: none !important; }
ON .block-container, ON [data-testid="stMainBlockContainer"] {
  padding-top: 0.5rem !important; max-width: 100% !important;
}
ON [data-testid="stMetricValue"] { font-size: 3.2rem !important; line-height: 1.1; }
ON [data-testid="stMetricLabel"] p { font-size: 1.25rem !important; }
ON [data-testid="stMetricDelta"] { font-size: 1.15rem !important; }
ON h1 { font-size: 2rem !important; padding: 0 !important; }
ON h3 { font-size: 1.8rem !important; }
</style>
"""
# While a refresh runs, Streamlit fades the figures it is about to redraw ("stale"). On a page
# that refreshes itself every few seconds that reads as the page greying out: keep them solid
# (the "As of" time says how fresh the figures are).
KEEP_SOLID_CSS = """
<style>
[data-testid="stMain"] [data-stale="true"] { opacity: 1 !important; transition: none !important; }
</style>
"""


# Streamlit's default margins (6rem on top, 5rem at the sides) cost a row of channel cards.
FLOOR_CSS = """
<style>
.block-container, [data-testid="stMainBlockContainer"] {
  padding-top: 2.5rem !important; padding-left: 2rem !important; padding-right: 2rem !important;
}
</style>
"""


def _sync_query_param(key: str) -> None:
    """Write the toggle's state into the address (so a reload keeps it)."""
    if st.session_state[key]:
        st.query_params[QUERY_PARAM] = "1"
    else:
        st.query_params.pop(QUERY_PARAM, None)


def wallboard_toggle(key: str) -> bool:
    """The wallboard toggle, starting from the `?wallboard=1` query parameter; when on, the
    sidebar is hidden and the type enlarged (else the page margins are narrowed). Returns
    whether wallboard mode is on."""
    # The address gives the default (the widget's own, not one written into session state: under
    # load the browser could report the toggle off before it had drawn it on, and the change
    # callback then dropped ?wallboard=1).
    on = st.toggle(
        "Wallboard",
        value=st.query_params.get(QUERY_PARAM) == "1",
        key=key,
        help=WALLBOARD_HELP,
        on_change=_sync_query_param,
        args=(key,),
    )
    only_while_on = WALLBOARD_CSS.replace("ON ", f"body:has(.st-key-{key} input:checked) ")
    st.html((only_while_on if on else FLOOR_CSS) + KEEP_SOLID_CSS)
    return on
