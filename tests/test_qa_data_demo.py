"""The demo exercises every QA page (issue 10, item 7), readable through the QA queries."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select

from analytics.qa_intervals import agent_qa_scores
from db.schema import qa_reviews, qa_samples
from ingest.demo import build_demo
from ingest.demo.content import DEMO_REVIEWERS
from queries.calibration import calibration_ratings, list_calibration_sessions
from queries.qa_disputes import coaching_notes_for, list_disputes
from queries.qa_quality import QualityScope, quality_scores, review_scores
from queries.qa_reviews import get_review, review_queue
from queries.qa_sampling import redraw_run

NOW = datetime(2026, 11, 26, 14, 30)


def test_demo_has_reviews_queue_calibration_dispute_and_coaching(engine):
    build_demo(engine, weeks=3, seed=3, now=NOW)
    start = NOW - timedelta(weeks=3)

    scope = QualityScope(start, NOW)
    reviews = review_scores(engine=engine, scope=scope)
    assert reviews["agent_id"].nunique() >= 10
    weeks = reviews["submitted_at"].map(lambda at: (at - start).days // 7)
    # A week's run is drawn when the week ends and reviewed in the days after.
    assert set(weeks) == {1, 2}
    assert 0 < reviews["auto_failed"].sum() < len(reviews)
    assert (reviews.loc[reviews["auto_failed"], "score"] == 0).all()
    scores = quality_scores(engine=engine, scope=scope)
    assert (scores["n"] > 0).sum() >= 10
    # The SQL route (n, mean, sd aggregated in the database) equals the pandas one on the rows.
    expected = agent_qa_scores(reviews, ["agent_id", "agent", "team"])
    reviewed = scores[scores["n"] > 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(reviewed, expected, check_dtype=False, atol=1e-6)

    queue = review_queue(engine=engine, reviewer=DEMO_REVIEWERS[0], now=NOW)
    assert len(queue) > 3 and queue["overdue"].sum() == 3
    assert queue["overdue"].tolist()[:3] == [True, True, True]  # overdue first (due earliest)

    sessions = list_calibration_sessions(engine=engine, reviewer=DEMO_REVIEWERS[0])
    assert len(sessions) == 1 and sessions.at[0, "panel"] == 3
    session = int(sessions.at[0, "id"])
    blind = calibration_ratings(engine=engine, session_id=session, viewer=DEMO_REVIEWERS[0])
    assert blind.hidden_items == 2
    full = calibration_ratings(engine=engine, session_id=session, viewer="admin", is_admin=True)
    assert full.ratings["reviewer"].nunique() == 3

    disputes = list_disputes(engine=engine)
    assert sorted(disputes["state"]) == ["open", "upheld"]
    upheld = disputes[disputes["state"] == "upheld"].iloc[0]
    assert upheld["resolved_by"] != upheld["reviewer"]

    coached = 0
    for agent in reviews["agent_id"].unique():
        notes = coaching_notes_for(engine=engine, agent_id=int(agent))
        coached += len(notes)
        for linked in notes["review_ids"]:
            assert linked and all(
                get_review(engine=engine, review_id=r)["criteria"] for r in linked
            )
    assert coached == 3

    with engine.connect() as conn:
        first_run = conn.scalar(select(func.min(qa_samples.c.id)))
        stored = conn.scalar(select(qa_samples.c.drawn_ids).where(qa_samples.c.id == first_run))
        assert conn.scalar(select(func.count()).where(qa_reviews.c.total.is_(None))) == 0
    assert redraw_run(engine=engine, sample_id=first_run).ids == json.loads(stored)
