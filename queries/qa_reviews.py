"""QA review data: a reviewer's queue, the interaction in full, and saving a review.

A review is scored on the criteria of its scorecard *as they were when the review was started*:
the first save stores them in `criteria_snapshot` (only the criteria that apply — a private
contact is not rated on "public defensibility"), and every later save and every reader uses the
snapshot, so editing a scorecard never rescores old reviews.

Scores are a mapping criterion id → points, or None for N/A; a criterion left out is "not rated
yet". A draft may be incomplete; a submit needs every criterion rated (N/A only where the
criterion allows it) and stores the score of `analytics.qa_score.review_score` — the one
definition of the review score. All writes go through queries/writes.py: one transaction,
audited, a new review for an assignment at most once (the assignment row is locked and
`qa_reviews.assignment_id` is unique), and edits optimistically locked (`StaleWriteError` says
who changed the review and carries the current version).
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError

from analytics.qa_score import Criterion, ReviewScore, is_not_applicable, review_score
from db.reference import DEFAULT_SCORECARD_NAME
from db.schema import (
    agents,
    calibration_items,
    calibration_panel,
    calibration_sessions,
    channels,
    customer_handles,
    customers,
    interactions,
    qa_assignments,
    qa_review_scores,
    qa_reviews,
    replies,
    scorecard_criteria,
    scorecards,
)
from db.threads import counts_as_contact
from queries.frames import read_frame
from queries.writes import (
    StaleWriteError,
    ValidationError,
    as_utc_naive,
    insert_record,
    public_row,
    require_record,
    transaction,
    update_child_record,
    update_record,
    utcnow,
)

OTHER_CONTACTS_DAYS = 30
COMMENT_MAX = 4000


@dataclass(frozen=True)
class ReviewCriterion:
    """A criterion as a review is scored on it (a row of the review's criteria snapshot)."""

    id: int
    name: str
    weight: float
    max_points: int
    critical: bool
    description: str | None = None
    applies_to: str = "all"
    allow_na: bool = True

    def for_scoring(self) -> Criterion:
        """The criterion as analytics.qa_score takes it."""
        return Criterion(self.id, self.name, self.weight, self.max_points, self.critical)


def scorecard_criteria_for(
    *, engine: Engine | Connection, scorecard_id: int, is_public: bool
) -> list[ReviewCriterion]:
    """The criteria of a scorecard that apply to a contact (public-only ones only to public
    contacts), in form order — what a new review is scored on."""
    c = scorecard_criteria.c
    statement = select(
        c.id, c.name, c.weight, c.max_points, c.critical, c.description, c.applies_to, c.allow_na
    ).where(c.scorecard_id == scorecard_id)
    if not is_public:
        statement = statement.where(c.applies_to == "all")
    statement = statement.order_by(c.position, c.id)
    with transaction(engine) as conn:
        rows = conn.execute(statement).mappings().all()
    return [
        ReviewCriterion(
            **{**row, "critical": bool(row["critical"]), "allow_na": bool(row["allow_na"])}
        )
        for row in rows
    ]


def criteria_from_snapshot(snapshot: str | None) -> list[ReviewCriterion]:
    """The criteria stored with a review (empty for a review stored before snapshots)."""
    return [ReviewCriterion(**item) for item in json.loads(snapshot or "[]")]


def scores_from_json(text: str | None) -> dict[int, float | None]:
    """A review's stored scores with integer criterion ids."""
    return {int(key): value for key, value in json.loads(text or "{}").items()}


def default_scorecard_id(*, engine: Engine | Connection) -> int | None:
    """The scorecard new reviews use: the active default one, else the oldest active one."""
    s = scorecards.c
    statement = (
        select(s.id)
        .where(s.active.is_(True))
        .order_by((s.name != DEFAULT_SCORECARD_NAME), s.id)
        .limit(1)
    )
    with transaction(engine) as conn:
        return conn.scalar(statement)


def review_queue(
    *, engine: Engine | Connection, reviewer: str, now: datetime | None = None
) -> pd.DataFrame:
    """A reviewer's open assignments, by due date then oldest contact first.

    Columns: assignment_id, interaction_id, channel_id, channel, is_public, agent_id, agent,
    team, created_at, due_at, overdue (due before `now`, default the current time), review_id,
    review_version (the reviewer's draft, if any).
    """
    moment = as_utc_naive(now) if now is not None else utcnow()
    a, i = qa_assignments.c, interactions.c
    statement = (
        select(
            a.id.label("assignment_id"),
            a.interaction_id,
            i.channel_id,
            channels.c.name.label("channel"),
            i.is_public,
            i.agent_id,
            agents.c.name.label("agent"),
            agents.c.team,
            i.created_at,
            a.due_at,
            and_(a.due_at.is_not(None), a.due_at < moment).label("overdue"),
            qa_reviews.c.id.label("review_id"),
            qa_reviews.c.version.label("review_version"),
        )
        .join(interactions, interactions.c.id == a.interaction_id)
        .join(channels, channels.c.id == i.channel_id)
        .outerjoin(agents, agents.c.id == i.agent_id)
        .outerjoin(qa_reviews, qa_reviews.c.assignment_id == a.id)
        .where(a.reviewer == reviewer, a.status == "open")
        # Undated assignments last on both backends (NULLs sort first on SQLite).
        .order_by(a.due_at.is_(None), a.due_at, i.created_at, a.id)
    )
    frame = read_frame(engine=engine, statement=statement)
    frame["overdue"] = frame["overdue"].astype(bool)
    frame["is_public"] = frame["is_public"].astype(bool)
    return frame


@dataclass(frozen=True)
class InteractionDetail:
    """An interaction in full for the review form.

    interaction: the row with channel, customer, agent and team names;
    messages: the conversation in time order (at, direction, author, body, kind — "message"
    for stored messages, "reply" for a reply of the review workflow — and state);
    other_contacts: the customer's other contacts within `OTHER_CONTACTS_DAYS` days before or
    after it, on any channel (id, channel_id, channel, handle, created_at, topic, status, agent,
    body).
    """

    interaction: dict[str, Any]
    messages: pd.DataFrame
    other_contacts: pd.DataFrame


def interaction_detail(
    *, engine: Engine | Connection, interaction_id: int, days: int = OTHER_CONTACTS_DAYS
) -> InteractionDetail | None:
    """The interaction, its conversation and the customer's other contacts; None if unknown."""
    i = interactions.c
    with transaction(engine) as conn:
        row = (
            conn.execute(
                select(
                    interactions,
                    channels.c.name.label("channel"),
                    customers.c.name.label("customer"),
                    agents.c.name.label("agent"),
                    agents.c.team,
                )
                .join(channels, channels.c.id == i.channel_id)
                .outerjoin(customers, customers.c.id == i.customer_id)
                .outerjoin(agents, agents.c.id == i.agent_id)
                .where(i.id == interaction_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        detail = dict(row)
        messages = read_frame(engine=conn, statement=_conversation(detail))
        others = read_frame(engine=conn, statement=_other_contacts(detail, days))
    messages = messages.sort_values(["at", "kind"], kind="mergesort").reset_index(drop=True)
    return InteractionDetail(detail, messages, others)


def _conversation(detail: Mapping[str, Any]):
    i = interactions.c
    if detail["conversation_id"] is None:
        same_thread = i.id == detail["id"]
    else:
        same_thread = and_(
            i.source == detail["source"], i.conversation_id == detail["conversation_id"]
        )
    thread_ids = select(i.id).where(same_thread)
    author = case(
        (i.direction == "inbound", func.coalesce(customers.c.name, literal("Customer"))),
        else_=func.coalesce(agents.c.name, literal("Agent")),
    )
    stored = (
        select(
            i.created_at.label("at"),
            i.direction,
            author.label("author"),
            i.body,
            literal("message").label("kind"),
            literal(None).label("state"),
        )
        .outerjoin(customers, customers.c.id == i.customer_id)
        .outerjoin(agents, agents.c.id == i.agent_id)
        .where(same_thread)
    )
    r = replies.c
    written = (
        select(
            func.coalesce(r.published_at, r.reviewed_at, r.submitted_at, r.created_at).label("at"),
            literal("outbound").label("direction"),
            func.coalesce(agents.c.name, literal("Agent")).label("author"),
            r.body,
            literal("reply").label("kind"),
            r.state,
        )
        .outerjoin(agents, agents.c.id == r.author_agent_id)
        .where(r.interaction_id.in_(thread_ids))
    )
    return union_all(stored, written)


def _other_contacts(detail: Mapping[str, Any], days: int):
    i = interactions.c
    h = customer_handles.c
    handle = (
        select(func.min(h.handle))
        .where(h.customer_id == i.customer_id, h.channel_id == i.channel_id)
        .scalar_subquery()
    )
    window = timedelta(days=days)
    conditions = [
        i.customer_id == detail["customer_id"],
        counts_as_contact(),
        i.id != detail["id"],
        i.created_at >= detail["created_at"] - window,
        i.created_at <= detail["created_at"] + window,
    ]
    if detail["conversation_id"] is not None:
        conditions.append(
            or_(i.conversation_id.is_(None), i.conversation_id != detail["conversation_id"])
        )
    return (
        select(
            i.id,
            i.channel_id,
            channels.c.name.label("channel"),
            handle.label("handle"),
            i.created_at,
            i.topic,
            i.status,
            agents.c.name.label("agent"),
            i.body,
        )
        .join(channels, channels.c.id == i.channel_id)
        .outerjoin(agents, agents.c.id == i.agent_id)
        .where(*conditions)
        .order_by(i.created_at, i.id)
    )


def get_review(*, engine: Engine | Connection, review_id: int) -> dict[str, Any] | None:
    """A review with `scores` ({criterion id: points or None}), `criteria` (its snapshot as
    ReviewCriterion) and `criterion_comments` ({criterion id: text}) parsed; None if unknown."""
    with transaction(engine) as conn:
        row = (
            conn.execute(select(qa_reviews).where(qa_reviews.c.id == review_id)).mappings().first()
        )
    return None if row is None else _parsed(row)


def _parsed(row: Mapping[str, Any]) -> dict[str, Any]:
    review = public_row(row)
    review["scores"] = scores_from_json(row["scores"])
    review["criteria"] = criteria_from_snapshot(row["criteria_snapshot"])
    review["criterion_comments"] = {
        int(key): value for key, value in json.loads(row["criterion_comments"] or "{}").items()
    }
    return review


def checked_scores(
    criteria: list[ReviewCriterion],
    scores: Mapping[Any, Any],
    *,
    complete: bool,
    errors: dict[str, str],
) -> dict[int, float | None]:
    """Scores keyed by criterion id, checked against the criteria; problems go to `errors` as
    "scores.<criterion id>". With `complete`, every criterion must be rated and N/A allowed."""
    by_id = {criterion.id: criterion for criterion in criteria}
    clean: dict[int, float | None] = {}
    for key, value in scores.items():
        try:
            criterion_id = int(key)
        except (TypeError, ValueError):
            criterion_id = None
        criterion = by_id.get(criterion_id)
        if criterion is None:
            errors[f"scores.{key}"] = "is not a criterion of this review"
            continue
        if is_not_applicable(value):
            clean[criterion.id] = None
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            errors[f"scores.{key}"] = "must be a number of points or N/A"
        elif not 0 <= value <= criterion.max_points:
            errors[f"scores.{key}"] = f"must be between 0 and {criterion.max_points}"
        else:
            clean[criterion.id] = float(value)
    if complete:
        for criterion in criteria:
            field = f"scores.{criterion.id}"
            if criterion.id not in clean and field not in errors:
                errors[field] = f"{criterion.name}: give points or N/A before submitting"
            elif criterion.id in clean and clean[criterion.id] is None and not criterion.allow_na:
                errors[field] = f"{criterion.name} cannot be N/A"
    return clean


def score_of(criteria: list[ReviewCriterion], scores: Mapping[int, float | None]) -> ReviewScore:
    """The review score of checked scores on these criteria (analytics.qa_score)."""
    return review_score([criterion.for_scoring() for criterion in criteria], scores)


def save_review(
    *,
    engine: Engine | Connection,
    actor: str,
    scores: Mapping[Any, float | None],
    submit: bool,
    comment: str | None = None,
    criterion_comments: Mapping[Any, str] | None = None,
    review_id: int | None = None,
    expected_version: int | None = None,
    assignment_id: int | None = None,
    calibration_session_id: int | None = None,
    interaction_id: int | None = None,
    scorecard_id: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Save a review as a draft (`submit=False`) or submit it; returns the review (`get_review`
    shape).

    A new review names what it reviews: `assignment_id` (from the queue),
    `calibration_session_id` + `interaction_id` (a calibration rating; `actor` must be on the
    panel), or `interaction_id` alone (an ad-hoc review; `scorecard_id` or the default one).
    An existing one is named by `review_id` + `expected_version` (the version the form showed),
    and only its reviewer may change it. Submitting a review for an assignment closes the
    assignment.

    Raises ValidationError (field → message; nothing written) for bad scores or comments,
    StaleWriteError when the review was changed since `expected_version`, or when the assignment
    or calibration item was already reviewed by someone (`current` = that review).
    """
    moment = as_utc_naive(now) if now is not None else utcnow()
    try:
        with transaction(engine) as conn:
            return _save(
                conn,
                actor=actor,
                scores=scores,
                submit=submit,
                comment=comment,
                criterion_comments=criterion_comments or {},
                review_id=review_id,
                expected_version=expected_version,
                assignment_id=assignment_id,
                calibration_session_id=calibration_session_id,
                interaction_id=interaction_id,
                scorecard_id=scorecard_id,
                now=moment,
            )
    except IntegrityError:
        # SQLite does not lock the assignment row: a twin insert ends on the unique index.
        if review_id is not None:
            raise
        existing = _existing_review(
            engine, assignment_id, calibration_session_id, interaction_id, actor
        )
        if existing is None:
            raise
        raise _already_reviewed(existing) from None


def _existing_review(
    engine: Engine | Connection,
    assignment_id: int | None,
    calibration_session_id: int | None,
    interaction_id: int | None,
    reviewer: str,
) -> dict[str, Any] | None:
    r = qa_reviews.c
    if assignment_id is not None:
        condition = r.assignment_id == assignment_id
    elif calibration_session_id is not None:
        condition = and_(
            r.calibration_session_id == calibration_session_id,
            r.interaction_id == interaction_id,
            r.reviewer == reviewer,
        )
    else:
        return None
    with transaction(engine) as conn:
        row = conn.execute(select(qa_reviews).where(condition)).mappings().first()
    return None if row is None else dict(row)


def _already_reviewed(existing: Mapping[str, Any]) -> StaleWriteError:
    return StaleWriteError(
        _parsed(existing), existing["updated_by"] or existing["reviewer"], existing["updated_at"]
    )


def _save(
    conn: Connection,
    *,
    actor: str,
    scores: Mapping[Any, float | None],
    submit: bool,
    comment: str | None,
    criterion_comments: Mapping[Any, str],
    review_id: int | None,
    expected_version: int | None,
    assignment_id: int | None,
    calibration_session_id: int | None,
    interaction_id: int | None,
    scorecard_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    new_values: dict[str, Any] = {}
    if review_id is None:
        new_values = _new_review_target(
            conn, actor, assignment_id, calibration_session_id, interaction_id, scorecard_id
        )
        target = require_record(conn, interactions, new_values["interaction_id"])
        new_values["agent_id"] = target["agent_id"]
        criteria = scorecard_criteria_for(
            engine=conn,
            scorecard_id=new_values["scorecard_id"],
            is_public=bool(target["is_public"]),
        )
        new_values["criteria_snapshot"] = json.dumps([asdict(c) for c in criteria])
    else:
        if expected_version is None:
            raise ValueError("editing a review needs the expected_version the form showed")
        current = require_record(conn, qa_reviews, review_id)
        if current["reviewer"] != actor:
            raise ValidationError(
                {"reviewer": f"only {current['reviewer']} can change this review"}
            )
        criteria = criteria_from_snapshot(current["criteria_snapshot"])

    errors: dict[str, str] = {}
    clean = checked_scores(criteria, scores, complete=submit, errors=errors)
    notes = _checked_comments(criteria, comment, criterion_comments, errors)
    result = None
    if not errors:
        result = score_of(criteria, clean)
        if submit and result.score is None:
            errors["scores"] = "rate at least one criterion (not every criterion can be N/A)"
    if errors:
        raise ValidationError(errors)

    values = {
        "scores": json.dumps({str(key): value for key, value in clean.items()}),
        "comment": notes["comment"],
        "criterion_comments": notes["criterion_comments"],
        "status": "submitted" if submit else "draft",
        "total": result.score if submit else None,
        "auto_failed": bool(result.auto_failed) if submit else False,
    }
    if review_id is None:
        values.update(new_values, reviewer=actor, created_at=now)
        if submit:
            values["submitted_at"] = now
        stored = insert_record(engine=conn, table=qa_reviews, values=values, user=actor)
    else:
        if submit and current["submitted_at"] is None:
            values["submitted_at"] = now
        stored = update_record(
            engine=conn,
            table=qa_reviews,
            record_id=review_id,
            expected_version=expected_version,
            changes=values,
            user=actor,
        )
    store_criterion_scores(conn, stored["id"], criteria, clean)
    if submit and stored["assignment_id"] is not None:
        update_child_record(
            engine=conn,
            table=qa_assignments,
            record_id=stored["assignment_id"],
            changes={"status": "done"},
            user=actor,
        )
    return _parsed(require_record(conn, qa_reviews, stored["id"]))


def criterion_score_rows(
    review_id: int, criteria: list[ReviewCriterion], scores: Mapping[int, float | None]
) -> list[dict[str, Any]]:
    """qa_review_scores rows of a review: one per criterion in `scores` (points None = N/A)."""
    return [
        {
            "review_id": review_id,
            "criterion_id": criterion.id,
            "name": criterion.name,
            "points": scores[criterion.id],
            "max_points": criterion.max_points,
            "critical": criterion.critical,
        }
        for criterion in criteria
        if criterion.id in scores
    ]


def store_criterion_scores(
    conn: Connection,
    review_id: int,
    criteria: list[ReviewCriterion],
    scores: Mapping[int, float | None],
) -> None:
    """Replace the review's qa_review_scores rows with `scores` (checked) on its criteria, in
    the caller's transaction (the review row's audit covers them: its `scores` is the same)."""
    conn.execute(delete(qa_review_scores).where(qa_review_scores.c.review_id == review_id))
    rows = criterion_score_rows(review_id, criteria, scores)
    if rows:
        conn.execute(insert(qa_review_scores), rows)


def _new_review_target(
    conn: Connection,
    actor: str,
    assignment_id: int | None,
    calibration_session_id: int | None,
    interaction_id: int | None,
    scorecard_id: int | None,
) -> dict[str, Any]:
    """interaction_id, scorecard_id and assignment/session of a new review, checked; raises
    StaleWriteError when the assignment or the actor's calibration item is reviewed already."""
    if assignment_id is not None:
        # Locked on PostgreSQL: a twin submit waits here, then finds the first one's review.
        assignment = require_record(conn, qa_assignments, assignment_id, for_update=True)
        existing = _existing_review(conn, assignment_id, None, None, actor)
        if existing is not None:
            raise _already_reviewed(existing)
        return {
            "assignment_id": assignment_id,
            "interaction_id": assignment["interaction_id"],
            "scorecard_id": scorecard_id or default_scorecard_id(engine=conn),
        }
    if interaction_id is None:
        raise ValueError("a new review needs an assignment_id or an interaction_id")
    if calibration_session_id is None:
        card = scorecard_id or default_scorecard_id(engine=conn)
        if card is None:
            raise ValidationError({"scorecard_id": "there is no active scorecard"})
        return {"interaction_id": interaction_id, "scorecard_id": card}
    session = require_record(conn, calibration_sessions, calibration_session_id, for_update=True)
    errors: dict[str, str] = {}
    if session["state"] != "open":
        errors["calibration_session_id"] = "this calibration session is closed"
    on_panel = conn.scalar(
        select(calibration_panel.c.id).where(
            calibration_panel.c.session_id == calibration_session_id,
            calibration_panel.c.reviewer == actor,
        )
    )
    if on_panel is None:
        errors["reviewer"] = f"{actor} is not on this calibration panel"
    item = conn.scalar(
        select(calibration_items.c.id).where(
            calibration_items.c.session_id == calibration_session_id,
            calibration_items.c.interaction_id == interaction_id,
        )
    )
    if item is None:
        errors["interaction_id"] = "this interaction is not an item of the session"
    if errors:
        raise ValidationError(errors)
    existing = _existing_review(conn, None, calibration_session_id, interaction_id, actor)
    if existing is not None:
        raise _already_reviewed(existing)
    return {
        "calibration_session_id": calibration_session_id,
        "interaction_id": interaction_id,
        "scorecard_id": session["scorecard_id"],
    }


def _checked_comments(
    criteria: list[ReviewCriterion],
    comment: str | None,
    criterion_comments: Mapping[Any, str],
    errors: dict[str, str],
) -> dict[str, str | None]:
    known = {criterion.id for criterion in criteria}
    if comment is not None and len(comment) > COMMENT_MAX:
        errors["comment"] = f"must be at most {COMMENT_MAX} characters"
    per_criterion: dict[str, str] = {}
    for key, text in criterion_comments.items():
        field = f"comments.{key}"
        try:
            criterion_id = int(key)
        except (TypeError, ValueError):
            criterion_id = None
        if criterion_id not in known:
            errors[field] = "is not a criterion of this review"
        elif text is not None and len(text) > COMMENT_MAX:
            errors[field] = f"must be at most {COMMENT_MAX} characters"
        elif text and text.strip():
            per_criterion[str(criterion_id)] = text.strip()
    return {
        "comment": comment.strip() if comment and comment.strip() else None,
        "criterion_comments": json.dumps(per_criterion) if per_criterion else None,
    }
