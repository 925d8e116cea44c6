"""QA sampling data: candidate contacts for a rule, stored sampling runs and their assignments.

The rule itself (quota, strata, oversampling, exclusions, seed) is `analytics.qa_sampling`; this
module reads the contacts it draws from and stores what it drew.

- Candidates: contacts (`db.threads.counts_as_contact`) handled by an agent that *ended* in the
  period — resolved_at in [period_start, period_end) — with agent, team, channel, sentiment, csat,
  the escalation flag (priority 'high': the data has no other escalation mark) and `reviewed`:
  the contact already has a review outside calibration, or was drawn by an earlier run.
- "Earlier" is judged as of a moment (`as_of`): a stored run is re-drawn as of its own
  `created_at`, so its own assignments and later reviews don't exclude what it drew — same rule +
  seed + data give the same ids.
- A run is stored in one transaction: the qa_samples row (rule JSON, seed, drawn ids) and one
  assignment per drawn contact, shared among reviewers by `assign_balanced`, with a due date.
  A repeated submit with the same idempotency key returns the first run and creates nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, exists, insert, select

from analytics.qa_sampling import SampleDraw, SamplingRule, assign_balanced, draw_sample
from db.schema import agents, interactions, qa_assignments, qa_reviews, qa_samples
from db.threads import counts_as_contact
from queries.frames import read_frame
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

CANDIDATE_COLUMNS = [
    "id",
    "agent_id",
    "agent",
    "team",
    "channel",
    "ended_at",
    "sentiment",
    "csat",
    "escalated",
    "reviewed",
]


def sampling_candidates(
    *,
    engine: Engine | Connection,
    period_start: datetime,
    period_end: datetime,
    channels: Sequence[str] = (),
    agent_ids: Sequence[int] = (),
    teams: Sequence[str] = (),
    as_of: datetime | None = None,
) -> pd.DataFrame:
    """Contacts that ended in [period_start, period_end) (UTC) with an agent (CANDIDATE_COLUMNS).

    Empty channel / agent / team lists mean all. `reviewed` is judged as of `as_of` (default
    now): reviews created and runs stored before it.
    """
    moment = as_utc_naive(as_of) if as_of is not None else utcnow()
    i = interactions.c
    reviewed = exists().where(
        qa_reviews.c.interaction_id == i.id,
        qa_reviews.c.calibration_session_id.is_(None),
        qa_reviews.c.created_at < moment,
    ) | exists().where(
        qa_assignments.c.interaction_id == i.id,
        qa_assignments.c.sample_id == qa_samples.c.id,
        qa_samples.c.created_at < moment,
    )
    statement = (
        select(
            i.id,
            i.agent_id,
            agents.c.name.label("agent"),
            agents.c.team,
            i.channel_id.label("channel"),
            i.resolved_at.label("ended_at"),
            i.sentiment,
            i.csat,
            (i.priority == "high").label("escalated"),
            reviewed.label("reviewed"),
        )
        .join(agents, agents.c.id == i.agent_id)
        .where(
            counts_as_contact(),
            i.resolved_at >= as_utc_naive(period_start),
            i.resolved_at < as_utc_naive(period_end),
        )
        .order_by(i.id)
    )
    if channels:
        statement = statement.where(i.channel_id.in_(list(channels)))
    if agent_ids:
        statement = statement.where(i.agent_id.in_(list(agent_ids)))
    if teams:
        statement = statement.where(agents.c.team.in_(list(teams)))
    frame = read_frame(engine=engine, statement=statement)
    for flag in ("escalated", "reviewed"):
        frame[flag] = frame[flag].astype(bool)
    return frame


def _rule_scope(rule: SamplingRule) -> dict[str, Any]:
    if rule.period_start is None or rule.period_end is None:
        raise ValidationError({"period": "choose the period the contacts ended in"})
    return {
        "period_start": rule.period_start,
        "period_end": rule.period_end,
        "channels": rule.channels,
        "agent_ids": rule.agent_ids,
        "teams": rule.teams,
    }


def _scope_agents(conn: Connection, rule: SamplingRule) -> list[int]:
    """Every active agent the rule covers, so that one without contacts is reported short."""
    statement = select(agents.c.id).where(agents.c.active.is_(True))
    if rule.agent_ids:
        statement = statement.where(agents.c.id.in_(list(rule.agent_ids)))
    if rule.teams:
        statement = statement.where(agents.c.team.in_(list(rule.teams)))
    return list(conn.scalars(statement))


def preview_sample(
    *, engine: Engine | Connection, rule: SamplingRule, as_of: datetime | None = None
) -> SampleDraw:
    """What `rule` draws now (nothing stored): the sample, counts per agent × channel and the
    agents with fewer eligible contacts than the quota."""
    with transaction(engine) as conn:
        candidates = sampling_candidates(engine=conn, as_of=as_of, **_rule_scope(rule))
        scope = _scope_agents(conn, rule)
    return draw_sample(candidates, rule, agents=scope)


@dataclass(frozen=True)
class SamplingRun:
    """A stored run: its qa_samples row, the rule and drawn ids, and its assignments
    (assignment_id, interaction_id, reviewer, due_at, status); `created` is False when the
    submit repeated an earlier one (same idempotency key) and nothing new was stored."""

    sample_id: int
    rule: SamplingRule
    drawn_ids: list[int]
    assignments: pd.DataFrame
    created_by: str
    created_at: datetime
    created: bool


def create_sampling_run(
    *,
    engine: Engine | Connection,
    rule: SamplingRule,
    reviewers: Sequence[str],
    due_at: datetime,
    actor: str,
    idempotency_key: str,
    now: datetime | None = None,
) -> SamplingRun:
    """Draw `rule` and store the run with its assignments, balanced across `reviewers`.

    One transaction, audited (the run row and one summary row for its assignments). A second
    submit with the same `idempotency_key` returns the stored run (created=False).
    """
    moment = as_utc_naive(now) if now is not None else utcnow()
    errors: dict[str, str] = {}
    chosen = sorted({name.strip().lower() for name in reviewers if name and name.strip()})
    if not chosen:
        errors["reviewers"] = "choose at least one reviewer"
    if as_utc_naive(due_at) <= moment:
        errors["due_at"] = "the due date must be in the future"
    if not idempotency_key:
        raise ValueError("a sampling run needs the form's idempotency key")
    if errors:
        raise ValidationError(errors)
    with transaction(engine) as conn:
        stored = stored_by_key(conn, qa_samples, idempotency_key)
        if stored is not None:
            return get_sampling_run(engine=conn, sample_id=stored["id"])
        draw = preview_sample(engine=conn, rule=rule, as_of=moment)
        ids = [int(value) for value in draw.ids]
        if not ids:
            raise ValidationError({"rule": "no contact matches this rule: nothing to review"})
        sample = insert_record(
            engine=conn,
            table=qa_samples,
            values={
                "created_by": actor,
                "created_at": moment,
                "rule": rule.to_json(),
                "seed": rule.seed,
                "size": len(ids),
                "drawn_ids": json.dumps(ids),
            },
            user=actor,
            idempotency_key=idempotency_key,
        )
        if conn.scalar(
            select(qa_assignments.c.id).where(qa_assignments.c.sample_id == sample["id"]).limit(1)
        ):  # a twin submit committed first: its run is the one
            return get_sampling_run(engine=conn, sample_id=sample["id"])
        dealt = assign_balanced(ids, chosen, rule.seed)
        rows = [
            {
                "sample_id": sample["id"],
                "interaction_id": interaction_id,
                "reviewer": dealt[interaction_id],
                "due_at": as_utc_naive(due_at),
                "status": "open",
            }
            for interaction_id in ids
        ]
        conn.execute(insert(qa_assignments), rows)
        per_reviewer = {name: sum(r["reviewer"] == name for r in rows) for name in chosen}
        audit(
            conn,
            user=actor,
            action="assign",
            table=qa_assignments,
            record_id=f"sample {sample['id']}",
            after={"assignments": len(rows), "per_reviewer": json.dumps(per_reviewer)},
        )
        run = get_sampling_run(engine=conn, sample_id=sample["id"])
    return replace(run, created=True)


def get_sampling_run(*, engine: Engine | Connection, sample_id: int) -> SamplingRun:
    """A stored run with its rule, drawn ids and assignments (created=False)."""
    with transaction(engine) as conn:
        sample = require_record(conn, qa_samples, sample_id)
        a = qa_assignments.c
        assignments = read_frame(
            engine=conn,
            statement=select(
                a.id.label("assignment_id"), a.interaction_id, a.reviewer, a.due_at, a.status
            )
            .where(a.sample_id == sample_id)
            .order_by(a.interaction_id, a.id),
        )
    return SamplingRun(
        sample_id=sample_id,
        rule=SamplingRule.from_json(sample["rule"]),
        drawn_ids=json.loads(sample["drawn_ids"] or "[]"),
        assignments=assignments,
        created_by=sample["created_by"],
        created_at=sample["created_at"],
        created=False,
    )


def redraw_run(*, engine: Engine | Connection, sample_id: int) -> SampleDraw:
    """Draw a stored run's rule again on the data as it was when the run was made (`as_of` its
    created_at); the ids equal the stored `drawn_ids` unless contacts of the period changed."""
    run = get_sampling_run(engine=engine, sample_id=sample_id)
    return preview_sample(engine=engine, rule=run.rule, as_of=run.created_at)


def list_sampling_runs(*, engine: Engine | Connection, limit: int = 50) -> pd.DataFrame:
    """Recent runs, newest first: id, created_by, created_at, seed, size, rule (JSON)."""
    s = qa_samples.c
    statement = (
        select(s.id, s.created_by, s.created_at, s.seed, s.size, s.rule)
        .order_by(s.created_at.desc(), s.id.desc())
        .limit(max(1, min(int(limit), 1000)))
    )
    return read_frame(engine=engine, statement=statement)
