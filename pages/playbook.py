"""Playbook: approved responses, escalation and stakeholders per topic (every role reads; an
admin edits them in Settings)."""

import streamlit as st

from components import cache_replies
from components.db import database_errors
from components.guard import require_page
from components.playbook_view import render_playbook

require_page(__file__)
st.title("Playbook")
st.caption(
    "Approved responses per issue, when to escalate and whom inside the company to tell. "
    "Admins edit the playbook and stakeholders in Settings."
)
with database_errors():
    entries, people = cache_replies.playbook()
render_playbook(entries, people)
