"""Floorlight entry: page config, the login form, and the home view (a summary of each role's
pages, components.home_view)."""

import streamlit as st

from components.auth import render_login_form, restore_login
from components.db import database_errors
from components.guard import configure_page, render_session_sidebar
from components.home_view import render_home

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
with database_errors():
    render_home(user.name, user.username, user.roles)
