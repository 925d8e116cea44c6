"""Frozen weekly reports: a week's figures stored as reported, who froze them and when.

Freezing is idempotent: the first freeze of a week stores issue 1 and every later freeze of that
week (a second click, the Monday cron job run twice, two at once) keeps it and returns it
unchanged — `INSERT … ON CONFLICT DO NOTHING` on (week, issue) decides a race. Only an explicit
re-issue (an admin, with a reason) adds the next issue; earlier issues are never changed. Both
writes are audited in audit_log in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select

from db.schema import weekly_report_figures, weekly_reports
from queries.frames import read_frame
from queries.weekly import FIGURE_COLUMNS
from queries.writes import ValidationError, audit, transaction, upsert, utcnow

STORED_COLUMNS: tuple[str, ...] = FIGURE_COLUMNS


@dataclass(frozen=True)
class FrozenReport:
    """One issue of a week's report: its row and its figures (key, section, label, value, unit,
    n, goal in report order). created: whether this call stored it (False: it already was)."""

    id: int
    week: str
    issue: int
    timezone: str
    frozen_at: datetime
    frozen_by: str
    reason: str | None
    figures: pd.DataFrame
    created: bool = False


def _figure_rows(report_id: int, figures: pd.DataFrame) -> list[dict]:
    rows = []
    for position, figure in enumerate(figures[list(STORED_COLUMNS)].itertuples(index=False)):
        values = figure._asdict()
        rows.append(
            {
                "report_id": report_id,
                "position": position,
                **{k: (None if pd.isna(v) else v) for k, v in values.items()},
            }
        )
    return rows


def _store(
    conn: Connection,
    *,
    week: str,
    issue: int,
    tz: str,
    figures: pd.DataFrame,
    user: str,
    reason: str | None,
) -> int | None:
    """Insert one issue with its figures; None when that (week, issue) already exists."""
    statement = (
        upsert(conn, weekly_reports)
        .on_conflict_do_nothing(index_elements=["week", "issue"])
        .values(
            week=week, issue=issue, timezone=tz, frozen_at=utcnow(), frozen_by=user, reason=reason
        )
        .returning(weekly_reports.c.id)
    )
    inserted = conn.execute(statement).first()
    if inserted is None:
        return None
    report_id = int(inserted[0])
    rows = _figure_rows(report_id, figures)
    if rows:
        conn.execute(insert(weekly_report_figures), rows)
    action = "freeze" if issue == 1 else "reissue"
    after = {"week": week, "issue": issue, "figures": len(rows), "reason": reason}
    audit(conn, user=user, action=action, table=weekly_reports, record_id=report_id, after=after)
    return report_id


def freeze_week(
    *, engine: Engine | Connection, week: str, tz: str, figures: pd.DataFrame, user: str
) -> FrozenReport:
    """Store `figures` (FIGURE_COLUMNS) as issue 1 of `week`, unless the week is frozen already:
    then the stored report is returned unchanged (created False)."""
    with transaction(engine) as conn:
        report_id = _store(conn, week=week, issue=1, tz=tz, figures=figures, user=user, reason=None)
        report = latest_report(engine=conn, week=week)
    assert report is not None  # issue 1 exists now, stored by this call or another
    return _with_created(report, report_id is not None and report.id == report_id)


def reissue_week(
    *,
    engine: Engine | Connection,
    week: str,
    tz: str,
    figures: pd.DataFrame,
    user: str,
    reason: str,
    expected_issue: int,
) -> FrozenReport:
    """Add the next issue of an already frozen `week` (an admin's explicit re-issue).

    expected_issue: the issue the admin saw; if another issue was added since, nothing is
    stored and the newest is returned (created False), so one click never issues twice.
    """
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the report is re-issued."})
    with transaction(engine) as conn:
        current = conn.scalar(
            select(func.max(weekly_reports.c.issue)).where(weekly_reports.c.week == week)
        )
        if current is None:
            raise ValidationError({"week": f"{week} has not been frozen yet: freeze it first."})
        report_id = None
        if current == expected_issue:
            report_id = _store(
                conn,
                week=week,
                issue=current + 1,
                tz=tz,
                figures=figures,
                user=user,
                reason=reason.strip(),
            )
        report = latest_report(engine=conn, week=week)
    assert report is not None
    return _with_created(report, report_id is not None and report.id == report_id)


def _with_created(report: FrozenReport, created: bool) -> FrozenReport:
    return FrozenReport(**{**report.__dict__, "created": created})


def report_issues(*, engine: Engine | Connection, week: str) -> pd.DataFrame:
    """Every issue of `week`, first first: id, issue, frozen_at, frozen_by, reason."""
    r = weekly_reports.c
    statement = (
        select(r.id, r.issue, r.frozen_at, r.frozen_by, r.reason)
        .where(r.week == week)
        .order_by(r.issue)
    )
    return read_frame(engine=engine, statement=statement)


def frozen_report(
    *, engine: Engine | Connection, week: str, issue: int | None = None
) -> FrozenReport | None:
    """Issue `issue` of `week` (None: the newest), with its figures; None if not frozen."""
    r = weekly_reports.c
    statement = select(weekly_reports).where(r.week == week)
    statement = (
        statement.where(r.issue == issue)
        if issue is not None
        else statement.order_by(r.issue.desc()).limit(1)
    )
    head = read_frame(engine=engine, statement=statement)
    if head.empty:
        return None
    row = head.iloc[0]
    f = weekly_report_figures.c
    figures = read_frame(
        engine=engine,
        statement=select(*(f[name] for name in STORED_COLUMNS))
        .where(f.report_id == int(row["id"]))
        .order_by(f.position),
    )
    return FrozenReport(
        id=int(row["id"]),
        week=str(row["week"]),
        issue=int(row["issue"]),
        timezone=str(row["timezone"]),
        frozen_at=pd.Timestamp(row["frozen_at"]).to_pydatetime(),
        frozen_by=str(row["frozen_by"]),
        reason=None if pd.isna(row["reason"]) else str(row["reason"]),
        figures=figures,
    )


def latest_report(*, engine: Engine | Connection, week: str) -> FrozenReport | None:
    """The newest issue of `week`, or None when the week was never frozen."""
    return frozen_report(engine=engine, week=week)
