"""Calibration sessions on SQLite and PostgreSQL: created once, rated blind, results for alpha."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from analytics.calibration import criterion_agreement
from db.schema import interactions
from queries.calibration import (
    calibration_ratings,
    create_calibration_session,
    list_calibration_sessions,
    session_items,
)
from queries.qa_reviews import default_scorecard_id, save_review, scorecard_criteria_for
from queries.writes import ValidationError
from tests.builders import insert_interactions, interaction

T0 = datetime(2026, 11, 2, 9, 0)


def _interactions(engine) -> list[int]:
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(T0 + timedelta(hours=k), frt=30, external_id=f"cal-{k}")
                for k in range(2)
            ],
        )
        return list(conn.scalars(select(interactions.c.id).order_by(interactions.c.id)))


def _scores(engine, greeting: int) -> dict[int, float | None]:
    """Every criterion of a private contact at full marks, greeting at `greeting` of 5."""
    card = default_scorecard_id(engine=engine)
    criteria = scorecard_criteria_for(engine=engine, scorecard_id=card, is_public=False)
    return {c.id: (greeting if c.name == "Greeting and tone" else c.max_points) for c in criteria}


def _rate(engine, session, item, reviewer, greeting, *, submit=True):
    return save_review(
        engine=engine,
        actor=reviewer,
        scores=_scores(engine, greeting),
        submit=submit,
        calibration_session_id=session,
        interaction_id=item,
    )


def _session(engine, items):
    return create_calibration_session(
        engine=engine,
        name="November panel",
        interaction_ids=items,
        reviewers=["ann", "ben", "cat"],
        actor="lead",
        idempotency_key="cal-form-1",
    )


def test_a_session_is_created_once_with_items_and_panel(engine):
    items = _interactions(engine)
    session = _session(engine, items)
    assert session["interaction_ids"] == items
    assert session["reviewers"] == ["ann", "ben", "cat"]
    assert _session(engine, items)["id"] == session["id"]  # double submit
    assert len(list_calibration_sessions(engine=engine)) == 1
    assert list_calibration_sessions(engine=engine, reviewer="dan").empty
    with pytest.raises(ValidationError) as caught:
        create_calibration_session(
            engine=engine, name=" ", interaction_ids=[], reviewers=["ann"], actor="lead"
        )
    assert set(caught.value.field_errors) == {"name", "interaction_ids", "reviewers"}


def test_ratings_are_blind_until_the_reviewer_submits(engine):
    first, second = _interactions(engine)
    session = _session(engine, [first, second])["id"]
    _rate(engine, session, first, "ann", 5)
    _rate(engine, session, first, "cat", 3, submit=False)  # a draft is nobody else's business

    ben = calibration_ratings(engine=engine, session_id=session, viewer="ben")
    assert ben.ratings.empty and ben.hidden_items == 1

    _rate(engine, session, first, "ben", 4)
    ben = calibration_ratings(engine=engine, session_id=session, viewer="ben")
    assert set(ben.ratings["reviewer"]) == {"ann", "ben"} and ben.hidden_items == 0
    greeting = ben.ratings[ben.ratings["criterion_id"] == ben.criteria[0].id]
    assert dict(zip(greeting["reviewer"], greeting["points"], strict=True)) == {"ann": 5, "ben": 4}

    cat = calibration_ratings(engine=engine, session_id=session, viewer="cat")
    assert cat.ratings.empty and cat.hidden_items == 1  # her own draft is not a rating
    admin = calibration_ratings(engine=engine, session_id=session, viewer="root", is_admin=True)
    assert set(admin.ratings["reviewer"]) == {"ann", "ben"}

    with pytest.raises(ValidationError) as caught:  # not on the panel
        _rate(engine, session, first, "dan", 5)
    assert set(caught.value.field_errors) == {"reviewer"}
    mine = session_items(engine=engine, session_id=session, reviewer="cat")
    assert mine["review_status"].tolist()[0] == "draft" and mine["review_id"].isna().tolist()[1]


def test_results_feed_krippendorff_alpha(engine):
    first, second = _interactions(engine)
    session = _session(engine, [first, second])["id"]
    # Greeting (interval): item 1 rated 5, 5, 4; item 2 rated 2, 2, 2.
    for reviewer, (one, two) in {"ann": (5, 2), "ben": (5, 2), "cat": (4, 2)}.items():
        _rate(engine, session, first, reviewer, one)
        _rate(engine, session, second, reviewer, two)
    results = calibration_ratings(engine=engine, session_id=session, viewer="x", is_admin=True)
    agreement = criterion_agreement(results.ratings, results.criteria).set_index("criterion")
    # Interval alpha by hand (Krippendorff): n = 6 pairable values.
    # D_o = Σ_units Σ_(ordered pairs in unit) (a − b)² / (m_u − 1) / n = (4 / 2 + 0) / 6;
    # D_e = Σ_(ordered pairs of all values) (a − b)² / (n (n − 1)); alpha = 1 − D_o / D_e.
    values = [5, 5, 4, 2, 2, 2]
    pairs = sum((a - b) ** 2 for i, a in enumerate(values) for j, b in enumerate(values) if i != j)
    expected = 1 - (2 / 6) / (pairs / (6 * 5))
    assert agreement.at["Greeting and tone", "alpha"] == pytest.approx(expected)
    assert agreement.at["Greeting and tone", "interactions"] == 2
    assert agreement.at["Greeting and tone", "raters"] == 3
