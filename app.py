"""Floorlight entry: page config, the login form, and a home view that sends each role on."""

import streamlit as st

from components.auth import render_login_form, restore_login
from components.db import database_errors
from components.guard import configure_page, render_session_sidebar
from components.navigation import ROLE_LABELS, pages_for
from components.plain_text import markdown_text

configure_page("Home")

with database_errors():
    authenticator, user = restore_login()
    if user is None:
        st.title("Floorlight")
        st.caption("The contact-centre floor, live — phone, chat, email and social.")
        user = render_login_form(authenticator)
if user is None:
    st.stop()

render_session_sidebar(authenticator, user)
st.title(f"Welcome, {markdown_text(user.name)}")
pages = pages_for(user.roles)
if not pages:
    st.warning("Your account has no role yet. Ask an admin to give you one.")
    st.stop()
st.write("Roles: " + markdown_text(", ".join(ROLE_LABELS.get(r, r) for r in user.roles)))
first = pages[0]
if st.button(f"Open {first.label}", type="primary", key="home_open_first", icon=first.icon):
    st.switch_page(first.path)
for spec in pages:
    st.page_link(spec.path, label=spec.label, icon=spec.icon)
