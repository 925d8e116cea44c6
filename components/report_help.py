"""The help of the report pages: the contact rule, page-specific notes, and a link to the metric
definitions (docs/metrics.md, shown in the app by the Metric definitions page)."""

from __future__ import annotations

from functools import cache

import streamlit as st

from db.settings import PROJECT_ROOT

METRICS_DOC = PROJECT_ROOT / "docs" / "metrics.md"
METRICS_PAGE = "pages/metrics.py"
CONTACT_RULE = (
    "**Contacts.** Only conversations whose first message is the customer's are offered and "
    "judged (first response time, service level, CSAT). In a conversation the centre started — "
    "its first message outbound: a proactive post, an outbound call — the customer's messages are "
    "follow-ups: shown in the drill-down, not contacts. Later messages of any conversation are "
    "follow-ups too."
)
AGENT_GROUPING = (
    "**Team and agent.** A contact is grouped under the agent recorded on it: for an answered "
    "contact, who answered it. An abandoned or unanswered contact is grouped under the agent the "
    "data names (imported call logs often record the agent a call was routed to before the "
    "caller hung up), and under “No agent recorded” when none is named."
)


@cache
def metrics_document() -> str:
    """The text of docs/metrics.md (read once per server)."""
    return METRICS_DOC.read_text(encoding="utf-8")


def report_help(*notes: str, key: str) -> None:
    """An expander 'How these figures are counted': the contact rule, `notes`, and the link to
    every definition with worked examples."""
    with st.expander("How these figures are counted", icon=":material/help:", key=key):
        for text in (CONTACT_RULE, *notes):
            st.markdown(text)
        st.page_link(
            METRICS_PAGE,
            label="Metric definitions, with worked examples",
            icon=":material/menu_book:",
        )
