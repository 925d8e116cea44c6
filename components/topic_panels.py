"""The Topics page's panels: the spike rule in words, the week's topic table (rising and falling,
negative share, spikes), the drill-down to a topic's contacts, and for a spiking topic the
playbook, whom to tell and the "stakeholders informed" record."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import streamlit as st

from analytics.floor_alerts import SPIKE_MIN_BASELINE
from analytics.time_text import format_date, format_datetime
from components import cache_topics
from components.db import app_engine, database_errors
from components.journey_links import journey_link
from components.plain_text import markdown_text
from components.theme import channel_label
from db.settings import Settings
from queries.topic_people import record_informed
from queries.writes import ValidationError

HELP = (
    "**Topics.** Each contact gets a topic from the taxonomy (Settings → Topics): the topic whose "
    "keyword starts a word of its text or whose pattern matches it; when several match, the "
    "lowest priority number wins. Contacts with no match are under “(no topic)”. **Share** = a "
    "topic's contacts ÷ all contacts of that day or ISO week (Monday to Sunday, local time). "
    "**Negative share** = contacts with sentiment below 0 ÷ contacts with a sentiment. "
    "**Rising / falling**: the last complete week against the week before."
)


def spike_rule(settings: Settings, granularity: str) -> str:
    """The spike rule in words with this centre's settings, for days or ISO weeks."""
    unit, units, n = (
        ("week", "weeks", settings.spike_baseline_weeks)
        if granularity == "week"
        else ("day", "days", settings.spike_baseline_days)
    )
    return (
        f"Spike rule: a topic spikes in a {unit} when it has at least "
        f"{settings.spike_min_count} contacts and at least {settings.spike_z:g} standard "
        f"deviations (floored at 1) above its mean over the previous {n} {units}; {units} "
        f"before the history starts are left out, and with fewer than {SPIKE_MIN_BASELINE} "
        f"{units} of history no spike is called. The Floor's live alert uses the same rule on "
        "the last hour."
    )


def week_table(marked: pd.DataFrame, wow: pd.DataFrame) -> pd.DataFrame:
    """The topics of one period (rows of mark_spikes) with the week-over-week change: Topic,
    Contacts, Share %, Negative %, Change, Change %, z, Spike."""
    rows = marked.set_index("topic")
    change = wow.set_index("topic")
    table = pd.DataFrame(
        {
            "Topic": rows.index,
            "Contacts": rows["count"].to_numpy(),
            "Share %": rows["share"].round(1).to_numpy(),
            "Negative %": rows["negative_share"].round(1).to_numpy(),
            "Change": change["change"].reindex(rows.index).fillna(0).astype(int).to_numpy(),
            "Change %": change["change_percent"].reindex(rows.index).round(1).to_numpy(),
            "z": rows["z"].round(2).to_numpy(),
            "Spike": rows["is_spike"].astype(bool).to_numpy(),
        }
    )
    table = table[(table["Contacts"] > 0) | (table["Change"] != 0)]
    return table.sort_values(["Spike", "Contacts"], ascending=False, ignore_index=True)


def render_rising_falling(wow: pd.DataFrame, week_label: str, previous_label: str) -> None:
    """The three topics rising most and falling most, in words."""
    rising = wow[wow["change"] > 0].head(3)
    falling = wow[wow["change"] < 0].sort_values("change").head(3)

    def words(rows: pd.DataFrame) -> str:
        return " · ".join(
            f"**{markdown_text(r.topic)}** {r.change:+,} ({r.previous:,} → {r.count:,})"
            for r in rows.itertuples()
        )

    st.markdown(
        f"**Rising** in {week_label} vs {previous_label}: {words(rising) or 'none'}  \n"
        f"**Falling**: {words(falling) or 'none'}"
    )


def render_topic_contacts(contacts: pd.DataFrame, *, tz: str, topic: str, period: str) -> None:
    """A topic's contacts of a period (newest first) and a journey link for the chosen one."""
    total = int(contacts["total"].iloc[0]) if "total" in contacts and len(contacts) else 0
    total = max(total, len(contacts))
    st.markdown(
        f"**{total:,}** contacts of **{markdown_text(topic)}** in {markdown_text(period)}"
        + (f" (the newest {len(contacts):,} shown)" if total > len(contacts) else "")
    )
    if contacts.empty:
        return
    shown = pd.DataFrame(
        {
            "ID": contacts["id"],
            "Arrived": [format_datetime(t, tz) for t in contacts["created_at"]],
            "Channel": [channel_label(c) for c in contacts["channel_id"]],
            "Public": contacts["is_public"].astype(bool),
            "Customer": contacts["customer"].fillna("—"),
            "Agent": contacts["agent"].fillna("—"),
            "Sentiment": contacts["sentiment"],
            "Status": contacts["status"],
            "Text": contacts["body"].fillna("").str.slice(0, 140),
        }
    )
    st.dataframe(shown, hide_index=True, key="topics_contacts_table")
    labels = {
        int(r.id): f"#{int(r.id)} · {r.customer or 'no customer'} · {channel_label(r.channel_id)}"
        for r in contacts.itertuples()
    }
    chosen = st.selectbox(
        "Follow a contact's customer",
        options=list(labels),
        index=None,
        format_func=labels.get,
        placeholder="Choose a contact to open its customer's journey",
        key="topics_contact_open",
    )
    if chosen is not None:
        journey_link(interaction_id=chosen)


def render_whom_to_tell(
    *,
    topic: str,
    period: str,
    playbook: pd.DataFrame,
    stakeholders: pd.DataFrame,
    log: pd.DataFrame,
    tz: str,
    record: Callable[[dict, str], dict] | None,
) -> None:
    """Playbook entries and stakeholders of `topic`, who was already informed, and the form that
    records "stakeholders informed" for `period` (record(values, idempotency_key); None for a
    reader who may not record it)."""
    st.markdown(f"**Playbook for {markdown_text(topic)}**")
    if playbook.empty:
        st.caption("No playbook entry for this topic. An admin can add one in Settings.")
    for entry in playbook.itertuples():
        with st.container(border=True):
            scope = "" if entry.topic else " (any topic)"
            st.markdown(f"**{markdown_text(entry.issue)}**{scope}")
            st.markdown(f"Approved response: {markdown_text(entry.response_template)}")
            if entry.escalation:
                st.markdown(f"Escalation: {markdown_text(entry.escalation)}")
            if entry.move_to_private:
                st.caption("Move the conversation to private messages.")
    st.markdown("**Whom to tell**")
    if stakeholders.empty:
        st.caption("No stakeholders for this topic. An admin can add them in Settings.")
    else:
        for person in stakeholders.itertuples():
            scope = "" if person.topic else " — every topic"
            st.markdown(
                f"- {markdown_text(person.name)} ({markdown_text(person.role or 'no role')}), "
                f"{markdown_text(person.email)}{scope}"
            )
    _render_log(log, tz)
    if stakeholders.empty or record is None:
        return
    key_name = f"topics_inform_key_{topic}_{period}"
    st.session_state.setdefault(key_name, uuid.uuid4().hex)
    with st.form(key=f"topics_inform_form_{topic}_{period}"):
        names = st.multiselect(
            "Stakeholders you informed",
            options=list(stakeholders["name"]),
            default=list(stakeholders["name"]),
            key=f"topics_inform_names_{topic}_{period}",
        )
        note = st.text_input(
            "Note (optional)",
            max_chars=500,
            key=f"topics_inform_note_{topic}_{period}",
            placeholder="e.g. emailed at 10:05, call with network ops at 11:00",
        )
        sent = st.form_submit_button(
            f"Stakeholders informed about {markdown_text(topic)} ({period_text(period)})",
            icon=":material/campaign:",
            key=f"topics_inform_submit_{topic}_{period}",
        )
    if sent:
        values = {"topic": topic, "period": period, "stakeholders": names, "note": note}
        try:
            record(values, st.session_state[key_name])
        except ValidationError as exc:
            st.error(markdown_text(str(exc)), icon=":material/error:")
            return
        # A new key: a later, separate "informed" is a new record, a double click is not.
        st.session_state[key_name] = uuid.uuid4().hex
        st.success(
            f"Recorded: stakeholders informed about {markdown_text(topic)} "
            f"({period_text(period)}).",
            icon=":material/check_circle:",
        )
        st.rerun()


def _render_log(log: pd.DataFrame, tz: str) -> None:
    if log.empty:
        st.info("Nobody has recorded informing the stakeholders about this topic yet.")
        return
    lines = [
        f"- {period_at(row.informed_at, tz)} — **{markdown_text(row.informed_by)}** informed "
        f"{markdown_text(row.stakeholders)} about {markdown_text(period_text(row.period))}"
        + (f": {markdown_text(row.note)}" if row.note else "")
        for row in log.head(5).itertuples()
    ]
    st.success("Already done:\n" + "\n".join(lines), icon=":material/task_alt:")


def period_text(period: str) -> str:
    """A stored period as read: an ISO day ('2026-11-30') as '30 Nov 2026'; an ISO week
    ('2026-W48') and anything else as stored."""
    try:
        return format_date(date.fromisoformat(period))
    except ValueError:
        return period


def period_at(moment: datetime, tz: str) -> str:
    """A stored UTC time as local text for the log, zone named (analytics.time_text)."""
    return format_datetime(moment, tz)


def record_for(username: str) -> Callable[[dict, str], dict]:
    """The "stakeholders informed" write as `username`, clearing only the log reader after it."""

    def record(values: dict, key: str) -> dict:
        saved = record_informed(
            engine=app_engine(), values=values, user=username, idempotency_key=key
        )
        cache_topics.informed_log.clear()
        return saved

    return record


def render_focus_topic(
    *,
    focus: str,
    period: str,
    bounds: tuple[datetime, datetime],
    so_far: bool,
    channels: tuple[str, ...] | None,
    visibility: bool | None,
    tz: str,
    record: Callable[[dict, str], dict] | None,
) -> None:
    """One topic's playbook, stakeholders, "informed" record and its contacts of `period`
    (`bounds`, naive UTC; `so_far`: the period has not ended) with links to their customers'
    journeys."""
    with database_errors():
        render_whom_to_tell(
            topic=focus,
            period=period,
            playbook=cache_topics.topic_playbook(focus),
            stakeholders=cache_topics.topic_stakeholders(focus),
            log=cache_topics.informed_log(focus),
            tz=tz,
            record=record,
        )
        contacts = cache_topics.topic_contacts(focus, *bounds, channels, visibility)
    suffix = " (so far)" if so_far else ""
    render_topic_contacts(contacts, tz=tz, topic=focus, period=f"{period_text(period)}{suffix}")
