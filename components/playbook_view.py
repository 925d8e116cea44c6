"""The Playbook page's content: approved responses and escalation per issue, and whom inside the
company to tell, grouped by topic."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.plain_text import markdown_text


def render_playbook(entries: pd.DataFrame, people: pd.DataFrame) -> None:
    """One section per topic (entries for any topic first): issues, approved wording,
    escalation, move-to-private, and the stakeholders of that topic."""
    if entries.empty and people.empty:
        st.info("The playbook is empty. An admin adds entries in Settings → Playbook.")
        return
    topics = [None, *sorted({t for t in [*entries["topic"], *people["topic"]] if t})]
    for topic in topics:
        mine = entries[entries["topic"].isna()] if topic is None else entries[
            entries["topic"] == topic]  # fmt: skip
        tell = people[people["topic"].isna()] if topic is None else people[
            people["topic"] == topic]  # fmt: skip
        if mine.empty and tell.empty:
            continue
        st.subheader(markdown_text(topic or "Any topic"))
        for entry in mine.to_dict("records"):
            private = " · move to a private channel" if entry["move_to_private"] else ""
            st.markdown(f"**{markdown_text(entry['issue'])}**{private}")
            st.markdown(f"> {markdown_text(entry['response_template'])}")
            if entry.get("escalation"):
                st.caption(f"Escalation: {markdown_text(entry['escalation'])}")
        for person in tell.to_dict("records"):
            st.caption(
                f"Tell {markdown_text(person['name'])} · {markdown_text(person['role'] or '')} · "
                f"{markdown_text(person['email'])}"
            )
