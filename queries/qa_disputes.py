"""Disputes of QA reviews and coaching notes for agents.

Dispute: a supervisor opens one on a submitted review with a reason; the review's score at that
moment is kept on the dispute (old_total, old_auto_failed, old_scores). A second reviewer — never
the review's own reviewer — resolves it: "upheld" (the score stands) or "rescored" (new points on
the review's own criteria snapshot, scored by `analytics.qa_score`; the review is updated under
its version, and the dispute records new_total). One open dispute per review at a time. Every
change is audited through queries/writes.py in the same transaction.

Coaching note: a note for an agent, linked to the reviews it came from (reviews of that agent's
contacts), shown on the agent's drill-down.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.schema import agents, coaching_note_reviews, coaching_notes, interactions, qa_disputes
from db.schema import qa_reviews as reviews_table
from queries.frames import read_frame
from queries.qa_reviews import (
    checked_scores,
    criteria_from_snapshot,
    score_of,
    store_criterion_scores,
)
from queries.writes import (
    ValidationError,
    as_utc_naive,
    insert_record,
    require_record,
    stored_by_key,
    transaction,
    update_record,
    utcnow,
)

OUTCOMES: tuple[str, ...] = ("upheld", "rescored")
TEXT_MAX = 4000


def _required_text(value: str | None, field: str, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = "is required"
    elif len(text) > TEXT_MAX:
        errors[field] = f"must be at most {TEXT_MAX} characters"
    return text


def open_dispute(
    *,
    engine: Engine | Connection,
    review_id: int,
    reason: str,
    actor: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Open a dispute on a submitted review; returns the dispute row.

    ValidationError when the reason is empty, the review is a draft or a calibration rating, or
    it already has an open dispute. A repeated submit with the same key returns the first one.
    """
    moment = as_utc_naive(now) if now is not None else utcnow()
    errors: dict[str, str] = {}
    text = _required_text(reason, "reason", errors)
    with transaction(engine) as conn:
        repeated = stored_by_key(conn, qa_disputes, idempotency_key)
        if repeated is not None:
            return repeated
        # Locked on PostgreSQL so two supervisors cannot open two disputes at once.
        review = require_record(conn, reviews_table, review_id, for_update=True)
        if review["status"] != "submitted" or review["calibration_session_id"] is not None:
            errors["review_id"] = (
                "only a submitted review (not a calibration rating) can be disputed"
            )
        elif _open_dispute_id(conn, review_id) is not None:
            errors["review_id"] = "this review already has an open dispute"
        if errors:
            raise ValidationError(errors)
        return insert_record(
            engine=conn,
            table=qa_disputes,
            values={
                "review_id": review_id,
                "opened_by": actor,
                "opened_at": moment,
                "reason": text,
                "state": "open",
                "old_total": review["total"],
                "old_auto_failed": review["auto_failed"],
                "old_scores": review["scores"],
            },
            user=actor,
            idempotency_key=idempotency_key,
        )


def _open_dispute_id(conn: Connection, review_id: int) -> int | None:
    return conn.scalar(
        select(qa_disputes.c.id).where(
            qa_disputes.c.review_id == review_id, qa_disputes.c.state == "open"
        )
    )


def resolve_dispute(
    *,
    engine: Engine | Connection,
    dispute_id: int,
    expected_version: int,
    outcome: str,
    note: str,
    actor: str,
    scores: dict[Any, float | None] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Resolve an open dispute as "upheld" or "rescored" (with `scores` for every criterion of
    the review); returns the dispute row.

    ValidationError when the actor reviewed the disputed review, the dispute is already
    resolved, the note is empty or the scores are incomplete; StaleWriteError when the dispute
    or the review changed since the form read them.
    """
    moment = as_utc_naive(now) if now is not None else utcnow()
    errors: dict[str, str] = {}
    text = _required_text(note, "note", errors)
    if outcome not in OUTCOMES:
        errors["outcome"] = f"must be one of {', '.join(OUTCOMES)}"
    with transaction(engine) as conn:
        dispute = require_record(conn, qa_disputes, dispute_id)
        review = require_record(conn, reviews_table, dispute["review_id"], for_update=True)
        if review["reviewer"] == actor:
            errors["resolved_by"] = (
                "a dispute is resolved by a second reviewer, not the original one"
            )
        if dispute["state"] != "open" and dispute["version"] == expected_version:
            errors["state"] = f"this dispute is already {dispute['state']}"
        new_total = review["total"]
        changes: dict[str, Any] = {}
        if outcome == "rescored":
            criteria = criteria_from_snapshot(review["criteria_snapshot"])
            clean = checked_scores(criteria, scores or {}, complete=True, errors=errors)
            if not errors:
                result = score_of(criteria, clean)
                new_total = result.score
                changes = {
                    "scores": json.dumps({str(key): value for key, value in clean.items()}),
                    "total": result.score,
                    "auto_failed": result.auto_failed,
                }
        if errors:
            raise ValidationError(errors)
        # The dispute's version first: a stale resolution form changes nothing.
        resolved = update_record(
            engine=conn,
            table=qa_disputes,
            record_id=dispute_id,
            expected_version=expected_version,
            changes={
                "state": outcome,
                "resolved_by": actor,
                "resolved_at": moment,
                "resolution_note": text,
                "new_total": new_total,
            },
            user=actor,
        )
        if changes:
            store_criterion_scores(conn, review["id"], criteria, clean)
            update_record(
                engine=conn,
                table=reviews_table,
                record_id=review["id"],
                expected_version=review["version"],
                changes=changes,
                user=actor,
            )
        return resolved


def list_disputes(
    *,
    engine: Engine | Connection,
    state: str | None = None,
    agent_id: int | None = None,
) -> pd.DataFrame:
    """Disputes, newest first: the dispute's columns plus interaction_id, agent_id, agent,
    reviewer and the review's current total."""
    d, r, i = qa_disputes.c, reviews_table.c, interactions.c
    statement = (
        select(
            qa_disputes,
            r.interaction_id,
            i.agent_id,
            agents.c.name.label("agent"),
            r.reviewer,
            r.total.label("current_total"),
        )
        .join(reviews_table, r.id == d.review_id)
        .join(interactions, i.id == r.interaction_id)
        .outerjoin(agents, agents.c.id == i.agent_id)
        .order_by(d.opened_at.desc(), d.id.desc())
    )
    if state is not None:
        statement = statement.where(d.state == state)
    if agent_id is not None:
        statement = statement.where(i.agent_id == agent_id)
    return read_frame(engine=engine, statement=statement)


def add_coaching_note(
    *,
    engine: Engine | Connection,
    agent_id: int,
    body: str,
    review_ids: Sequence[int],
    actor: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Write a coaching note for an agent linked to the reviews it came from (reviews of the
    agent's contacts); returns the note with `review_ids`."""
    moment = as_utc_naive(now) if now is not None else utcnow()
    errors: dict[str, str] = {}
    text = _required_text(body, "body", errors)
    wanted = sorted({int(review_id) for review_id in review_ids})
    with transaction(engine) as conn:
        repeated = stored_by_key(conn, coaching_notes, idempotency_key)
        if repeated is not None:
            return _note(conn, repeated["id"])
        if conn.scalar(select(agents.c.id).where(agents.c.id == agent_id)) is None:
            errors["agent_id"] = "unknown agent"
        found = set(
            conn.scalars(
                select(reviews_table.c.id)
                .join(interactions, interactions.c.id == reviews_table.c.interaction_id)
                .where(reviews_table.c.id.in_(wanted), interactions.c.agent_id == agent_id)
            )
        )
        if set(wanted) - found:
            errors["review_ids"] = (
                f"not reviews of this agent's contacts: {sorted(set(wanted) - found)}"
            )
        if errors:
            raise ValidationError(errors)
        note = insert_record(
            engine=conn,
            table=coaching_notes,
            values={"agent_id": agent_id, "author": actor, "body": text, "created_at": moment},
            user=actor,
            idempotency_key=idempotency_key,
        )
        for review_id in wanted:
            insert_record(
                engine=conn,
                table=coaching_note_reviews,
                values={"note_id": note["id"], "review_id": review_id},
                user=actor,
            )
        return _note(conn, note["id"])


def _note(conn: Connection, note_id: int) -> dict[str, Any]:
    note = require_record(conn, coaching_notes, note_id)
    links = select(coaching_note_reviews.c.review_id).where(
        coaching_note_reviews.c.note_id == note_id
    )
    return {**note, "review_ids": sorted(conn.scalars(links))}


def coaching_notes_for(*, engine: Engine | Connection, agent_id: int) -> pd.DataFrame:
    """An agent's coaching notes, newest first: id, author, body, created_at, review_ids (a
    sorted list)."""
    n, link = coaching_notes.c, coaching_note_reviews.c
    with transaction(engine) as conn:
        notes = read_frame(
            engine=conn,
            statement=select(n.id, n.author, n.body, n.created_at)
            .where(n.agent_id == agent_id)
            .order_by(n.created_at.desc(), n.id.desc()),
        )
        links = read_frame(
            engine=conn,
            statement=select(link.note_id, link.review_id)
            .join(coaching_notes, n.id == link.note_id)
            .where(n.agent_id == agent_id),
        )
    by_note = links.groupby("note_id")["review_id"].agg(lambda ids: sorted(ids.tolist()))
    notes["review_ids"] = [by_note.get(note_id, []) for note_id in notes["id"]]
    return notes
