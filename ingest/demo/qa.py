"""Demo QA work: a sampling run, reviewer assignments (a few still open for the demo reviewer),
scored reviews with the scorecard's total, and a calibration set every reviewer scored."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np

from ingest.demo.content import DEMO_REVIEWERS, QA_COMMENTS
from ingest.demo.context import GenerationContext
from ingest.demo.interactions import DemoInteractions

OPEN_ASSIGNMENTS = 10
REVIEWS_PER_AGENT_WEEK = 2
CALIBRATION_INTERACTIONS = 8


def qa_total(
    criteria: Sequence[dict[str, Any]], scores: dict[int, int | None]
) -> tuple[float, bool]:
    """DESIGN's review score: Σ(weight·points/max)/Σweight·100 over rated criteria; a failed
    critical criterion makes it 0 and auto-failed."""
    rated = [c for c in criteria if scores.get(c["id"]) is not None]
    if any(c["critical"] and scores[c["id"]] == 0 for c in rated):
        return 0.0, True
    weight = sum(c["weight"] for c in rated)
    if weight == 0:
        return 0.0, False
    earned = sum(c["weight"] * scores[c["id"]] / c["max_points"] for c in rated)
    return earned / weight * 100, False


def _score_sheet(
    rng: np.random.Generator, criteria: Sequence[dict[str, Any]], quality: float
) -> dict[int, int | None]:
    """Points per criterion for an agent of a given quality (0..1); some criteria N/A."""
    scores: dict[int, int | None] = {}
    for criterion in criteria:
        if criterion["critical"]:
            fail = rng.random() < 0.02 + max(0.0, 0.85 - quality) * 0.3
            scores[criterion["id"]] = 0 if fail else criterion["max_points"]
        elif rng.random() < 0.08:
            scores[criterion["id"]] = None
        else:
            share = float(np.clip(quality + rng.normal(0, 0.15), 0, 1))
            scores[criterion["id"]] = int(round(share * criterion["max_points"]))
    return scores


def generate_qa(
    rng: np.random.Generator,
    ctx: GenerationContext,
    data: DemoInteractions,
    scorecard_id: int,
    criteria: Sequence[dict[str, Any]],
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """A sampling run, its assignments and the reviews done so far (incl. a calibration set)."""
    c = data.columns
    quality = {a.id: float(rng.uniform(0.62, 0.95)) for a in ctx.agents}
    candidates = np.flatnonzero((c["status"] == "resolved") & (c["agent_id"] >= 0))
    weeks = max(1, round((ctx.now - ctx.start).days / 7))
    wanted = min(len(candidates), len(ctx.agents) * weeks * REVIEWS_PER_AGENT_WEEK)
    picked = np.sort(rng.choice(candidates, size=wanted, replace=False)) if wanted else []
    reviews: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []

    def add_review(row: int, reviewer: str, scores: dict[int, int | None]) -> bool:
        at = c["resolved_at"][row].item() + timedelta(seconds=int(rng.integers(7200, 4 * 86400)))
        if at > ctx.now:
            return False
        total, failed = qa_total(criteria, scores)
        reviews.append(
            {
                "interaction_id": int(c["id"][row]),
                "reviewer": reviewer,
                "scorecard_id": scorecard_id,
                "scores": json.dumps({str(k): v for k, v in scores.items()}),
                "comment": QA_COMMENTS[int(rng.integers(len(QA_COMMENTS)))],
                "total": total,
                "auto_failed": failed,
                "created_at": at,
                "idempotency_key": f"demo-qa-{len(reviews)}",
            }
        )
        return True

    to_do = len(picked) - OPEN_ASSIGNMENTS  # the newest picks wait in the demo login's queue
    for position, row in enumerate(picked):
        due = c["created_at"][row].item() + timedelta(days=7)
        if position >= to_do:
            reviewer, done = DEMO_REVIEWERS[0], False
            due = max(due, ctx.now + timedelta(days=2))
        else:
            reviewer = DEMO_REVIEWERS[int(rng.integers(len(DEMO_REVIEWERS)))]
            sheet = _score_sheet(rng, criteria, quality[int(c["agent_id"][row])])
            done = add_review(row, reviewer, sheet)
        assignments.append(
            {
                "interaction_id": int(c["id"][row]),
                "reviewer": reviewer,
                "due_at": due,
                "status": "done" if done else "open",
            }
        )
    # Calibration: every reviewer scores the same few contacts, each with a personal bias.
    bias = dict(zip(DEMO_REVIEWERS, rng.normal(0, 0.06, len(DEMO_REVIEWERS)), strict=True))
    for row in picked[:CALIBRATION_INTERACTIONS]:
        agent_quality = quality[int(c["agent_id"][row])]
        for reviewer in DEMO_REVIEWERS:
            if not any(
                r["interaction_id"] == int(c["id"][row]) and r["reviewer"] == reviewer
                for r in reviews
            ):
                add_review(
                    row, reviewer, _score_sheet(rng, criteria, agent_quality + bias[reviewer])
                )
    sample = {
        "created_by": DEMO_REVIEWERS[0],
        "created_at": ctx.start,
        "rule": json.dumps({"method": "random", "per_agent_per_week": REVIEWS_PER_AGENT_WEEK}),
        "seed": int(rng.integers(1, 2**31 - 1)),
        "size": len(assignments),
        "idempotency_key": f"demo-sample-{ctx.start:%Y%m%d%H%M%S}",
    }
    return sample, assignments, reviews
