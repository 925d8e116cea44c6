"""Demo reply review: the admin's review rules, the scripted private-message reply, and drafts
that carry each risk (personal data, tone, compensation wording, off-playbook wording).

`review_fields` turns a demo reply into what reply creation would have stored: the rules that
catch it, and — for published replies no rule catches — no review at all (they went straight
out), so the approval analytics can compare reviewed and direct replies. Choices are made by
position, never from the shared random stream, so the rest of the demo stays as it was.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from analytics.reply_review import REJECT_REASONS, join_rules, matching_rules
from db.schema import playbook_entries, review_rules
from ingest.demo.context import SOURCE

REVIEW_RULES: list[dict[str, Any]] = [
    {"name": "Billing and complaints", "kind": "topic", "topic": "billing", "active": True},
    {"name": "Public complaints", "kind": "topic", "topic": "complaint", "active": True},
    {"name": "Negative posts", "kind": "negative", "threshold": -0.6, "active": True},
    {"name": "Wide reach", "kind": "reach", "threshold": 5_000, "active": True},
    {"name": "New agents", "kind": "new_agent", "threshold": 2, "active": True},
    {"name": "Compensation or legal wording", "kind": "wording", "active": True,
     "words": "refund,compensation,voucher,free of charge,legal,lawyer,guarantee"},
]  # fmt: skip
PRIVATE_ENTRY = {
    "issue": "Moved to private",
    "topic": None,
    "move_to_private": True,
    "response_template": "We've sent you a private message so we can look at this with you "
    "securely. Please check your DMs.",
    "escalation": None,
}
# Drafts waiting for review: each carries one risk (and one is clean) so every flag shows up.
RISKY_DRAFTS = (
    "Hi! Call our billing team on 020 7946 0958 and they'll sort it today.",
    "Please email your details to billing.help@example.com and we'll check.",
    "We can see the card 4111 1111 1111 1111 on file was charged twice, sorry!",
    "Pay the balance to GB82 WEST 1234 5698 7654 32 and the account unlocks.",
    "Honestly, that's a stupid complaint. Read the terms before you post, idiot.",
    "So sorry! We'll refund you in full and add a voucher for the trouble.",
    "Not our fault, the courier is useless, try again next week.",
    "Sorry about the bill. Please DM us your account number and we'll look into it.",
)
# Demo rejection comments map onto the reviewer's reason list.
REASON_OF = {
    "Asks for account details in public; move to DM.": "Should move to private",
    "Tone too defensive for a complaint with this reach.": "Tone",
    "Promises a refund we can't confirm yet.": "Promises compensation we can't confirm",
}
DEMO_AGENT_WEEKS = 52.0  # the demo roster has worked here for a year


def store_review_rules(conn: Connection) -> list[dict[str, Any]]:
    """Add the demo rules and the private-message entry where missing; return the active rules."""
    from ingest.demo.store import insert_missing

    blank = {"topic": None, "threshold": None, "words": None}
    insert_missing(conn, review_rules, "name", [{**blank, **rule} for rule in REVIEW_RULES])
    insert_missing(conn, playbook_entries, "issue", [PRIVATE_ENTRY])
    query = select(review_rules).where(review_rules.c.active.is_(True))
    return [dict(row) for row in conn.execute(query).mappings()]


def post_caught(columns: dict, row: int, rules: list[dict[str, Any]]) -> bool:
    """Whether a rule that reads the post (topic, sentiment, reach) catches a reply to it."""
    reach = int(columns["reach"][row])
    return bool(
        matching_rules(
            rules,
            is_public=True,
            topic=columns["topic"][row],
            sentiment=float(columns["sentiment"][row]),
            reach=reach if reach >= 0 else None,
            agent_weeks=DEMO_AGENT_WEEKS,
            body="",
        )
    )


def review_fields(
    reply: dict[str, Any], post: dict[str, Any], position: int, rules: list[dict[str, Any]]
) -> dict[str, Any]:
    """`reply` (a demo row) with its body, rules and outcome as reply creation would store them."""
    reply = dict(reply)
    if reply["state"] in ("pending_review", "draft"):
        reply["body"] = RISKY_DRAFTS[position % len(RISKY_DRAFTS)]
    caught = matching_rules(
        rules,
        is_public=True,
        topic=post["topic"],
        sentiment=post["sentiment"],
        reach=post["reach"],
        agent_weeks=DEMO_AGENT_WEEKS,
        body=reply["body"],
    )
    reply["rules"] = join_rules(caught)
    reply["outcome"] = None
    reply["comment"] = None
    if reply["state"] in ("approved", "published"):
        reply["outcome"] = "approved"
        if reply["state"] == "published" and not caught:
            # Caught by no rule: it went straight out.
            reply.update(submitted_at=None, reviewed_at=None, reviewer=None, outcome=None)
            reply["updated_by"] = SOURCE
    elif reply["state"] == "rejected":
        reply["comment"] = reply["reason"]
        reply["reason"] = REASON_OF.get(reply["reason"], REJECT_REASONS[-1])
        reply["outcome"] = "rejected"
    return reply


# The live simulator: agents write replies to waiting public posts through the day.
DRAFTS_PER_HOUR = 12.0
CLEAN_SHARE = 0.4  # the rest carry one of RISKY_DRAFTS' risks
DRAFT_STREAM = 91  # a random stream of its own, so the floor's own draws stay as they were
SIMULATOR_USER = "simulator"


def simulate_reply_drafts(conn: Connection, now: Any, tick_seconds: float) -> int:
    """Agents' replies to waiting public social posts arriving in this tick that a review rule
    catches, created through the one reply path (queries.replies.create_reply), so they wait
    for review. A reply no rule catches would go straight out: the floor's own answering step
    stands for those. Returns how many replies were written."""
    import numpy as np

    from db.schema import agent_skills, channels, interactions, replies
    from queries.replies import create_reply, rules_catching

    rng = np.random.default_rng([int(now.timestamp() * 1000), DRAFT_STREAM])
    wanted = int(rng.poisson(DRAFTS_PER_HOUR * tick_seconds / 3600.0))
    if not wanted:
        return 0
    i = interactions.c
    posts = conn.execute(
        select(interactions)
        .select_from(interactions.join(channels, channels.c.id == i.channel_id))
        .where(
            channels.c.is_social.is_(True),
            i.is_public.is_(True),
            i.direction == "inbound",
            i.first_response_at.is_(None),
            i.status == "open",
            ~select(replies.c.id).where(replies.c.interaction_id == i.id).exists(),
        )
        .order_by(i.created_at.desc(), i.id)
        .limit(50)
    ).all()
    templates = dict(
        conn.execute(select(playbook_entries.c.topic, playbook_entries.c.response_template)).all()
    )
    written = 0
    for index in rng.permutation(len(posts))[:wanted]:
        post = posts[int(index)]
        skilled = conn.scalars(
            select(agent_skills.c.agent_id).where(agent_skills.c.channel_id == post.channel_id)
        ).all()
        clean = templates.get(post.topic)
        body = (
            clean
            if clean and rng.random() < CLEAN_SHARE
            else RISKY_DRAFTS[int(rng.integers(len(RISKY_DRAFTS)))]
        )
        author = int(skilled[int(rng.integers(len(skilled)))]) if skilled else None
        row = dict(post._mapping)
        if not rules_catching(engine=conn, post=row, author_agent_id=author, body=body, now=now):
            continue
        create_reply(
            engine=conn,
            interaction_id=post.id,
            author_agent_id=author,
            body=body,
            actor=SIMULATOR_USER,
            now=now,
        )
        written += 1
    return written
