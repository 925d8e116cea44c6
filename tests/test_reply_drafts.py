"""The demo and the simulator keep the review queue alive: drafts carrying each risk arrive."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from analytics.reply_risk import FLAG_KINDS
from components.reply_form import draft_flags
from db.schema import playbook_entries, replies, review_rules
from db.settings import get_settings
from ingest.demo import build_demo
from ingest.demo.review import REVIEW_RULES, simulate_reply_drafts
from tests.builders import insert_interactions, interaction

NOW = datetime(2026, 11, 26, 11, 0)


def _flags(text: str, approved: list[str]) -> set[str]:
    playbook = pd.DataFrame({"topic": [None] * len(approved), "response_template": approved})
    return {f.kind for f in draft_flags(text, playbook, None, get_settings())}


def test_the_demo_queue_carries_every_risk_and_rules_that_caught_each(engine):
    build_demo(engine, weeks=1, seed=7, now=NOW)
    with engine.connect() as conn:
        pending = conn.execute(
            select(replies.c.body, replies.c.rules).where(replies.c.state == "pending_review")
        ).all()
        templates = list(conn.scalars(select(playbook_entries.c.response_template)))
        published = conn.execute(
            select(replies.c.submitted_at).where(replies.c.state == "published")
        ).all()
        assert {r.name for r in conn.execute(select(review_rules))} >= {
            r["name"] for r in REVIEW_RULES
        }
    assert len(pending) == 12
    seen = set().union(*(_flags(body, templates) for body, _ in pending))
    assert seen >= set(FLAG_KINDS) - {"playbook"}
    # Published replies: some went through review, some straight out (so added FRT has both).
    reviewed = sum(row.submitted_at is not None for row in published)
    assert 0 < reviewed < len(published)


@pytest.fixture
def waiting_posts(engine):
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(NOW - timedelta(minutes=n), channel_id="twitter", is_public=True,
                            sentiment=-0.9, topic="billing", conversation_id=f"w{n}")
                for n in range(1, 6)
            ],
        )  # fmt: skip
        conn.execute(
            review_rules.insert(),
            [{"name": "Negative", "kind": "negative", "threshold": -0.5, "active": True,
              "version": 1}],
        )  # fmt: skip
    return engine


def test_the_simulator_adds_drafts_for_review(waiting_posts):
    engine = waiting_posts
    with engine.begin() as conn:
        written = simulate_reply_drafts(conn, NOW, tick_seconds=4 * 3600.0)
    with engine.connect() as conn:
        rows = conn.execute(select(replies.c.state, replies.c.rules)).all()
    assert written == len(rows) == 5  # ~48 wanted, five posts waiting
    assert {(r.state, r.rules) for r in rows} == {("pending_review", "Negative")}
    with engine.begin() as conn:  # a post with a reply gets no second draft
        assert simulate_reply_drafts(conn, NOW, tick_seconds=4 * 3600.0) == 0
