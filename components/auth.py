"""Login, logout and the logged-in user: users from the database, a cookie that can be revoked.

streamlit-authenticator provides the cookie component that writes and deletes the re-login
cookie in the browser. Reading and checking the cookie is done here, not by the library: its
0.4.2 check lets a forged token (header `alg: none`, `HS512`, a missing claim) end in a traceback
and cannot be revoked. Our cookie is an HS256 JWT of the username, the user's `session_version`
and an expiry; it is accepted only while that version is still the user's current one, and
logout, disabling, a role change and a password reset move it on (queries.users). Anything else
(forged, expired, replayed after logout, a disabled or locked user) is a visitor who is not
logged in: the login form, never an error.

Every page run re-reads the user from the database, so an admin's change applies at the next
run. A fragment's tick (components.guard.require_fresh_access) checks against the user's row
shared by all of the user's sessions for one refresh window (components.session_check, which
states the bound: at most one refresh interval for a change made outside this process).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
import streamlit as st
import streamlit_authenticator as stauth

from components.db import app_engine
from components.session_check import shared_session_user
from db.settings import Settings, get_settings
from queries import login as login_q
from queries import users as users_q

MIN_COOKIE_KEY_BYTES = 32
# The session-state key of the session version this session logged in with.
SESSION_VERSION_KEY = "auth_session_version"
_AUTH_KEYS = ("authentication_status", "username", "name", "roles", "email", SESSION_VERSION_KEY)
_COOKIE_ALGORITHM = "HS256"
# Failed logins of clients without a known address (local development) share one counter.
UNKNOWN_CLIENT = "unknown"

logger = logging.getLogger(__name__)


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


def build_authenticator() -> stauth.Authenticate:
    """A new Authenticate on every run: it renders the cookie component that writes the cookie.

    It gets no credentials: the password check and the cookie check are ours (module docstring).
    """
    settings = get_settings()
    if len(settings.cookie_key.encode()) < MIN_COOKIE_KEY_BYTES:
        st.error(
            "Login is not configured: set `cookie_key` (32+ random characters) in "
            "`.streamlit/secrets.toml` or the FLOORLIGHT_COOKIE_KEY environment variable. "
            "`make run` creates one for the demo."
        )
        st.stop()
    return stauth.Authenticate(
        {"usernames": {}},
        cookie_name=settings.cookie_name,
        cookie_key=settings.cookie_key,
        cookie_expiry_days=settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=settings.login_sleep_seconds,
    )


def issue_cookie_token(username: str, session_version: int, settings: Settings) -> str:
    """The signed cookie value for a login of `username` at `session_version`."""
    expires = datetime.now(UTC) + timedelta(days=settings.cookie_expiry_days)
    claims = {"username": username, "sv": session_version, "exp": expires}
    return jwt.encode(claims, settings.cookie_key, algorithm=_COOKIE_ALGORITHM)


def read_cookie_token(token: str, settings: Settings) -> tuple[str, int] | None:
    """(username, session_version) of a cookie we signed and that has not expired; else None.

    Only HS256 with our key is accepted; the reason for a refusal is logged, never shown.
    """
    try:
        claims = jwt.decode(
            token,
            settings.cookie_key,
            algorithms=[_COOKIE_ALGORITHM],
            options={"require": ["exp", "username", "sv"]},
        )
    except jwt.PyJWTError as exc:
        logger.warning("Refused a login cookie: %s", exc)
        return None
    username, version = claims["username"], claims["sv"]
    if not isinstance(username, str) or type(version) is not int:
        logger.warning("Refused a login cookie: malformed claims")
        return None
    return username, version


def _claimed_login(settings: Settings) -> tuple[str, int] | None:
    """Who this session says it is: its own login, else the browser's cookie."""
    if st.session_state.get("authentication_status"):
        username = st.session_state.get("username")
        version = st.session_state.get(SESSION_VERSION_KEY)
        if isinstance(username, str) and isinstance(version, int):
            return username, version
        return None
    token = st.context.cookies.get(settings.cookie_name)
    return read_cookie_token(token, settings) if isinstance(token, str) and token else None


def current_user(*, shared: bool = False) -> CurrentUser | None:
    """The logged-in user if the session's login (or the cookie) is still valid, else None.

    A user since logged out, disabled, locked, given other roles or a new password is not logged
    in any more (and this session forgets it). Checked against the database on every call; with
    `shared` (a fragment's tick) against the user's row shared by the user's sessions for one
    refresh window instead (components.session_check: a refusal still reads the database).
    """
    claimed = _claimed_login(get_settings())
    if claimed is None:
        return None
    username, version = claimed
    now = _utcnow()
    if shared:
        user = shared_session_user(username, version, now)
    else:
        user = users_q.session_user(
            engine=app_engine(), username=username, session_version=version, now=now
        )
    if user is None:
        forget_login()
        return None
    _remember(user)
    return CurrentUser(user["username"], user["display_name"], tuple(user["roles"]))


def restore_login() -> tuple[stauth.Authenticate, CurrentUser | None]:
    """The authenticator of this run and the logged-in user (from session state or the cookie)."""
    authenticator = build_authenticator()
    return authenticator, current_user()


def _remember(user: dict) -> None:
    st.session_state.update(
        {
            "authentication_status": True,
            "username": user["username"],
            "name": user["display_name"],
            "roles": list(user["roles"]),
            "email": user.get("email"),
            SESSION_VERSION_KEY: user["session_version"],
        }
    )


def forget_login() -> None:
    """This session is no longer logged in (the browser's cookie is left to be refused)."""
    for key in _AUTH_KEYS:
        st.session_state[key] = None


def logout(authenticator: stauth.Authenticate, user: CurrentUser) -> None:
    """Log out: end every session of the user server-side, drop the cookie, back to the login."""
    users_q.end_sessions(engine=app_engine(), username=user.username)
    forget_login()
    # The cookie is dead server-side already; deleting it just keeps the browser tidy.
    authenticator.cookie_controller.delete_cookie()
    st.rerun()


def client_address() -> str:
    """The client's address as Streamlit sees it (the same for every local visitor)."""
    return st.context.ip_address or UNKNOWN_CLIENT


def render_login_form(authenticator: stauth.Authenticate) -> CurrentUser | None:
    """The login form; on success the session is logged in and the cookie set."""
    settings = get_settings()
    # Of no use while the database is down: the outage message instead, before anyone types.
    login_q.check_database(engine=app_engine())
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
            client=client_address(),
            now=_utcnow(),
            max_failed=settings.max_failed_logins,
            lockout_minutes=settings.lockout_minutes,
            max_failed_per_client=settings.max_failed_logins_per_client,
        )
        if not outcome.ok:
            st.error(outcome.message, icon=":material/lock:")
            return None
    placeholder.empty()
    user = users_q.get_user(engine=app_engine(), username=outcome.username)
    _remember(user)
    token = issue_cookie_token(user["username"], user["session_version"], settings)
    authenticator.cookie_controller.cookie_model.cookie_manager.set(
        settings.cookie_name,
        token,
        expires_at=datetime.now() + timedelta(days=settings.cookie_expiry_days),
    )
    return CurrentUser(user["username"], user["display_name"], tuple(user["roles"]))
