"""The Users tab of Settings: create users, change roles, reset passwords, disable or unlock."""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.exports import csv_download
from components.navigation import ROLE_LABELS, ROLES
from components.plain_text import markdown_text
from components.record_form import show_field_errors
from queries import users as users_q
from queries.writes import StaleWriteError, ValidationError

LABELS = {
    "username": "Username",
    "display_name": "Display name",
    "email": "Email",
    "password": "Password",
    "roles": "Roles",
}


def _roles_input(key: str, current: list[str] | None = None) -> list[str]:
    return st.multiselect(
        "Roles",
        ROLES,
        default=current or [],
        format_func=ROLE_LABELS.get,
        key=key,
        help="A user sees only the pages of their roles; admin sees every page.",
    )


def _run(action, success: str, version_key: str | None = None) -> None:
    """Call a user write; show the outcome; keep the form's input on failure."""
    try:
        action()
    except ValidationError as error:
        show_field_errors(error, LABELS)
        return
    except StaleWriteError as error:
        st.warning(markdown_text(error), icon=":material/sync_problem:")
        if version_key:
            st.session_state[version_key] = error.current["version"]
        return
    if version_key:
        st.session_state.pop(version_key, None)
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
    with st.form(f"users_reset_{name}", clear_on_submit=True):
        password = st.text_input("New password", type="password", key=f"users_reset_{name}_pw")
        if st.form_submit_button("Reset password", key=f"users_reset_{name}_submit"):
            _run(
                lambda: users_q.reset_password(password=password, **common()),
                f"Password of {name} reset.",
                version_key,
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


def users_tab(engine: Any, actor: str) -> None:
    """List users, create one, and edit the selected one."""
    if flash := st.session_state.pop("users_flash", None):
        st.success(markdown_text(flash), icon=":material/check_circle:")
    frame = users_q.list_users(engine=engine)
    shown = [
        c
        for c in (
            "username",
            "display_name",
            "email",
            "roles",
            "disabled",
            "failed_logins",
            "locked_until",
            "updated_at",
            "updated_by",
        )
        if c in frame.columns
    ]
    st.dataframe(frame[shown], hide_index=True, key="users_table")
    csv_download(frame[shown], key="users_csv", file_name="users.csv")
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
