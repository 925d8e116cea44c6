"""The review form: the post and its conversation, the customer's other contacts, the playbook,
the draft with its risk flags (recomputed as the reviewer edits it), and the decision.

The decision goes through queries.replies.decide_reply against the version the form was opened
at: a reviewer who was beaten to it is told who acted and sees the reply as it is now; a
forbidden transition is refused with its reason; what the reviewer typed stays in the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analytics.reply_review import OUTCOME_LABELS, REJECT_REASONS, split_rules
from analytics.reply_risk import RiskFlag, reply_risks
from analytics.time_text import format_datetime
from components.plain_text import markdown_text
from components.record_form import stale_message
from components.theme import channel_label
from db.settings import Settings
from queries.replies import ForbiddenTransitionError, decide_reply
from queries.writes import StaleWriteError, ValidationError

FLASH_KEY = "reply_review_flash"
ACTIONS = {
    "approve": "Approve",
    "edit_approve": "Edit and approve (your edit is sent; the agent's draft is kept)",
    "reject": "Reject (back to the agent, with a reason)",
    "move_private": "Move to private (send the playbook's private-message reply)",
}
FLAG_HELP = (
    "Flags are computed on the draft as it stands: personal data (phone numbers, e-mail "
    "addresses, card numbers passing the Luhn check, IBANs), tone (VADER compound score at or "
    "below the threshold), compensation/legal wording, and similarity to the playbook's approved "
    "wording for the topic (token-set ratio, 0–100) below the threshold."
)


def draft_flags(text: str, playbook: pd.DataFrame, topic: Any, settings: Settings) -> list:
    """The risk flags of `text`, compared with the approved wording for `topic`."""
    approved = playbook.loc[playbook["topic"] == topic, "response_template"].dropna().tolist()
    return reply_risks(
        text,
        approved=approved,
        words=settings.reply_risk_words,
        region=settings.reply_phone_region,
        tone_threshold=settings.reply_tone_threshold,
        similarity_threshold=settings.reply_playbook_similarity,
    )


def render_flags(flags: list[RiskFlag]) -> None:
    """One warning per flag, naming what was found and how it was judged."""
    if not flags:
        st.success("No risk flags on this draft.", icon=":material/verified:")
        return
    for flag in flags:
        found = ", ".join(markdown_text(e) for e in flag.evidence)
        st.warning(
            f"**{flag.label}** — {found} ({markdown_text(flag.detail)})", icon=":material/warning:"
        )


# Column headings of a shown message list, in the words the other pages use.
MESSAGE_LABELS = {
    "id": "Interaction",
    "channel_id": "Channel",
    "direction": "Direction",
    "is_public": "Public",
    "created_at": "Time",
    "status": "Status",
    "topic": "Topic",
    "body": "Message",
}


def shown_messages(messages: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Messages as shown: labelled columns, channel names, "Yes"/"No" for public, and the stored
    UTC time as local time with the zone named."""
    shown = messages.assign(created_at=[format_datetime(t, tz) for t in messages["created_at"]])
    if "channel_id" in shown:
        shown["channel_id"] = [channel_label(c) for c in shown["channel_id"]]
    if "is_public" in shown:
        shown["is_public"] = ["Yes" if p else "No" for p in shown["is_public"]]
    return shown.rename(columns=MESSAGE_LABELS)


def render_context(context: dict[str, Any], tz: str) -> None:
    """The post, its conversation, the customer's other contacts, playbook and stakeholders."""
    post = context["post"]
    st.markdown(f"> {markdown_text(post['body'] or '(no text)')}")
    reach = "reach unknown" if post["reach"] is None else f"reach {post['reach']:,}"
    sentiment = "—" if post["sentiment"] is None else f"{post['sentiment']:+.2f}"
    st.caption(
        f"{markdown_text(post['author'])} · {markdown_text(channel_label(post['channel_id']))} · "
        f"{reach} · sentiment {sentiment} · topic {markdown_text(post['topic'] or '—')} · "
        f"arrived {format_datetime(post['created_at'], tz)}"
    )
    with st.expander(f"Conversation ({len(context['thread'])} messages)"):
        st.dataframe(
            shown_messages(context["thread"], tz), hide_index=True, key="reply_review_thread"
        )
    others = context["other_contacts"]
    with st.expander(f"The customer's other contacts across channels ({len(others)})"):
        st.dataframe(shown_messages(others, tz), hide_index=True, key="reply_review_other_contacts")
    with st.expander("Playbook for this topic", expanded=True):
        for entry in context["playbook"].to_dict("records"):
            st.markdown(
                f"**{markdown_text(entry['issue'])}** — {markdown_text(entry['response_template'])}"
            )
            if entry.get("escalation"):
                st.caption(f"Escalation: {markdown_text(entry['escalation'])}")
        for person in context["stakeholders"].to_dict("records"):
            st.caption(
                f"Tell {markdown_text(person['name'])} ({markdown_text(person['role'] or '')}, "
                f"{markdown_text(person['email'])})"
            )


def render_review_form(
    context: dict[str, Any],
    *,
    engine: Any,
    actor: str,
    settings: Settings,
    on_decided: Callable[[], None],
) -> None:
    """The draft, its flags and the decision widgets for one pending reply."""
    reply = context["reply"]
    slot = f"reply_{reply['id']}"
    version_key = f"{slot}_version"
    st.session_state.setdefault(version_key, reply["version"])
    rules = ", ".join(markdown_text(r) for r in split_rules(reply["rules"])) or "none"
    st.caption(f"Written by {markdown_text(reply['agent'] or '—')} · caught by: {rules}")
    draft = st.text_area("Draft reply", value=reply["body"], key=f"{slot}_body", height=120)
    st.markdown("**Risk flags**", help=FLAG_HELP)
    render_flags(draft_flags(draft, context["playbook"], context["post"]["topic"], settings))
    action = st.radio("Decision", list(ACTIONS), format_func=ACTIONS.get, key=f"{slot}_action")
    reason = st.selectbox(
        "Reason (for a rejection)", [None, *REJECT_REASONS], key=f"{slot}_reason",
        format_func=lambda r: "—" if r is None else r,
    )  # fmt: skip
    comment = st.text_area("Comment (to the agent)", key=f"{slot}_comment", height=68)
    if not st.button("Submit decision", type="primary", key=f"{slot}_submit"):
        return
    edited = draft.strip() != reply["body"].strip()
    if action in ("approve", "move_private") and edited:
        st.error(
            "You edited the draft: choose **Edit and approve** to send your version, or undo the "
            "edit. Nothing was saved."
        )
        return
    try:
        saved = decide_reply(
            engine=engine,
            reply_id=reply["id"],
            expected_version=st.session_state[version_key],
            action=action,
            actor=actor,
            body=draft if action == "edit_approve" else None,
            reason=reason,
            comment=comment,
        )
    except StaleWriteError as error:
        st.warning(
            markdown_text(stale_message(error, settings.timezone)), icon=":material/sync_problem:"
        )
        current = error.current
        st.caption(
            f"Now: {markdown_text(current['state'])} · "
            f"{markdown_text(OUTCOME_LABELS.get(current.get('outcome'), '—'))} by "
            f"{markdown_text(error.changed_by or '—')}"
        )
        st.session_state[version_key] = current["version"]
        on_decided()
        return
    except (ForbiddenTransitionError, ValidationError) as error:
        st.error(f"Nothing was saved: {markdown_text(error)}", icon=":material/block:")
        return
    st.session_state.pop(version_key, None)
    st.session_state[FLASH_KEY] = (
        f"Reply #{saved['id']}: {OUTCOME_LABELS.get(saved['outcome'], saved['state'])}."
    )
    on_decided()
    st.rerun()
