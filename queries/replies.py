"""Reply review writes: create a reply (matching the review rules), and every review decision.

`create_reply` stores the names of the active rules that catch the reply; a caught public reply
waits for review, any other goes straight out (published, and the post counts as answered).
`decide_reply` applies one review action in one transaction: the reply row is read FOR UPDATE
and must still be at the version the reviewer opened (else StaleWriteError naming who acted),
the action must be allowed from its state (else ForbiddenTransitionError with the reason), and the
change — plus, for move-to-private, the private follow-up interaction — is audited with the
reviewer's name. Approvals publish the reply; the post's first response is stamped then, which
is how review time shows in FRT.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from analytics.reply_review import TransitionError, join_rules, matching_rules, next_state
from db.schema import interactions, playbook_entries, replies
from db.settings import get_settings
from queries.review_rules import active_review_rules
from queries.writes import (
    StaleWriteError,
    ValidationError,
    WriteError,
    insert_record,
    public_row,
    require_record,
    transaction,
    update_child_record,
    update_record,
    utcnow,
)

PRIVATE_SOURCE = "review"
BODY_MAX = 5_000
COMMENT_MAX = 2_000


class ForbiddenTransitionError(WriteError):
    """A review action the reply's state does not allow (the message says why)."""


def _agent_weeks(conn: Connection, agent_id: int | None, now: datetime) -> float | None:
    """Weeks since the agent's first handled interaction (None: no history, counts as new)."""
    if agent_id is None:
        return None
    first = conn.scalar(
        select(func.min(interactions.c.created_at)).where(interactions.c.agent_id == agent_id)
    )
    return None if first is None else (now - first).total_seconds() / (7 * 86_400)


def _publish(conn: Connection, post: dict[str, Any], agent_id: Any, now: datetime, user: str):
    """Mark the post answered by this reply (its first response, if it had none)."""
    if post["first_response_at"] is not None:
        return
    changes: dict[str, Any] = {"first_response_at": now}
    if post["agent_id"] is None and agent_id is not None:
        changes["agent_id"] = agent_id
    if post["status"] == "open":
        changes["status"] = "pending"
    update_child_record(
        engine=conn, table=interactions, record_id=post["id"], changes=changes, user=user
    )


def rules_catching(
    *,
    engine: Engine | Connection,
    post: dict[str, Any],
    author_agent_id: int | None,
    body: str,
    now: datetime,
) -> list[str]:
    """Names of the active review rules that catch this reply to `post` (an interactions row)."""
    with transaction(engine) as conn:
        return matching_rules(
            active_review_rules(engine=conn),
            is_public=bool(post["is_public"]),
            topic=post["topic"],
            sentiment=post["sentiment"],
            reach=post["reach"],
            agent_weeks=_agent_weeks(conn, author_agent_id, now),
            body=body.strip(),
        )


def create_reply(
    *,
    engine: Engine | Connection,
    interaction_id: int,
    author_agent_id: int | None,
    body: str,
    actor: str,
    submit: bool = True,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Store an agent's reply to a post; returns it with `rules` (names, one per line).

    Caught by a rule: pending_review (or a draft when not `submit`); else published at once.
    """
    now = now or utcnow()
    text = (body or "").strip()
    if not text or len(text) > BODY_MAX:
        raise ValidationError({"body": f"must be 1 to {BODY_MAX} characters"})
    with transaction(engine) as conn:
        post = require_record(conn, interactions, interaction_id)
        caught = rules_catching(
            engine=conn, post=post, author_agent_id=author_agent_id, body=text, now=now
        )
        values: dict[str, Any] = {
            "interaction_id": interaction_id,
            "author_agent_id": author_agent_id,
            "body": text,
            "rules": join_rules(caught),
            "created_at": now,
        }
        if not submit:
            values["state"] = "draft"
        elif caught:
            values.update(state="pending_review", submitted_at=now)
        else:
            values.update(state="published", published_at=now)
            _publish(conn, post, author_agent_id, now, actor)
        return insert_record(engine=conn, table=replies, values=values, user=actor)


def _private_text(conn: Connection) -> tuple[int, str]:
    issue = get_settings().reply_private_issue
    entry = conn.execute(
        select(playbook_entries.c.id, playbook_entries.c.response_template)
        .where(playbook_entries.c.issue == issue)
        .order_by(playbook_entries.c.id)
    ).first()
    if entry is None:
        raise ForbiddenTransitionError(
            f"The playbook has no entry {issue!r} with the scripted private-message reply; "
            "an admin adds it in Settings → Playbook."
        )
    return int(entry.id), entry.response_template


def _follow_up(conn: Connection, reply: dict, post: dict, now: datetime, user: str) -> int:
    """A private (outbound) follow-up on the same customer and channel, opened by the centre."""
    row = insert_record(
        engine=conn,
        table=interactions,
        values={
            "source": PRIVATE_SOURCE,
            "external_id": f"reply-{reply['id']}-private",
            "channel_id": post["channel_id"],
            "direction": "outbound",
            "is_public": False,
            "conversation_id": f"reply-{reply['id']}-private",
            "customer_id": post["customer_id"],
            "agent_id": reply["author_agent_id"],
            "queue": post["queue"],
            "priority": post["priority"],
            "topic": post["topic"],
            "created_at": now,
            "status": "open",
            "body": f"Private follow-up of public reply {reply['id']} (post {post['id']}).",
            "is_thread_start": True,
        },
        user=user,
    )
    return int(row["id"])


def decide_reply(
    *,
    engine: Engine | Connection,
    reply_id: int,
    expected_version: int,
    action: str,
    actor: str,
    body: str | None = None,
    reason: str | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Apply a review action (approve / edit_approve / reject / move_private / resubmit)."""
    now = now or utcnow()
    comment = (comment or "").strip() or None
    if comment and len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"must be at most {COMMENT_MAX} characters"})
    with transaction(engine) as conn:
        current = require_record(conn, replies, reply_id, for_update=True)
        if current["version"] != expected_version:
            # Someone decided first: the loser is told who and sees the reply as it is now.
            raise StaleWriteError(public_row(current), current["updated_by"], current["updated_at"])
        new_body = (body or "").strip()
        if body is not None and not 0 < len(new_body) <= BODY_MAX:
            raise ValidationError({"body": f"must be 1 to {BODY_MAX} characters"})
        changed = body is not None and new_body != current["body"].strip()
        try:
            decision = next_state(current["state"], action, body_changed=changed, reason=reason)
        except TransitionError as error:
            raise ForbiddenTransitionError(str(error)) from error
        changes: dict[str, Any] = {"state": decision.state, "outcome": decision.outcome}
        post = require_record(conn, interactions, current["interaction_id"])
        if action == "resubmit":
            changes.update(
                body=new_body if changed else current["body"],
                submitted_at=now,
                reviewer=None,
                reviewed_at=None,
                reason=None,
                comment=None,
            )
        else:
            changes.update(reviewer=actor, reviewed_at=now, reason=reason, comment=comment)
        if action == "edit_approve":
            changes.update(original_body=current["body"], body=new_body)
        if action == "move_private":
            template_id, text = _private_text(conn)
            changes.update(original_body=current["body"], body=text, template_id=template_id)
            changes["follow_up_interaction_id"] = _follow_up(conn, current, post, now, actor)
        if decision.state == "published":
            changes["published_at"] = now
            _publish(conn, post, current["author_agent_id"], now, actor)
        return update_record(
            engine=conn,
            table=replies,
            record_id=reply_id,
            expected_version=expected_version,
            changes=changes,
            user=actor,
        )
