"""Login, logout and the logged-in user, on streamlit-authenticator with users from the database.

The authenticator owns the re-login cookie and its session-state keys. The password check itself
goes through queries.users so that failed attempts and lockouts are stored in the database (a
restart does not reset them) and every login is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

from components.db import app_engine
from db.settings import get_settings
from queries import login as login_q
from queries import users as users_q

MIN_COOKIE_KEY_BYTES = 32
_AUTH_KEYS = ("authentication_status", "username", "name", "roles", "email")


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in user of this session, with roles as stored in the database right now."""

    username: str
    name: str
    roles: tuple[str, ...]

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(roles & set(self.roles))


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def build_authenticator(credentials: dict) -> stauth.Authenticate:
    """A new Authenticate on every run (it renders its cookie component and mutates credentials)."""
    settings = get_settings()
    if len(settings.cookie_key.encode()) < MIN_COOKIE_KEY_BYTES:
        st.error(
            "Login is not configured: set `cookie_key` (32+ random characters) in "
            "`.streamlit/secrets.toml` or the FLOORLIGHT_COOKIE_KEY environment variable. "
            "`make run` creates one for the demo."
        )
        st.stop()
    return stauth.Authenticate(
        credentials,
        cookie_name=settings.cookie_name,
        cookie_key=settings.cookie_key,
        cookie_expiry_days=settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=settings.login_sleep_seconds,
    )


def restore_login() -> tuple[stauth.Authenticate, CurrentUser | None]:
    """Restore the login from session state or the cookie: the user (DB roles) or None."""
    credentials = users_q.credentials_for_authenticator(engine=app_engine())
    authenticator = build_authenticator(credentials)
    try:
        authenticator.login(location="unrendered")
    except LoginError:
        # A cookie of a user since disabled or locked: treat as logged out.
        _clear_login(authenticator)
        return authenticator, None
    if not st.session_state.get("authentication_status"):
        return authenticator, None
    username = st.session_state.get("username")
    entry = credentials["usernames"].get(username)
    if entry is None:  # disabled, locked or deleted since this session logged in
        _clear_login(authenticator)
        return authenticator, None
    # Roles are re-read on every run, so an admin's change applies at once.
    st.session_state["roles"] = list(entry["roles"])
    return authenticator, CurrentUser(username, entry["name"], tuple(entry["roles"]))


def _clear_login(authenticator: stauth.Authenticate) -> None:
    authenticator.logout(location="unrendered")
    for key in _AUTH_KEYS:
        st.session_state[key] = None


def logout(authenticator: stauth.Authenticate) -> None:
    """Log out this session, drop the cookie and go back to the login form."""
    _clear_login(authenticator)
    st.rerun()


def render_login_form(authenticator: stauth.Authenticate) -> CurrentUser | None:
    """The login form; on success the session is logged in and the cookie set."""
    settings = get_settings()
    placeholder = st.empty()
    with placeholder.container():
        with st.form("login_form", enter_to_submit=True):
            st.subheader("Log in to Floorlight")
            username = st.text_input("Username", key="login_username", autocomplete="username")
            password = st.text_input(
                "Password", type="password", key="login_password", autocomplete="current-password"
            )
            submitted = st.form_submit_button("Log in", type="primary", key="login_submit")
        if not submitted:
            return None
        outcome = login_q.attempt_login(
            engine=app_engine(),
            username=username,
            password=password,
            now=_utcnow(),
            max_failed=settings.max_failed_logins,
            lockout_minutes=settings.lockout_minutes,
        )
        if not outcome.ok:
            st.error(outcome.message, icon=":material/lock:")
            return None
    placeholder.empty()
    user = users_q.get_user(engine=app_engine(), username=outcome.username)
    roles = list(user["roles"])
    st.session_state.update(
        {
            "authentication_status": True,
            "username": outcome.username,
            "name": user["display_name"],
            "roles": roles,
            "email": user.get("email"),
            "logout": None,
        }
    )
    authenticator.cookie_controller.set_cookie()
    return CurrentUser(outcome.username, user["display_name"], tuple(roles))
