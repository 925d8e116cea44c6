"""The guards: the one at the top of every page, and the one every fragment run calls first.

A page's full run restores the login, checks the role and draws the sidebar (`require_page`).
A self-refreshing fragment (`st.fragment(run_every=...)`) re-runs alone, without the page's top,
so it calls `require_fresh_access` first: a user logged out, disabled, locked or demoted since
the page loaded gets no more data from the next tick on when the change was made through this
app process, and at most one refresh interval after it when made elsewhere (the check shares
one database lookup per user and refresh window between all of the user's sessions:
components.session_check).
"""

from __future__ import annotations

import streamlit as st

from components.auth import CurrentUser, current_user, logout, restore_login
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
        logout(authenticator, user)


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


def require_fresh_access(page_file: str) -> CurrentUser:
    """The first call of every fragment: re-check the login and the page's role.

    Against the user's row as read once per refresh window for all of the user's sessions (at
    most one refresh interval old; a change made through this process is seen at once). When
    the login or the role is gone the whole page reruns, and its `require_page` (which reads the
    database) shows the login or the access message instead of the page.
    """
    spec = page_spec(page_file)
    with database_errors():
        user = current_user(shared=True)
    if user is None or not user.has_any(spec.roles):
        st.rerun(scope="app")
    return user
