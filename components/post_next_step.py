"""The next step for a negative public post on the Floor: the playbook entry for its topic, whom
inside the company to tell, and the way to the customer's other contacts.

A supervisor who opens a complaint should not have to go looking for what to do with it: the
approved wording and the escalation route come with the post, and an empty playbook for the
topic is said plainly (so someone adds an entry) rather than shown as nothing.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.journey_links import journey_link
from components.plain_text import markdown_text

NO_TOPIC = (
    "This post has no topic yet, so no playbook entry or stakeholder matches it. The Playbook "
    "page lists every entry."
)


def _entry(entry: pd.Series) -> None:
    """One playbook entry: its issue, approved response, escalation and channel advice."""
    with st.container(border=True):
        st.markdown(f"**{markdown_text(entry['issue'])}**")
        st.markdown(f"Approved response: {markdown_text(entry['response_template'])}")
        if entry["escalation"]:
            st.markdown(f"Escalation: {markdown_text(entry['escalation'])}")
        if entry["move_to_private"]:
            st.caption("Move the conversation to private messages.")


def render_next_step(
    *,
    topic: str | None,
    interaction_id: int,
    playbook: pd.DataFrame,
    stakeholders: pd.DataFrame,
) -> None:
    """The post's next step. playbook: queries.topic_people.topic_playbook of `topic` (its
    entries, then those for any topic); stakeholders: topic_stakeholders of `topic` (its
    people, then those told about every topic)."""
    st.markdown("**Next step**")
    if not topic:
        st.info(NO_TOPIC, icon=":material/help:")
    else:
        mine = playbook[playbook["topic"] == topic]
        shown = markdown_text(topic)
        if mine.empty:
            st.warning(
                f"No playbook entry for the topic **{shown}**. An admin adds one in "
                "Settings → Playbook; until then, answer with care and tell the people below.",
                icon=":material/menu_book:",
            )
        for _, entry in mine.iterrows():
            _entry(entry)
        general = playbook[playbook["topic"].isna()]
        if len(general):
            with st.expander(f"Playbook entries for any topic ({len(general)})"):
                for _, entry in general.iterrows():
                    _entry(entry)
        st.markdown(f"Whom to tell about **{shown}**:")
        if stakeholders.empty:
            st.caption("No stakeholders for this topic. An admin adds them in Settings.")
        for person in stakeholders.itertuples():
            scope = "" if person.topic else " — told about every topic"
            st.markdown(
                f"- {markdown_text(person.name)} ({markdown_text(person.role or 'no role')}), "
                f"{markdown_text(person.email)}{scope}"
            )
    journey_link(interaction_id=interaction_id)
