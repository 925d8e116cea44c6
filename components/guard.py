"""The one guard at the top of every page: page config, login restore, role check, sidebar."""

from __future__ import annotations

import streamlit as st

from components.auth import CurrentUser, logout, restore_login
from components.db import database_errors
from components.navigation import page_spec, render_sidebar

PAGE_ICON = ":material/support_agent:"


def configure_page(title: str) -> None:
    """Page config shared by the entry script and every page (each runs alone in pages mode)."""
    st.set_page_config(page_title=f"{title} · Floorlight", page_icon=PAGE_ICON, layout="wide")


def render_session_sidebar(authenticator, user: CurrentUser) -> None:
    """The user's navigation and the logout button."""
    render_sidebar(user.name, user.roles)
    if st.sidebar.button("Log out", key="sidebar_logout", icon=":material/logout:"):
        logout(authenticator)


def require_page(page_file: str) -> CurrentUser:
    """Let the run continue only for a logged-in user holding one of the page's roles.

    A logged-out visitor is sent to the login on app.py; a user without the role sees an access
    message and nothing else (also when the page was opened by its URL).
    """
    spec = page_spec(page_file)
    configure_page(spec.label)
    with database_errors():
        authenticator, user = restore_login()
    if user is None:
        st.switch_page("app.py")
    render_session_sidebar(authenticator, user)
    if not user.has_any(spec.roles):
        st.error(
            f"You don't have access to **{spec.label}**. It is for: "
            + ", ".join(sorted(r.replace("_", " ") for r in spec.roles))
            + ". Ask an admin if you need it.",
            icon=":material/block:",
        )
        st.stop()
    return user
