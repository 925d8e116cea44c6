"""Demo QA work on the default (social-care) scorecard, exercising every QA page:

- one sampling run per demo week, drawn by the real rule (`analytics.qa_sampling`: a quota per
  agent, stratified by channel, negative sentiment and low CSAT oversampled) when the week ends,
  and dealt to the demo reviewers with a due date; the stored rule re-draws the same ids;
- reviews of most assignments within days, scored by `analytics.qa_score` on a criteria snapshot
  (agents differ in quality, so some reviews auto-fail); the newest run, and a few assignments of
  the previous one (overdue), wait in the demo reviewer's queue;
- a calibration session: the three demo reviewers rate the same contacts with a personal bias,
  the demo reviewer's last items still unrated (blind until rated);
- an open dispute on an auto-failed review, an upheld one, and coaching notes for the weakest
  agents linked to their reviews.

Rows get explicit ids (they refer to each other) and everything comes from the build's seeded
generator, so a seed and `now` always give the same QA history.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, delete, select

from analytics.qa_sampling import SamplingRule, assign_balanced, draw_sample
from analytics.qa_score import Criterion, review_score
from db.reference import DEFAULT_SCORECARD_NAME
from db.schema import (
    calibration_items,
    calibration_panel,
    calibration_sessions,
    coaching_note_reviews,
    coaching_notes,
    qa_assignments,
    qa_disputes,
    qa_review_scores,
    qa_reviews,
    qa_samples,
    scorecard_criteria,
    scorecards,
)
from ingest.bulk import bulk_insert, reset_id_sequence
from ingest.demo.content import DEMO_REVIEWERS, DEMO_SUPERVISOR, QA_COMMENTS
from ingest.demo.context import GenerationContext
from ingest.demo.interactions import DemoInteractions

QUOTA_PER_AGENT_WEEK = 2
DUE_DAYS = 5
OVERDUE_LEFT_OPEN = 3  # of the demo reviewer's assignments in the previous week's run
CALIBRATION_INTERACTIONS = 6
CALIBRATION_UNRATED = 2  # items the demo reviewer has still to rate
COACHED_AGENTS = 3
DEMO_KEY = "demo-"  # idempotency-key prefix of every demo QA record, so a rebuild finds them
_SNAPSHOT_FIELDS = (
    "id",
    "name",
    "weight",
    "max_points",
    "critical",
    "description",
    "applies_to",
    "allow_na",
)
_COLUMNS_WITH_IDS = (qa_samples, qa_assignments, qa_reviews, calibration_sessions, coaching_notes)


def qa_total(
    criteria: Sequence[dict[str, Any]], scores: dict[int, float | None]
) -> tuple[float, bool]:
    """The review score (`analytics.qa_score`) of `scores` on criteria given as rows; criteria
    not in `scores` are left out. A review with nothing rated scores 0."""
    result = review_score(
        [_scoring(c) for c in criteria if c["id"] in scores],
        scores,
    )
    return (result.score if result.score is not None else 0.0), result.auto_failed


def _scoring(row: dict[str, Any]) -> Criterion:
    name = str(row.get("name", row["id"]))
    return Criterion(row["id"], name, row["weight"], row["max_points"], bool(row["critical"]))


def store_demo_qa(
    conn: Connection, rng: np.random.Generator, ctx: GenerationContext, data: DemoInteractions
) -> dict[str, int]:
    """Generate and insert the demo QA work; returns rows written per table."""
    criteria = _default_criteria(conn)
    if not criteria:
        return {}
    # Imported here: ingest.demo.store imports this module.
    from ingest.demo.store import next_id

    demo = _DemoQA(rng, ctx, criteria, _contacts(data))
    demo.next_ids = {t.name: next_id(conn, t) for t in _COLUMNS_WITH_IDS}
    weeks = max(1, round((ctx.now - ctx.start).days / 7))
    for week in range(weeks):
        period_start = ctx.start + timedelta(days=7 * week)
        period_end = min(ctx.now, period_start + timedelta(days=7))
        demo.weekly_run(period_start, period_end, last_but_one=week == weeks - 2)
    demo.calibration()
    demo.disputes_and_coaching()

    counts = {}
    for table in (
        qa_samples,
        qa_assignments,
        calibration_sessions,
        calibration_items,
        calibration_panel,
        qa_reviews,
        qa_review_scores,
        qa_disputes,
        coaching_notes,
        coaching_note_reviews,
    ):
        counts[table.name] = bulk_insert(conn, table, demo.rows.get(table.name, []))
    for table in (*_COLUMNS_WITH_IDS, calibration_items, calibration_panel, coaching_note_reviews):
        reset_id_sequence(conn, table)
    return counts


def _default_criteria(conn: Connection) -> list[dict[str, Any]]:
    """The default scorecard's criteria as snapshot rows (the active default, else the oldest
    active scorecard)."""
    s = scorecards.c
    card = conn.scalar(
        select(s.id).where(s.active.is_(True)).order_by(s.name != DEFAULT_SCORECARD_NAME, s.id)
    )
    if card is None:
        return []
    c = scorecard_criteria.c
    rows = conn.execute(
        select(*[c[name] for name in _SNAPSHOT_FIELDS])
        .where(c.scorecard_id == card)
        .order_by(c.position, c.id)
    ).mappings()
    return [
        {**row, "critical": bool(row["critical"]), "allow_na": bool(row["allow_na"]), "card": card}
        for row in rows
    ]


def _contacts(data: DemoInteractions) -> pd.DataFrame:
    """Demo contacts an agent handled to resolution, as `sampling_candidates` reads them."""
    c = data.columns
    starts = c["seq"] == c["conversation_seq"]
    keep = starts & (c["agent_id"] >= 0) & ~pd.isna(c["resolved_at"])
    return pd.DataFrame(
        {
            "id": c["id"][keep].astype(int),
            "agent_id": c["agent_id"][keep].astype(int),
            "channel": c["channel_id"][keep],
            "ended_at": pd.to_datetime(c["resolved_at"][keep]),
            "sentiment": c["sentiment"][keep].astype(float),
            "csat": np.where(c["csat"][keep] < 0, np.nan, c["csat"][keep]).astype(float),
            "escalated": c["priority"][keep] == "high",
            "reviewed": False,
            "is_public": c["is_public"][keep].astype(bool),
        }
    )


class _DemoQA:
    """The demo's QA rows as they are generated (per table, with explicit ids), and the state
    the steps share: the generator, the contacts, each agent's quality (0..1)."""

    def __init__(
        self,
        rng: np.random.Generator,
        ctx: GenerationContext,
        criteria: list[dict[str, Any]],
        contacts: pd.DataFrame,
    ) -> None:
        self.rng, self.ctx, self.criteria, self.contacts = rng, ctx, criteria, contacts
        self.quality = {a.id: float(rng.uniform(0.62, 0.95)) for a in ctx.agents}
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.next_ids: dict[str, int] = {}

    def add(self, table: Table, row: dict[str, Any]) -> dict[str, Any]:
        self.rows.setdefault(table.name, []).append(row)
        return row

    def take_id(self, table: Table) -> int:
        value = self.next_ids[table.name]
        self.next_ids[table.name] += 1
        return value

    def applicable(self, is_public: bool) -> list[dict[str, Any]]:
        return [c for c in self.criteria if is_public or c["applies_to"] == "all"]

    def sheet(self, criteria: list[dict[str, Any]], quality: float) -> dict[int, float | None]:
        """Points per criterion for an agent of a quality 0..1; N/A now and then where allowed."""
        rng = self.rng
        scores: dict[int, float | None] = {}
        for criterion in criteria:
            if criterion["critical"]:
                fail = rng.random() < 0.02 + max(0.0, 0.85 - quality) * 0.3
                scores[criterion["id"]] = 0 if fail else criterion["max_points"]
            elif criterion["allow_na"] and rng.random() < 0.08:
                scores[criterion["id"]] = None
            else:
                share = float(np.clip(quality + rng.normal(0, 0.15), 0, 1))
                scores[criterion["id"]] = int(round(share * criterion["max_points"]))
        return scores

    def review(
        self,
        interaction_id: int,
        agent_id: int,
        is_public: bool,
        reviewer: str,
        quality: float,
        at: datetime,
        **links: Any,
    ) -> dict[str, Any]:
        """A submitted review (`links`: assignment_id or calibration_session_id)."""
        criteria = self.applicable(is_public)
        scores = self.sheet(criteria, quality)
        total, failed = qa_total(criteria, scores)
        snapshot = [{name: c[name] for name in _SNAPSHOT_FIELDS} for c in criteria]
        review_id = self.take_id(qa_reviews)
        for c in criteria:  # the per-criterion rows agent quality aggregates
            self.add(
                qa_review_scores,
                {
                    "review_id": review_id,
                    "criterion_id": c["id"],
                    "name": c["name"],
                    "points": scores[c["id"]],
                    "max_points": c["max_points"],
                    "critical": c["critical"],
                },
            )
        return self.add(
            qa_reviews,
            {
                "id": review_id,
                "interaction_id": int(interaction_id),
                "agent_id": agent_id,
                "reviewer": reviewer,
                "scorecard_id": self.criteria[0]["card"],
                "scores": json.dumps({str(k): v for k, v in scores.items()}),
                "criteria_snapshot": json.dumps(snapshot),
                "criterion_comments": None,
                "comment": QA_COMMENTS[int(self.rng.integers(len(QA_COMMENTS)))],
                "total": total,
                "auto_failed": failed,
                "status": "submitted",
                "created_at": at,
                "submitted_at": at,
                "version": 1,
                "updated_at": at,
                "updated_by": reviewer,
                "idempotency_key": None,
                "assignment_id": links.get("assignment_id"),
                "calibration_session_id": links.get("calibration_session_id"),
            },
        )

    def weekly_run(
        self, period_start: datetime, period_end: datetime, *, last_but_one: bool
    ) -> None:
        """The run drawn when a week ends, dealt to the reviewers, reviewed in the days after."""
        rng, ctx, contacts = self.rng, self.ctx, self.contacts
        rule = SamplingRule(
            quota_per_agent=QUOTA_PER_AGENT_WEEK,
            seed=int(rng.integers(1, 2**31 - 1)),
            negative_sentiment_share=0.25,
            low_csat_share=0.25,
            period_start=period_start,
            period_end=period_end,
        )
        drawn = draw_sample(contacts, rule).ids
        if not drawn:
            return
        sample_id = self.take_id(qa_samples)
        created = period_end
        self.add(
            qa_samples,
            {
                "id": sample_id,
                "created_by": DEMO_REVIEWERS[0],
                "created_at": created,
                "rule": rule.to_json(),
                "seed": rule.seed,
                "size": len(drawn),
                "drawn_ids": json.dumps([int(i) for i in drawn]),
                "idempotency_key": f"{DEMO_KEY}sample-{created:%Y%m%d%H%M%S}",
            },
        )
        dealt = assign_balanced(drawn, DEMO_REVIEWERS, rule.seed)
        by_id = contacts.set_index("id")
        left_open = 0
        for interaction_id in drawn:
            name = dealt[interaction_id]
            assignment_id = self.take_id(qa_assignments)
            at = created + timedelta(seconds=int(rng.integers(2 * 3600, 4 * 86400)))
            keep_open = last_but_one and name == DEMO_REVIEWERS[0] and left_open < OVERDUE_LEFT_OPEN
            left_open += keep_open
            done = at <= ctx.now and not keep_open
            if done:
                contact = by_id.loc[interaction_id]
                self.review(
                    interaction_id,
                    int(contact["agent_id"]),
                    bool(contact["is_public"]),
                    name,
                    self.quality[int(contact["agent_id"])],
                    at,
                    assignment_id=assignment_id,
                )
            self.add(
                qa_assignments,
                {
                    "id": assignment_id,
                    "sample_id": sample_id,
                    "interaction_id": int(interaction_id),
                    "reviewer": name,
                    "due_at": created + timedelta(days=DUE_DAYS),
                    "status": "done" if done else "open",
                },
            )

    def calibration(self) -> None:
        """A session on a few contacts of the first days, every demo reviewer on the panel."""
        rng, ctx, contacts = self.rng, self.ctx, self.contacts
        created = ctx.start + (ctx.now - ctx.start) / 2
        pool = contacts[contacts["ended_at"] < created]
        if len(pool) < CALIBRATION_INTERACTIONS:
            return
        picked = pool.iloc[np.sort(rng.choice(len(pool), CALIBRATION_INTERACTIONS, replace=False))]
        session_id = self.take_id(calibration_sessions)
        self.add(
            calibration_sessions,
            {
                "id": session_id,
                "name": "Social care calibration",
                "scorecard_id": self.criteria[0]["card"],
                "state": "open",
                "created_by": DEMO_SUPERVISOR,
                "created_at": created,
                "version": 1,
                "idempotency_key": f"{DEMO_KEY}calibration-{created:%Y%m%d%H%M%S}",
            },
        )
        for name in DEMO_REVIEWERS:
            self.add(calibration_panel, {"session_id": session_id, "reviewer": name})
        bias = dict(zip(DEMO_REVIEWERS, rng.normal(0, 0.06, len(DEMO_REVIEWERS)), strict=True))
        for position, contact in enumerate(picked.itertuples(index=False)):
            self.add(
                calibration_items, {"session_id": session_id, "interaction_id": int(contact.id)}
            )
            for name in DEMO_REVIEWERS:
                still_to_do = (
                    name == DEMO_REVIEWERS[0] and position >= len(picked) - CALIBRATION_UNRATED
                )
                if still_to_do:
                    continue
                at = created + timedelta(seconds=int(rng.integers(3600, 3 * 86400)))
                self.review(
                    int(contact.id),
                    int(contact.agent_id),
                    bool(contact.is_public),
                    name,
                    self.quality[int(contact.agent_id)] + bias[name],
                    min(at, ctx.now),
                    calibration_session_id=session_id,
                )

    def disputes_and_coaching(self) -> None:
        """An open and an upheld dispute; coaching notes for the weakest agents."""
        rng, ctx = self.rng, self.ctx
        reviews = [r for r in self.rows.get(qa_reviews.name, []) if r["assignment_id"] is not None]
        failed = [r for r in reviews if r["auto_failed"]]
        passed = [r for r in reviews if not r["auto_failed"]]
        disputes = []
        if failed:
            disputes.append((failed[int(rng.integers(len(failed)))], None))
        if passed:
            review = passed[int(rng.integers(len(passed)))]
            resolver = next(name for name in DEMO_REVIEWERS if name != review["reviewer"])
            disputes.append((review, resolver))
        for review, resolver in disputes:
            opened = review["submitted_at"] + timedelta(hours=int(rng.integers(2, 48)))
            opened = min(opened, ctx.now)
            resolved = min(opened + timedelta(hours=int(rng.integers(1, 24))), ctx.now)
            self.add(
                qa_disputes,
                {
                    "review_id": review["id"],
                    "opened_by": DEMO_SUPERVISOR,
                    "opened_at": opened,
                    "reason": "The agent followed the documented exception for this case."
                    if review["auto_failed"]
                    else "Score seems harsh for a first-contact resolution.",
                    "state": "upheld" if resolver else "open",
                    "resolved_by": resolver,
                    "resolved_at": resolved if resolver else None,
                    "resolution_note": "Checked against the playbook: the score stands."
                    if resolver
                    else None,
                    "old_total": review["total"],
                    "old_auto_failed": review["auto_failed"],
                    "old_scores": review["scores"],
                    "new_total": review["total"] if resolver else None,
                    "version": 2 if resolver else 1,
                    "updated_at": resolved if resolver else opened,
                    "updated_by": resolver or DEMO_SUPERVISOR,
                    "idempotency_key": f"{DEMO_KEY}dispute-{review['id']}",
                },
            )
        # Coaching for the weakest agents, linked to their lowest-scored reviews.
        by_agent: dict[int, list[dict[str, Any]]] = {}
        for review in reviews:
            by_agent.setdefault(review["agent_id"], []).append(review)
        weakest = sorted(by_agent, key=lambda agent: (self.quality[agent], agent))[:COACHED_AGENTS]
        for agent in weakest:
            worst = sorted(by_agent[agent], key=lambda r: (r["total"], r["id"]))[:2]
            note_id = self.take_id(coaching_notes)
            at = min(max(r["submitted_at"] for r in worst) + timedelta(days=1), ctx.now)
            self.add(
                coaching_notes,
                {
                    "id": note_id,
                    "agent_id": agent,
                    "author": DEMO_SUPERVISOR,
                    "body": "Walked through these reviews together: confirm the customer's "
                    "identity before account changes and close with a clear next step.",
                    "created_at": at,
                    "version": 1,
                    "updated_at": at,
                    "updated_by": DEMO_SUPERVISOR,
                    "idempotency_key": f"{DEMO_KEY}coaching-{note_id}",
                },
            )
            for review in worst:
                self.add(coaching_note_reviews, {"note_id": note_id, "review_id": review["id"]})


def delete_demo_qa(conn: Connection, demo_interactions: Any) -> None:
    """Remove the QA work on demo interactions (`demo_interactions`: a select of their ids),
    children before parents."""
    demo_reviews = select(qa_reviews.c.id).where(qa_reviews.c.interaction_id.in_(demo_interactions))
    conn.execute(
        delete(coaching_note_reviews).where(coaching_note_reviews.c.review_id.in_(demo_reviews))
    )
    conn.execute(
        delete(coaching_notes).where(
            coaching_notes.c.idempotency_key.like(f"{DEMO_KEY}%"),
            ~coaching_notes.c.id.in_(select(coaching_note_reviews.c.note_id)),
        )
    )
    conn.execute(delete(qa_disputes).where(qa_disputes.c.review_id.in_(demo_reviews)))
    conn.execute(delete(qa_review_scores).where(qa_review_scores.c.review_id.in_(demo_reviews)))
    conn.execute(delete(qa_reviews).where(qa_reviews.c.interaction_id.in_(demo_interactions)))
    conn.execute(
        delete(calibration_items).where(calibration_items.c.interaction_id.in_(demo_interactions))
    )
    demo_sessions = select(calibration_sessions.c.id).where(
        calibration_sessions.c.idempotency_key.like(f"{DEMO_KEY}%"),
        ~calibration_sessions.c.id.in_(select(calibration_items.c.session_id)),
        ~calibration_sessions.c.id.in_(
            select(qa_reviews.c.calibration_session_id).where(
                qa_reviews.c.calibration_session_id.is_not(None)
            )
        ),
    )
    conn.execute(delete(calibration_panel).where(calibration_panel.c.session_id.in_(demo_sessions)))
    conn.execute(delete(calibration_sessions).where(calibration_sessions.c.id.in_(demo_sessions)))
    conn.execute(
        delete(qa_assignments).where(qa_assignments.c.interaction_id.in_(demo_interactions))
    )
    conn.execute(
        delete(qa_samples).where(
            qa_samples.c.idempotency_key.like(f"{DEMO_KEY}sample-%"),
            ~qa_samples.c.id.in_(select(qa_assignments.c.sample_id)),
        )
    )
