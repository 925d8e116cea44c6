"""The interaction under review, in full: channel, customer, agent, times, the conversation with the
reply that went out, and the customer's other contacts on any channel around it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analytics.time_text import format_datetime
from components.plain_text import markdown_text
from components.theme import channel_label
from queries.qa_reviews import OTHER_CONTACTS_DAYS, InteractionDetail

DIRECTION_LABELS = {"inbound": "customer", "outbound": "agent"}
REPLY_STATES = {
    "published": "the reply that went out",
    "approved": "reply approved, not yet published",
    "pending_review": "reply waiting for review",
    "rejected": "reply rejected (never sent)",
    "draft": "reply draft (never sent)",
}


def local_time(value: Any, tz: str) -> str:
    """A naive UTC time as 'Mon 2 Nov 2026, 09:00 GMT' in `tz` (analytics.time_text); an em
    dash when missing."""
    return format_datetime(value, tz)


def message_heading(row: dict[str, Any], tz: str) -> str:
    """'**Author** (customer) · time' or, for a reply of the review workflow, its state."""
    who = DIRECTION_LABELS.get(row["direction"], row["direction"])
    if row.get("kind") == "reply":
        who = REPLY_STATES.get(row.get("state"), f"reply ({row.get('state')})")
    return (
        f"**{markdown_text(row['author'])}** ({markdown_text(who)}) · {local_time(row['at'], tz)}"
    )


def interaction_view(detail: InteractionDetail | None, *, tz: str, key: str) -> None:
    """Everything a reviewer needs to judge the interaction (`key` namespaces the tables)."""
    if detail is None:
        st.warning("That interaction no longer exists.", icon=":material/search_off:")
        return
    row = detail.interaction
    st.markdown(
        f"**Interaction {row['id']}** · {markdown_text(channel_label(row['channel_id']))} · "
        f"{'public post' if row['is_public'] else 'private contact'} · "
        f"customer **{markdown_text(row.get('customer') or 'unknown')}** · "
        f"agent **{markdown_text(row.get('agent') or 'none recorded')}** "
        f"({markdown_text(row.get('team') or '—')})"
    )
    st.caption(
        f"Arrived {local_time(row['created_at'], tz)} · first response "
        f"{local_time(row['first_response_at'], tz)} · resolved "
        f"{local_time(row['resolved_at'], tz)} · status {markdown_text(row['status'])} · "
        f"times in {markdown_text(tz)}"
    )
    with st.container(border=True, key=f"{key}_thread"):
        count = len(detail.messages)
        st.caption(f"Conversation — {count} message{'' if count == 1 else 's'}, oldest first")
        for message in detail.messages.to_dict("records"):
            st.markdown(message_heading(message, tz))
            st.text(message["body"] or "(no text)")
    others = detail.other_contacts
    st.caption(
        f"The customer's other contacts within {OTHER_CONTACTS_DAYS} days, on every channel: "
        f"{len(others)}"
    )
    if not others.empty:
        shown = pd.DataFrame(
            {
                "ID": others["id"],
                "Channel": others["channel_id"].map(channel_label),
                "Handle": others["handle"],
                "Arrived": others["created_at"].map(lambda v: local_time(v, tz)),
                "Topic": others["topic"],
                "Status": others["status"],
                "Agent": others["agent"],
                "Text": others["body"],
            }
        )
        st.dataframe(shown, hide_index=True, key=f"{key}_others")
