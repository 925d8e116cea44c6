"""Agent quality data: QA review scores per agent or team over a period, per criterion and per week.

What counts: submitted reviews outside calibration, by the time they were submitted
(`submitted_at` in [start, end), UTC), of the agents in scope (the agent whose work was
reviewed). A review's
score is its stored total (auto-failed → 0, `analytics.qa_score`). Per agent/team, n, mean and sd
are aggregated in SQL and turned into the interval, status and rank by
`analytics.qa_intervals.scores_from_stats` — the same as `agent_qa_scores` on `review_scores`
(the drill-down rows), which a test checks.

Speed (issue 10: ≤ 300 ms for 90 days at 1M interactions and 50k reviews on PostgreSQL): the
reviews carry their agent (`qa_reviews.agent_id`) and are found by the partial covering index
ix_qa_reviews_counted, so the aggregates never read interactions (only a channel filter does);
scores, weekly trend and per-criterion figures (from qa_review_scores) are aggregated in SQL,
so the page reads a few hundred rows, not every review. `bench/qa_quality.py` prints the
figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Float, and_, case, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select
from sqlalchemy.sql.expression import ColumnElement

from analytics.qa_intervals import scores_from_stats
from db.schema import agents, interactions, qa_review_scores, qa_reviews
from queries.frames import read_frame
from queries.local_buckets import period_key_expr, period_table
from queries.writes import as_utc_naive

GROUPINGS: dict[str, list[str]] = {"agent": ["agent_id", "agent", "team"], "team": ["team"]}
REVIEW_COLUMNS = [
    "review_id",
    "interaction_id",
    "agent_id",
    "agent",
    "team",
    "channel_id",
    "reviewer",
    "submitted_at",
    "score",
    "auto_failed",
]
CRITERION_COLUMNS = [
    "criterion",
    "critical",
    "rated",
    "not_applicable",
    "mean_percent",
    "fails",
]


@dataclass(frozen=True)
class QualityScope:
    """Which reviews count: submitted in [start, end) (naive UTC), of contacts of these agents,
    teams and channels (empty = all)."""

    start: datetime
    end: datetime
    agent_ids: tuple[int, ...] = ()
    teams: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("the period must end after it starts")
        for name in ("agent_ids", "teams", "channels"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


def _check_grouping(by: str) -> list[str]:
    if by not in GROUPINGS:
        raise ValueError(f"group by one of {sorted(GROUPINGS)}, not {by!r}")
    return GROUPINGS[by]


def counted_reviews() -> ColumnElement[bool]:
    """The reviews every QA figure counts: submitted ones outside calibration sessions."""
    r = qa_reviews.c
    return and_(r.status == "submitted", r.calibration_session_id.is_(None))


def _reviews_in_scope(columns: Sequence, scope: QualityScope) -> Select:
    """SELECT `columns` FROM the counted reviews in scope joined to their agent (ix_qa_reviews_
    counted finds them; interactions are read only to filter by channel)."""
    r = qa_reviews.c
    statement = (
        select(*columns)
        .select_from(qa_reviews)
        .join(agents, agents.c.id == r.agent_id)
        .where(
            counted_reviews(),
            r.submitted_at >= as_utc_naive(scope.start),
            r.submitted_at < as_utc_naive(scope.end),
        )
    )
    if scope.agent_ids:
        statement = statement.where(r.agent_id.in_(scope.agent_ids))
    if scope.teams:
        statement = statement.where(agents.c.team.in_(scope.teams))
    if scope.channels:
        on_channels = select(interactions.c.id).where(interactions.c.channel_id.in_(scope.channels))
        statement = statement.where(r.interaction_id.in_(on_channels))
    return statement


def review_scores(*, engine: Engine | Connection, scope: QualityScope) -> pd.DataFrame:
    """One row per counted review (REVIEW_COLUMNS), oldest first — the drill-down and the input
    of `analytics.qa_intervals.agent_qa_scores`."""
    r = qa_reviews.c
    columns = [
        r.id.label("review_id"),
        r.interaction_id,
        r.agent_id,
        agents.c.name.label("agent"),
        agents.c.team,
        interactions.c.channel_id,
        r.reviewer,
        r.submitted_at,
        r.total.label("score"),
        r.auto_failed,
    ]
    statement = (
        _reviews_in_scope(columns, scope)
        .join(interactions, interactions.c.id == r.interaction_id)
        .order_by(r.submitted_at, r.id)
    )
    frame = read_frame(engine=engine, statement=statement)
    frame["score"] = frame["score"].astype(float)
    frame["auto_failed"] = frame["auto_failed"].astype(bool)
    return frame


def _groups(engine: Engine | Connection, by: str, scope: QualityScope) -> pd.DataFrame:
    """Every active agent (or team) in scope, so one without reviews is listed with n 0."""
    statement = select(
        agents.c.id.label("agent_id"), agents.c.name.label("agent"), agents.c.team
    ).where(agents.c.active.is_(True))
    if scope.agent_ids:
        statement = statement.where(agents.c.id.in_(scope.agent_ids))
    if scope.teams:
        statement = statement.where(agents.c.team.in_(scope.teams))
    return read_frame(engine=engine, statement=statement)[_check_grouping(by)].drop_duplicates()


def quality_scores(
    *, engine: Engine | Connection, scope: QualityScope, by: str = "agent"
) -> pd.DataFrame:
    """QA score per agent (agent_id, agent, team) or team with n, 95 % interval, auto-fail rate
    and rank (`analytics.qa_intervals.STAT_COLUMNS`); agents without reviews listed as too few.

    n, mean and sd are aggregated in SQL (the mean with auto-fails as 0, reviews without a
    score left out, as `agent_qa_scores` does on review rows); intervals, status and rank are
    `analytics.qa_intervals.scores_from_stats`.
    """
    keys = _check_grouping(by)
    r = qa_reviews.c
    value = _score_value()
    group_columns = _group_columns(keys)
    statement = _reviews_in_scope(
        [
            *group_columns,
            func.count().label("n"),
            func.avg(value).label("mean"),
            func.sum(value * value).label("sum_squares"),
            func.sum(case((r.auto_failed.is_(True), 1), else_=0)).label("auto_fails"),
        ],
        scope,
    ).where(r.total.is_not(None))
    stats = read_frame(engine=engine, statement=statement.group_by(*group_columns))
    n = stats["n"].astype(float)
    mean = stats["mean"].astype(float)
    # Sample variance from the sums; clipped at 0 against rounding when all scores are equal.
    variance = ((stats["sum_squares"].astype(float) - n * mean * mean) / (n - 1)).clip(lower=0)
    stats["mean"] = mean
    stats["sd"] = np.sqrt(variance.where(n > 1))
    return scores_from_stats(stats, keys, groups=_groups(engine, by, scope))


def _score_value():
    """A review's score for the agent's mean: its total, 0 when auto-failed (DESIGN)."""
    r = qa_reviews.c
    return case((r.auto_failed.is_(True), 0.0), else_=cast(r.total, Float))


def _group_columns(keys: Sequence[str]) -> list:
    columns = {
        "agent_id": qa_reviews.c.agent_id,
        "agent": agents.c.name.label("agent"),
        "team": agents.c.team,
    }
    return [columns[key] for key in keys]


def weekly_trend(
    *, engine: Engine | Connection, scope: QualityScope, tz: str, by: str = "agent"
) -> pd.DataFrame:
    """Per ISO week (Monday–Sunday in `tz`) and group: week_start (local), the group columns,
    n, mean (auto-fails as 0) and auto_fails; weeks without reviews are not listed."""
    keys = _check_grouping(by)
    r = qa_reviews.c
    week = period_key_expr(
        r.submitted_at, start=scope.start, end=scope.end, tz=tz, granularity="week"
    )
    value = _score_value()
    group_columns = _group_columns(keys)
    statement = _reviews_in_scope(
        [
            week.label("period_key"),
            *group_columns,
            func.count().label("n"),
            func.avg(value).label("mean"),
            func.sum(case((r.auto_failed.is_(True), 1), else_=0)).label("auto_fails"),
        ],
        scope,
    ).where(r.total.is_not(None))
    statement = statement.group_by(week, *group_columns)
    frame = read_frame(engine=engine, statement=statement)
    weeks = period_table(start=scope.start, end=scope.end, tz=tz, granularity="week")
    frame = frame.merge(weeks[["period_key", "period_start"]], on="period_key", how="left")
    frame = frame.rename(columns={"period_start": "week_start"})
    frame[["n", "auto_fails"]] = frame[["n", "auto_fails"]].astype(int)
    frame["mean"] = frame["mean"].astype(float)
    columns = ["week_start", *keys, "n", "mean", "auto_fails"]
    return (
        frame[columns].sort_values(["week_start", *keys], kind="mergesort").reset_index(drop=True)
    )


def criterion_breakdown(
    *, engine: Engine | Connection, scope: QualityScope, by: str = "agent"
) -> pd.DataFrame:
    """Per group and criterion (by name, as scored): rated, not_applicable, mean_percent (mean of
    points / max_points × 100 over rated) and fails (critical criteria below full marks).

    Read from qa_review_scores, which keeps each review's criteria as they were scored, so a
    renamed or re-weighted criterion is reported as it was. Columns: the group columns then
    CRITERION_COLUMNS, by group then criterion name.
    """
    keys = _check_grouping(by)
    s, r = qa_review_scores.c, qa_reviews.c
    failed = and_(s.critical.is_(True), s.points < s.max_points)
    # Grouped by ids only (3–4× faster than by names on PostgreSQL); a sample review per group
    # gives the criterion's name as scored, and groups are rolled up by name below.
    per_agent = (
        _reviews_in_scope(
            [
                r.agent_id,
                s.criterion_id,
                func.count(s.points).label("rated"),
                (func.count() - func.count(s.points)).label("not_applicable"),
                func.sum(s.points * 100.0 / s.max_points).label("percent_sum"),
                func.sum(case((failed, 1), else_=0)).label("fails"),
                func.max(s.review_id).label("sample_review"),
            ],
            scope,
        )
        .join(qa_review_scores, s.review_id == r.id)
        .group_by(r.agent_id, s.criterion_id)
        .subquery()
    )
    named = qa_review_scores.alias("named")
    statement = (
        select(
            per_agent.c.agent_id,
            agents.c.name.label("agent"),
            agents.c.team,
            named.c.name.label("criterion"),
            named.c.critical,
            per_agent.c.rated,
            per_agent.c.not_applicable,
            per_agent.c.percent_sum,
            per_agent.c.fails,
        )
        .join(agents, agents.c.id == per_agent.c.agent_id)
        .join(
            named,
            and_(
                named.c.review_id == per_agent.c.sample_review,
                named.c.criterion_id == per_agent.c.criterion_id,
            ),
        )
    )
    detail = read_frame(engine=engine, statement=statement)
    detail["critical"] = detail["critical"].astype(bool)
    detail["percent_sum"] = detail["percent_sum"].astype(float)
    frame = (
        detail.groupby([*keys, "criterion", "critical"], sort=True)[
            ["rated", "not_applicable", "percent_sum", "fails"]
        ]
        .sum()
        .reset_index()
    )
    for column in ("rated", "not_applicable", "fails"):
        frame[column] = frame[column].astype(int)
    frame["mean_percent"] = frame["percent_sum"] / frame["rated"].where(frame["rated"] > 0)
    return frame[[*keys, *CRITERION_COLUMNS]]
