"""Floorlight entry: page config, the login form, and a home view that sends each role on."""

import streamlit as st

from components.auth import render_login_form, restore_login
from components.db import database_errors
from components.guard import configure_page, render_session_sidebar
from components.navigation import render_home

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
render_home(user.name, user.roles)
