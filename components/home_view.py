"""The home view: who you are, a summary of each of your roles' pages with a link to each,
and every page you can open with one line on what it is for.

A user with several roles sees each role's summary; a user with no role is told to ask an
admin. The summaries themselves are in components.home_summaries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import streamlit as st

from components import home_summaries
from components.navigation import ROLE_LABELS, ROLE_SUMMARIES, pages_for
from components.plain_text import markdown_text

# Role -> (heading, the summary drawn for a user of that username).
SUMMARIES: dict[str, tuple[str, Callable[[str], None]]] = {
    "supervisor": ("The floor today", lambda _user: home_summaries.floor_today()),
    "executive": (
        "Last week against the week before",
        lambda _user: home_summaries.weeks_compared(),
    ),
    "qa_reviewer": ("Your review queue", home_summaries.review_queue_summary),
    "admin": ("Changes and sign-ins", home_summaries.admin_overview),
}


def render_home(display_name: str, username: str, roles: Iterable[str]) -> None:
    """The landing view of a logged-in user (see the module docstring)."""
    roles = list(roles)
    st.title(f"Welcome, {markdown_text(display_name)}")
    pages = pages_for(roles)
    if not pages:
        st.warning("Your account has no role yet. Ask an admin to give you one.")
        return
    for role in roles:
        label = markdown_text(ROLE_LABELS.get(role, role))
        if role in SUMMARIES:
            heading, draw = SUMMARIES[role]
            with st.container(border=True, key=f"home_summary_{role}"):
                st.subheader(f"{label}: {heading}")
                draw(username)
        else:
            st.markdown(f"**{label}** — {ROLE_SUMMARIES.get(role, '')}")
    st.subheader("Pages you can open")
    for spec in pages:
        with st.container(key=f"home_page_{Path(spec.path).stem}"):
            st.page_link(spec.path, label=spec.label, icon=spec.icon)
            st.caption(spec.summary)
