"""The Users tab of Settings: create users, change roles, reset passwords, disable or unlock."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analytics.time_text import EMPTY, format_datetime
from components.admin_tables import show_record_table, yes_no
from components.navigation import ROLE_LABELS, ROLES
from components.plain_text import markdown_text
from components.record_form import show_field_errors, stale_message
from db.settings import get_settings
from queries import users as users_q
from queries.writes import StaleWriteError, ValidationError

LABELS = {
    "username": "Username",
    "display_name": "Display name",
    "email": "Email",
    "password": "Password",
    "roles": "Roles",
}
# The create form's widgets: emptied after a user is created, kept after a refusal.
NEW_USER_KEYS = (
    "users_new_username",
    "users_new_display_name",
    "users_new_email",
    "users_new_password",
    "users_new_roles",
)


def role_names(roles: str | list[str] | None) -> str:
    """'Supervisor, QA reviewer' for stored roles (a comma string or a list); '—' for none."""
    names = roles.split(",") if isinstance(roles, str) else list(roles or [])
    return ", ".join(ROLE_LABELS.get(r, r) for r in names if r) or EMPTY


def users_table(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    """The users as a reader reads them (no hash is ever in `frame`): roles by name, the lock
    and last change in local time with the zone, '—' for empty."""
    text = lambda v: EMPTY if v is None or pd.isna(v) or v == "" else str(v)  # noqa: E731
    return pd.DataFrame(
        {
            "Username": frame["username"],
            "Display name": frame["display_name"],
            "Email": [text(v) for v in frame["email"]],
            "Roles": [role_names(r) for r in frame["roles"]],
            "Disabled": [yes_no(v) for v in frame["disabled"]],
            "Failed sign-ins": frame["failed_logins"].astype(int),
            "Locked until": [format_datetime(v, tz) for v in frame["locked_until"]],
            "Changed": [format_datetime(v, tz) for v in frame["updated_at"]],
            "Changed by": [text(v) for v in frame["updated_by"]],
        }
    )


def _roles_input(key: str, current: list[str] | None = None) -> list[str]:
    return st.multiselect(
        "Roles",
        ROLES,
        default=current or [],
        format_func=ROLE_LABELS.get,
        key=key,
        help="A user sees only the pages of their roles; admin sees every page.",
    )


def _run(action, success: str, version_key: str | None = None, clear: tuple[str, ...] = ()) -> None:
    """Call a user write; show the outcome; keep the form's input on failure, empty the
    widgets `clear` after success (a password must not stay in the form)."""
    try:
        action()
    except ValidationError as error:
        show_field_errors(error, LABELS)
        return
    except StaleWriteError as error:
        message = stale_message(error, get_settings().timezone)
        st.warning(markdown_text(message), icon=":material/sync_problem:")
        if version_key:
            st.session_state[version_key] = error.current["version"]
        return
    if version_key:
        st.session_state.pop(version_key, None)
    for key in clear:
        st.session_state.pop(key, None)
    st.session_state["users_flash"] = success
    st.rerun()


def _create_form(engine: Any, actor: str) -> None:
    with st.form("users_create", clear_on_submit=False, enter_to_submit=True):
        st.markdown("**New user**")
        username = st.text_input(
            "Username",
            key="users_new_username",
            help="3–32 characters: a–z, 0–9, dot, dash, underscore.",
        )
        display_name = st.text_input("Display name", key="users_new_display_name")
        email = st.text_input("Email (optional)", key="users_new_email")
        password = st.text_input(
            "Password",
            type="password",
            key="users_new_password",
            help="At least 10 characters. Stored only as a bcrypt hash.",
        )
        roles = _roles_input("users_new_roles")
        submitted = st.form_submit_button("Create user", type="primary", key="users_new_submit")
    if submitted:
        _run(
            lambda: users_q.create_user(
                engine=engine,
                username=username,
                display_name=display_name,
                password=password,
                roles=roles,
                actor=actor,
                email=email or None,
            ),
            f"Created user {username.strip().lower()}.",
            clear=NEW_USER_KEYS,
        )


def _edit_forms(engine: Any, actor: str, user: dict[str, Any]) -> None:
    name = user["username"]
    version_key = f"users_version_{name}"
    st.session_state.setdefault(version_key, user["version"])

    def common() -> dict[str, Any]:
        return {
            "engine": engine,
            "username": name,
            "actor": actor,
            "expected_version": st.session_state[version_key],
        }

    with st.form(f"users_roles_{name}"):
        roles = _roles_input(f"users_roles_{name}_roles", user["roles"])
        if st.form_submit_button("Save roles", key=f"users_roles_{name}_submit"):
            _run(
                lambda: users_q.set_roles(roles=roles, **common()),
                f"Roles of {name} saved.",
                version_key,
            )
    with st.form(f"users_reset_{name}"):
        password = st.text_input("New password", type="password", key=f"users_reset_{name}_pw")
        if st.form_submit_button("Reset password", key=f"users_reset_{name}_submit"):
            _run(
                lambda: users_q.reset_password(password=password, **common()),
                f"Password of {name} reset.",
                version_key,
                clear=(f"users_reset_{name}_pw",),
            )
    left, right = st.columns(2)
    label = "Enable user" if user["disabled"] else "Disable user"
    if left.button(label, key=f"users_disable_{name}"):
        _run(
            lambda: users_q.set_disabled(disabled=not user["disabled"], **common()),
            f"{name} {'enabled' if user['disabled'] else 'disabled'}.",
            version_key,
        )
    if user.get("locked_until") is not None and right.button("Unlock", key=f"users_unlock_{name}"):
        _run(lambda: users_q.unlock_user(**common()), f"{name} unlocked.", version_key)


def users_tab(engine: Any, actor: str, tz: str) -> None:
    """List users (times in `tz`), create one, and edit the selected one."""
    if flash := st.session_state.pop("users_flash", None):
        st.success(markdown_text(flash), icon=":material/check_circle:")
    frame = users_q.list_users(engine=engine)
    show_record_table(users_table(frame, tz), key="users", file_name="users.csv")
    left, right = st.columns(2)
    with left:
        _create_form(engine, actor)
    with right:
        pick = st.selectbox(
            "User to edit",
            [None, *frame["username"]],
            key="users_pick",
            format_func=lambda u: "—" if u is None else u,
        )
        if pick is not None:
            user = users_q.get_user(engine=engine, username=pick)
            if user is None:
                st.warning(f"{markdown_text(pick)} no longer exists.")
            else:
                _edit_forms(engine, actor, user)
