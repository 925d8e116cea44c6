"""Agent quality page data: how long its query calls take at N interactions and M QA reviews.

    python -m bench.qa_quality [--rows 1000000] [--reviews 50000] [--days 90]
                               [--backend sqlite|postgresql|both] [--runs 3]

For each backend: a fresh database built like `bench.page_timings` (N demo interactions ending
now, rollup refreshed), then M submitted reviews on the default scorecard of random handled
contacts, submitted within a few days after each contact was resolved (points drawn at random,
the stored total from `analytics.qa_score`, so some auto-fail). Then the Agent quality page's
data for the last `--days` days — scores per agent and per team with intervals,
weekly trend, per-criterion breakdown — each run `--runs` times; the median of each and of the
page's total is printed against the issue's target (≤ 300 ms at 1M / 50k / 90 days on
PostgreSQL), and the drill-down into the busiest agent's reviews.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import timedelta

import numpy as np
from sqlalchemy import Engine, func, select, text

from analytics.qa_score import review_score
from bench.bulk_load import PG_ADMIN_URL, postgresql_database, sqlite_database
from bench.page_timings import Call, build_database, time_calls
from db.engine import make_engine
from db.schema import interactions, qa_review_scores, qa_reviews
from db.settings import get_settings
from db.threads import counts_as_contact
from ingest.bulk import bulk_insert, reset_id_sequence
from ingest.demo import utc_now
from queries import qa_quality
from queries.qa_reviews import (
    criterion_score_rows,
    default_scorecard_id,
    scorecard_criteria_for,
)

TARGET_SECONDS = 0.3


def add_reviews(engine: Engine, count: int, seed: int = 11) -> int:
    """Store `count` submitted reviews of random handled contacts; returns how many."""
    rng = np.random.default_rng(seed)
    card = default_scorecard_id(engine=engine)
    sheets = {
        public: scorecard_criteria_for(engine=engine, scorecard_id=card, is_public=public)
        for public in (False, True)
    }
    snapshots = {public: json.dumps([asdict(c) for c in sheets[public]]) for public in sheets}
    i = interactions.c
    with engine.connect() as conn:
        handled = conn.execute(
            select(i.id, i.agent_id, i.resolved_at, i.is_public).where(
                counts_as_contact(), i.agent_id.is_not(None), i.resolved_at.is_not(None)
            )
        ).all()
    picked = rng.choice(len(handled), size=min(count, len(handled)), replace=False)
    rows: list[dict] = []
    score_rows: list[dict] = []
    for index in np.sort(picked):
        interaction_id, agent_id, resolved_at, is_public = handled[index]
        criteria = sheets[bool(is_public)]
        scores = {
            c.id: (
                None
                if c.allow_na and rng.random() < 0.08
                else float(rng.integers(0, c.max_points + 1))
                if not c.critical
                else float(rng.random() > 0.05)
            )
            for c in criteria
        }
        result = review_score([c.for_scoring() for c in criteria], scores)
        at = resolved_at + timedelta(seconds=int(rng.integers(3600, 5 * 86400)))
        review_id = len(rows) + 1  # a fresh database: explicit ids tie the score rows
        score_rows += criterion_score_rows(review_id, criteria, scores)
        rows.append(
            {
                "id": review_id,
                "interaction_id": interaction_id,
                "agent_id": agent_id,
                "reviewer": f"reviewer{int(rng.integers(1, 9))}",
                "scorecard_id": card,
                "scores": json.dumps({str(k): v for k, v in scores.items()}),
                "criteria_snapshot": snapshots[bool(is_public)],
                "total": result.score,
                "auto_failed": result.auto_failed,
                "status": "submitted",
                "created_at": at,
                "submitted_at": at,
            }
        )
    with engine.begin() as conn:
        stored = bulk_insert(conn, qa_reviews, rows)
        reset_id_sequence(conn, qa_reviews)
        bulk_insert(conn, qa_review_scores, score_rows)
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after an insert-heavy load (PostgreSQL 13+): statistics,
        # and the visibility map that lets ix_qa_reviews_counted answer without the table.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in (qa_reviews, qa_review_scores):
                conn.execute(text(f"VACUUM ANALYZE {table.name}"))
    return stored


def page_calls(engine: Engine, days: int) -> list[Call]:
    """The Agent quality page's data calls for the last `days` days, uncached."""
    tz = get_settings().timezone
    end = utc_now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(days=days)

    with engine.connect() as conn:
        busiest = conn.scalar(
            select(interactions.c.agent_id)
            .join(qa_reviews, qa_reviews.c.interaction_id == interactions.c.id)
            .group_by(interactions.c.agent_id)
            .order_by(func.count().desc())
            .limit(1)
        )
    period = {"engine": engine, "scope": qa_quality.QualityScope(start, end)}

    def whole_page() -> object:
        qa_quality.quality_scores(**period)
        qa_quality.quality_scores(**period, by="team")
        qa_quality.weekly_trend(**period, tz=tz)
        return qa_quality.criterion_breakdown(**period)

    calls = {
        "scores per agent with intervals": lambda: qa_quality.quality_scores(**period),
        "scores per team with intervals": lambda: qa_quality.quality_scores(**period, by="team"),
        "weekly trend per agent": lambda: qa_quality.weekly_trend(**period, tz=tz),
        "per-criterion breakdown per agent": lambda: qa_quality.criterion_breakdown(**period),
        "PAGE DATA (the four above)": whole_page,
        "drill-down: one agent's review rows": lambda: qa_quality.review_scores(
            engine=engine, scope=qa_quality.QualityScope(start, end, agent_ids=(busiest,))
        ),
    }
    return [Call("Agent quality", name, run) for name, run in calls.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.qa_quality", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="interactions to store")
    parser.add_argument("--reviews", type=int, default=50_000, help="QA reviews to store")
    parser.add_argument("--days", type=int, default=90, help="the page's period")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="postgresql")
    parser.add_argument("--runs", type=int, default=3, help="runs per call (median reported)")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL, help="server to create on")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        database = (
            sqlite_database() if backend == "sqlite" else postgresql_database(args.pg_admin_url)
        )
        with database as url:
            build_database(url, args.rows)
            engine = make_engine(url)
            try:
                stored = add_reviews(engine, args.reviews)
                timings = time_calls(page_calls(engine, args.days), args.runs)
            finally:
                engine.dispose()
        print(
            f"\n== {backend}: {args.rows:,} interactions, {stored:,} reviews, "
            f"last {args.days} days (target ≤ {TARGET_SECONDS * 1000:.0f} ms for the page)",
            flush=True,
        )
        for row in timings:
            print(
                f"{row['call']:<46} {row['median_s'] * 1000:>7.0f} ms "
                f"(slowest {row['max_s'] * 1000:.0f} ms)  {row['returned']}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
