"""Calibration sessions: a panel of reviewers scores the same interactions, blind.

A session names a scorecard, its items (interactions) and its panel (reviewers). Each panelist
rates an item as a qa_reviews row with the session's id (`queries.qa_reviews.save_review` with
`calibration_session_id`); such ratings never count in agent quality.

Blind: `calibration_ratings` gives a panelist their own ratings, and the others' ratings of an
item only once they have submitted their own rating of it; an admin sees every submitted rating.
Drafts are never shown to anyone but their author. The result frame is the input of
`analytics.calibration` (alpha per criterion, deviation from the panel mean, widest spread).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, exists, func, insert, or_, select

from analytics.qa_score import Criterion
from db.schema import (
    calibration_items,
    calibration_panel,
    calibration_sessions,
    channels,
    interactions,
    qa_reviews,
    scorecards,
)
from queries.frames import read_frame
from queries.qa_reviews import criteria_from_snapshot, default_scorecard_id, scores_from_json
from queries.writes import (
    ValidationError,
    as_utc_naive,
    audit,
    insert_record,
    require_record,
    stored_by_key,
    transaction,
    utcnow,
)

RATING_COLUMNS = ["interaction_id", "reviewer", "criterion_id", "points"]
MIN_PANEL = 2


def create_calibration_session(
    *,
    engine: Engine | Connection,
    name: str,
    interaction_ids: Sequence[int],
    reviewers: Sequence[str],
    actor: str,
    scorecard_id: int | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Create a session with its items and panel in one transaction; returns the session row
    with `interaction_ids` and `reviewers`. A repeated submit with the same key returns the
    first session. ValidationError: no name, no interaction, fewer than two reviewers, unknown
    interactions or scorecard."""
    moment = as_utc_naive(now) if now is not None else utcnow()
    errors: dict[str, str] = {}
    title = (name or "").strip()
    if not title:
        errors["name"] = "is required"
    elif len(title) > 200:
        errors["name"] = "must be at most 200 characters"
    items = sorted({int(value) for value in interaction_ids})
    panel = sorted({value.strip().lower() for value in reviewers if value and value.strip()})
    if not items:
        errors["interaction_ids"] = "choose at least one interaction"
    if len(panel) < MIN_PANEL:
        errors["reviewers"] = f"a panel needs at least {MIN_PANEL} reviewers"
    with transaction(engine) as conn:
        repeated = stored_by_key(conn, calibration_sessions, idempotency_key)
        if repeated is not None:
            return get_calibration_session(engine=conn, session_id=repeated["id"])
        card = scorecard_id or default_scorecard_id(engine=conn)
        if (
            card is None
            or conn.scalar(select(scorecards.c.id).where(scorecards.c.id == card)) is None
        ):
            errors["scorecard_id"] = "choose an existing scorecard"
        known = set(conn.scalars(select(interactions.c.id).where(interactions.c.id.in_(items))))
        if set(items) - known:
            errors["interaction_ids"] = f"unknown interactions {sorted(set(items) - known)}"
        if errors:
            raise ValidationError(errors)
        session = insert_record(
            engine=conn,
            table=calibration_sessions,
            values={
                "name": title,
                "scorecard_id": card,
                "state": "open",
                "created_by": actor,
                "created_at": moment,
            },
            user=actor,
            idempotency_key=idempotency_key,
        )
        conn.execute(
            insert(calibration_items),
            [{"session_id": session["id"], "interaction_id": item} for item in items],
        )
        conn.execute(
            insert(calibration_panel),
            [{"session_id": session["id"], "reviewer": reviewer} for reviewer in panel],
        )
        audit(
            conn,
            user=actor,
            action="insert",
            table="calibration_items",
            record_id=f"session {session['id']}",
            after={"interaction_ids": items, "reviewers": panel},
        )
        return get_calibration_session(engine=conn, session_id=session["id"])


def get_calibration_session(*, engine: Engine | Connection, session_id: int) -> dict[str, Any]:
    """A session row with `interaction_ids` and `reviewers` (sorted)."""
    with transaction(engine) as conn:
        session = require_record(conn, calibration_sessions, session_id)
        items = conn.scalars(
            select(calibration_items.c.interaction_id)
            .where(calibration_items.c.session_id == session_id)
            .order_by(calibration_items.c.interaction_id)
        ).all()
        panel = conn.scalars(
            select(calibration_panel.c.reviewer)
            .where(calibration_panel.c.session_id == session_id)
            .order_by(calibration_panel.c.reviewer)
        ).all()
    return {**session, "interaction_ids": list(items), "reviewers": list(panel)}


def list_calibration_sessions(
    *, engine: Engine | Connection, reviewer: str | None = None
) -> pd.DataFrame:
    """Sessions, newest first (those `reviewer` is on, if given): id, name, state, created_by,
    created_at, items, panel, submitted (ratings submitted so far)."""
    s = calibration_sessions.c
    items = select(func.count()).where(calibration_items.c.session_id == s.id).scalar_subquery()
    panel = select(func.count()).where(calibration_panel.c.session_id == s.id).scalar_subquery()
    submitted = (
        select(func.count())
        .where(qa_reviews.c.calibration_session_id == s.id, qa_reviews.c.status == "submitted")
        .scalar_subquery()
    )
    statement = select(
        s.id,
        s.name,
        s.state,
        s.created_by,
        s.created_at,
        items.label("items"),
        panel.label("panel"),
        submitted.label("submitted"),
    ).order_by(s.created_at.desc(), s.id.desc())
    if reviewer is not None:
        statement = statement.where(
            exists().where(
                calibration_panel.c.session_id == s.id, calibration_panel.c.reviewer == reviewer
            )
        )
    return read_frame(engine=engine, statement=statement)


def session_items(*, engine: Engine | Connection, session_id: int, reviewer: str) -> pd.DataFrame:
    """The items of a session as `reviewer` works through them: interaction_id, channel,
    is_public, created_at, review_id, review_status, review_version (their own rating)."""
    i, r = interactions.c, qa_reviews.c
    own = and_(
        r.calibration_session_id == session_id,
        r.interaction_id == calibration_items.c.interaction_id,
        r.reviewer == reviewer,
    )
    statement = (
        select(
            calibration_items.c.interaction_id,
            channels.c.name.label("channel"),
            i.is_public,
            i.created_at,
            r.id.label("review_id"),
            r.status.label("review_status"),
            r.version.label("review_version"),
        )
        .join(interactions, i.id == calibration_items.c.interaction_id)
        .join(channels, channels.c.id == i.channel_id)
        .outerjoin(qa_reviews, own)
        .where(calibration_items.c.session_id == session_id)
        .order_by(i.created_at, i.id)
    )
    return read_frame(engine=engine, statement=statement)


@dataclass(frozen=True)
class CalibrationRatings:
    """The ratings a viewer may see (RATING_COLUMNS, one row per rated or N/A criterion —
    points NaN for N/A), the criteria they were scored on (for analytics.calibration), and how
    many items' other ratings are still hidden from the viewer."""

    ratings: pd.DataFrame
    criteria: list[Criterion]
    hidden_items: int


def calibration_ratings(
    *, engine: Engine | Connection, session_id: int, viewer: str, is_admin: bool = False
) -> CalibrationRatings:
    """Submitted ratings of a session as `viewer` may see them (blind until they submit)."""
    r = qa_reviews.c
    mine = qa_reviews.alias("mine")
    viewer_submitted = exists().where(
        mine.c.calibration_session_id == session_id,
        mine.c.interaction_id == r.interaction_id,
        mine.c.reviewer == viewer,
        mine.c.status == "submitted",
    )
    statement = select(r.interaction_id, r.reviewer, r.scores, r.criteria_snapshot).where(
        r.calibration_session_id == session_id, r.status == "submitted"
    )
    if not is_admin:
        statement = statement.where(or_(r.reviewer == viewer, viewer_submitted))
    with transaction(engine) as conn:
        require_record(conn, calibration_sessions, session_id)
        rows = conn.execute(statement.order_by(r.interaction_id, r.reviewer)).all()
        hidden = 0 if is_admin else _hidden_items(conn, session_id, viewer)
    records = []
    criteria: dict[int, Criterion] = {}
    for interaction_id, reviewer, scores, snapshot in rows:
        for criterion in criteria_from_snapshot(snapshot):
            criteria.setdefault(criterion.id, criterion.for_scoring())
        for criterion_id, points in scores_from_json(scores).items():
            records.append((interaction_id, reviewer, criterion_id, points))
    ratings = pd.DataFrame(records, columns=RATING_COLUMNS)
    ratings["points"] = ratings["points"].astype(float)
    return CalibrationRatings(ratings, list(criteria.values()), hidden)


def _hidden_items(conn: Connection, session_id: int, viewer: str) -> int:
    """Items with others' submitted ratings that `viewer` has not submitted a rating of yet."""
    r = qa_reviews.c
    others = select(r.interaction_id).where(
        r.calibration_session_id == session_id, r.status == "submitted", r.reviewer != viewer
    )
    own = select(r.interaction_id).where(
        r.calibration_session_id == session_id, r.status == "submitted", r.reviewer == viewer
    )
    return len(set(conn.scalars(others)) - set(conn.scalars(own)))
