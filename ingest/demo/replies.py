"""Demo reply-review workflow: outgoing public replies in every state (draft, pending review,
approved, rejected, published), with the timestamps of each transition."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np

from ingest.demo.content import DEMO_SUPERVISOR, REJECTION_REASONS
from ingest.demo.context import SOURCE, GenerationContext
from ingest.demo.interactions import DemoInteractions
from ingest.demo.review import post_caught, review_fields
from ingest.demo.traffic import SOCIAL_CHANNELS

REPLY_PLAN = [  # state, how many, on contacts still waiting (True) or already answered (False)
    ("pending_review", 12, True),
    ("draft", 8, True),
    ("approved", 5, True),
    ("published", 150, False),
    ("rejected", 15, False),
]
REPLY_VERSION = {"draft": 1, "pending_review": 2, "approved": 3, "rejected": 3, "published": 4}


def generate_replies(
    rng: np.random.Generator,
    ctx: GenerationContext,
    data: DemoInteractions,
    templates: dict[str, tuple[int, str]],
    rules: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Outgoing public replies in every review state: published ones are the first responses
    of answered public posts; drafts and pending ones sit on posts still waiting. Each stores
    the review `rules` that catch it; published ones no rule catches went out unreviewed."""
    c = data.columns
    public = c["is_public"]
    social_agents = [a.id for a in ctx.agents if set(a.channels) & SOCIAL_CHANNELS] or [None]
    # Still open, or answered and awaiting a follow-up reply; newest first.
    waiting = np.flatnonzero(public & np.isin(c["status"], ["open", "pending"]))[::-1]
    recent = c["created_at"] >= np.datetime64(ctx.now - timedelta(days=14), "s")
    answered = np.flatnonzero(public & ~np.isnat(c["first_response_at"]) & recent)
    pools = {True: list(waiting), False: list(rng.permutation(answered))}
    rows = []
    for state, wanted, on_waiting in REPLY_PLAN:
        pool = pools[on_waiting]
        if state == "pending_review" and rules:
            # Only a reply a rule caught waits for review: take posts a rule catches.
            first = [row for row in pool if post_caught(c, int(row), rules)][:wanted]
            pool = first + [row for row in pool if row not in set(first)]
            pools[on_waiting] = pool
        for row in pool[:wanted]:
            reply = _reply(rng, ctx, c, int(row), state, templates, social_agents)
            post = {key: _plain(c[key][row]) for key in ("topic", "sentiment", "reach")}
            post["reach"] = None if post["reach"] is None or post["reach"] < 0 else post["reach"]
            rows.append(review_fields(reply, post, len(rows), list(rules)))
        pools[on_waiting] = pools[on_waiting][wanted:]
    return rows


def _plain(value: Any) -> Any:
    """A numpy cell as a Python value (None for a missing reach or sentiment)."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value


def _reply(
    rng: np.random.Generator,
    ctx: GenerationContext,
    c: dict[str, np.ndarray],
    row: int,
    state: str,
    templates: dict[str, tuple[int, str]],
    social_agents: Sequence[int | None],
) -> dict[str, Any]:
    created = c["created_at"][row].item()
    answered_at = c["first_response_at"][row]
    # Transitions sit at fixed shares of the time to the first response (or to now).
    end = ctx.now if np.isnat(answered_at) else answered_at.item()
    span = end - created
    written, submitted, reviewed = (created + span * share for share in (0.3, 0.5, 0.8))
    template_id, text = templates.get(c["topic"][row], (None, "Thanks for reaching out."))
    agent = int(c["agent_id"][row])
    stamps = {
        "created_at": written,
        "submitted_at": submitted if state != "draft" else None,
        "reviewed_at": reviewed if state in ("approved", "rejected", "published") else None,
        "published_at": end if state == "published" else None,
    }
    return {
        "interaction_id": int(c["id"][row]),
        "author_agent_id": agent if agent >= 0 else social_agents[rng.integers(len(social_agents))],
        "body": text,
        "state": state,
        "reviewer": DEMO_SUPERVISOR if stamps["reviewed_at"] else None,
        "reason": REJECTION_REASONS[rng.integers(len(REJECTION_REASONS))]
        if state == "rejected"
        else None,
        "template_id": template_id,
        "version": REPLY_VERSION[state],
        **stamps,
        "updated_at": max(t for t in stamps.values() if t is not None),
        "updated_by": DEMO_SUPERVISOR if stamps["reviewed_at"] else SOURCE,
    }
