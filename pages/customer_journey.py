"""Customer journey: find a customer by any handle, name or interaction id, then every contact and
follow-up of theirs across channels on one timeline, with agent, topic, sentiment, FRT and
outcome, and their own repeat-contact figures.

Reached from drill-downs with `?customer=ID` or `?interaction=ID` (the customer who sent it).
"""

import streamlit as st

from components import cache_topics
from components.db import database_errors
from components.guard import require_page
from components.journey_view import (
    JOURNEY_HELP,
    customer_rates,
    journey_figure,
    render_customer_header,
    timeline_table,
)
from components.plain_text import markdown_text
from db.settings import get_settings

require_page(__file__)
settings = get_settings()
tz, window = settings.timezone, settings.repeat_window_days

st.title("Customer journey")
st.caption(
    "One customer's contacts and follow-ups on every channel, oldest first. Contacts are "
    "conversations the customer started; follow-ups are their later messages (no FRT of their "
    "own); the centre's messages are shown as they were sent."
)
params = st.query_params
customer_id: int | None = None
if (raw := params.get("customer")) and raw.isdigit():
    customer_id = int(raw)
elif (raw := params.get("interaction")) and raw.isdigit():
    with database_errors():
        customer_id = cache_topics.customer_of_interaction(int(raw))
    if customer_id is None:
        st.warning(f"Interaction #{raw} has no customer recorded (or does not exist).")

term = st.text_input(
    "Find a customer",
    placeholder="A handle (@name, phone number, e-mail), a name, or an interaction id",
    key="journey_search",
)
if term.strip():
    with database_errors():
        found = cache_topics.find_customers(term.strip())
    if found.empty:
        st.info(f"No customer matches “{markdown_text(term.strip())}”.")
    else:
        labels = {
            int(r.id): f"{r.name or 'Unnamed'} (#{int(r.id)}) — {r.handles or 'no handles'}"
            for r in found.itertuples()
        }
        chosen = st.selectbox(
            f"{len(found)} customer{'s' if len(found) != 1 else ''} found",
            options=list(labels),
            format_func=labels.get,
            key="journey_pick",
        )
        if chosen is not None:
            customer_id = int(chosen)

if customer_id is None:
    st.info("Find a customer above, or open a journey from a drill-down.", icon=":material/route:")
    st.stop()

with database_errors():
    name = cache_topics.customer_name(customer_id)
    if name is None and cache_topics.customer_handles(customer_id).empty:
        st.warning(f"There is no customer #{customer_id}.")
        st.stop()
    handles = cache_topics.customer_handles(customer_id)
    timeline = cache_topics.customer_timeline(customer_id)
render_customer_header(name, customer_id, handles)

rates = customer_rates(timeline, window)
contacts = int(timeline["is_contact"].sum()) if len(timeline) else 0
channels = timeline.loc[timeline["is_contact"].astype(bool), "channel_id"].nunique()
cols = st.columns(4)
cols[0].metric("Contacts", f"{contacts:,}", help="Conversations this customer started.")
cols[1].metric("Channels used", f"{channels}")
cols[2].metric(
    "Repeat contacts",
    f"{int(rates['repeated'])} of {int(rates['resolved'])} resolved",
    help=JOURNEY_HELP.format(days=window),
)
cols[3].metric(
    "Same agent",
    "—"
    if not rates["answered_pairs"]
    else f"{int(rates['same_agent'])} of {int(rates['answered_pairs'])}",
    help=JOURNEY_HELP.format(days=window),
)
st.plotly_chart(
    journey_figure(timeline, tz, f"Every message of customer #{customer_id}, by channel"),
    key="journey_chart",
)
st.dataframe(timeline_table(timeline, tz), hide_index=True, key="journey_table")
if len(timeline) >= 1000:
    st.caption("The newest 1,000 messages are shown.")
