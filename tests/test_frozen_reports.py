"""The frozen weekly report: stored as reported (who, when), unchanged after data changes and
shown with the restated marker and both values; freezing twice keeps the first; an admin's
re-issue adds issue 2 and keeps issue 1, both audited; `cli.py report` is safe to repeat."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

import cli
from analytics.periods import local_today, to_utc_naive
from analytics.weekly import monday_of, previous_week
from db.engine import get_engine
from db.schema import audit_log, weekly_reports
from queries.frozen_reports import frozen_report, report_issues
from queries.weekly import WeeklyOptions
from queries.weekly_report import WeekNotOverError, freeze, report_view
from queries.writes import ValidationError
from tests.builders import insert_interactions, interaction
from tests.test_cli import cli_db  # noqa: F401 - the fixture, shared

TZ = "Europe/London"
WEEK = "2026-W47"  # Monday 16 – Sunday 22 November 2026 (GMT)
NOW = datetime(2026, 11, 30, 9, 0)
OPTIONS = WeeklyOptions()


def _add(engine, *rows):
    with engine.begin() as conn:
        insert_interactions(conn, list(rows))


@pytest.fixture
def week_data(engine):
    # Chat: one met (30 s), one missed (90 s): service level 50 %.
    _add(engine, interaction(datetime(2026, 11, 17, 10, 0), frt=30, csat=5))
    _add(engine, interaction(datetime(2026, 11, 18, 10, 0), frt=90))
    return engine


def _freeze(engine, user: str, **reissue):
    """Freeze WEEK at NOW as `user` (with reissue_reason / expected_issue: re-issue it)."""
    return freeze(engine=engine, tz=TZ, week=WEEK, now=NOW, user=user, options=OPTIONS, **reissue)


def _figure(figures, key):
    return figures.set_index("key").loc[key]


def test_freeze_stores_the_figures_as_reported_and_keeps_them_when_data_changes(week_data):
    report = _freeze(week_data, "scheduler")
    assert report.created and report.issue == 1 and report.frozen_by == "scheduler"
    assert _figure(report.figures, "sl.total")["value"] == 50.0
    assert _figure(report.figures, "offered.total")["value"] == 2
    # Late data arrives for the week: a third chat, met.
    _add(week_data, interaction(datetime(2026, 11, 19, 10, 0), frt=10))
    view = report_view(engine=week_data, tz=TZ, week=WEEK, now=NOW, options=OPTIONS)
    sl = _figure(view.figures, "sl.total")
    assert (sl["value"], sl["live_value"], bool(sl["restated"])) == (
        50.0,
        pytest.approx(66.667, rel=1e-4),
        True,
    )
    offered = _figure(view.figures, "offered.total")
    assert (offered["value"], offered["live_value"], bool(offered["restated"])) == (2, 3, True)
    assert not bool(_figure(view.figures, "offered.phone")["restated"])  # 0 then, 0 now
    stored = frozen_report(engine=week_data, week=WEEK)
    assert _figure(stored.figures, "sl.total")["value"] == 50.0  # never silently replaced


def test_freezing_twice_keeps_the_first(week_data):
    first = _freeze(week_data, "admin")
    _add(week_data, interaction(datetime(2026, 11, 19, 10, 0), frt=10))
    again = _freeze(week_data, "cron")
    assert not again.created and again.id == first.id and again.frozen_by == "admin"
    assert _figure(again.figures, "offered.total")["value"] == 2
    assert len(report_issues(engine=week_data, week=WEEK)) == 1


def test_an_admin_reissue_adds_an_issue_keeps_the_first_and_both_are_audited(week_data):
    _freeze(week_data, "cron")
    _add(week_data, interaction(datetime(2026, 11, 19, 10, 0), frt=10))
    with pytest.raises(ValidationError):
        _freeze(week_data, "admin", reissue_reason="  ", expected_issue=1)
    second = _freeze(week_data, "admin", reissue_reason="late phone log imported", expected_issue=1)
    assert second.created and second.issue == 2 and second.reason == "late phone log imported"
    assert _figure(second.figures, "offered.total")["value"] == 3
    first = frozen_report(engine=week_data, week=WEEK, issue=1)
    assert _figure(first.figures, "offered.total")["value"] == 2
    # A second click on the same (now stale) form adds nothing.
    stale = _freeze(week_data, "admin", reissue_reason="again", expected_issue=1)
    assert not stale.created and stale.issue == 2
    with week_data.connect() as conn:
        actions = conn.execute(
            select(audit_log.c.username, audit_log.c.action)
            .where(audit_log.c.table_name == "weekly_reports")
            .order_by(audit_log.c.id)
        ).all()
    assert [tuple(a) for a in actions] == [("cron", "freeze"), ("admin", "reissue")]
    view = report_view(engine=week_data, tz=TZ, week=WEEK, now=NOW, options=OPTIONS)
    assert view.frozen.issue == 2 and not view.figures["restated"].any()


def test_a_week_not_over_cannot_be_frozen(engine):
    with pytest.raises(WeekNotOverError):
        freeze(engine=engine, tz=TZ, week="2026-W49", now=NOW, user="admin", options=OPTIONS)
    # Sunday 29 November 23:30 GMT is still week 48 in London.
    with pytest.raises(WeekNotOverError):
        freeze(
            engine=engine,
            tz=TZ,
            week="2026-W48",
            now=datetime(2026, 11, 29, 23, 30),
            user="admin",
            options=OPTIONS,
        )


@pytest.mark.usefixtures("cli_db")
def test_cli_report_last_week_is_safe_to_repeat(capsys):
    now = datetime.now(UTC).replace(tzinfo=None)
    today = local_today(now, TZ)
    last_monday = monday_of(today) - timedelta(days=7)
    arrival = to_utc_naive(
        datetime.combine(last_monday + timedelta(days=1), datetime.min.time())
        + timedelta(hours=10),
        TZ,
    )
    _add(get_engine(), interaction(arrival, frt=30))
    week = previous_week(today)
    assert cli.main(["report", "--last-week"]) == 0
    assert f"Froze {week}: issue 1" in capsys.readouterr().out
    assert cli.main(["report", "--week", week]) == 0
    out = capsys.readouterr().out
    assert f"{week} was frozen before (issue 1" in out and "kept unchanged" in out
    with get_engine().connect() as conn:
        rows = conn.execute(select(weekly_reports.c.week, weekly_reports.c.frozen_by)).all()
    assert [tuple(r) for r in rows] == [(week, "scheduler")]
    stored = frozen_report(engine=get_engine(), week=week)
    assert _figure(stored.figures, "offered.total")["value"] == 1


@pytest.mark.usefixtures("cli_db")
def test_cli_report_refuses_the_current_week_and_a_bad_label(capsys):
    today = local_today(datetime.now(UTC).replace(tzinfo=None), TZ)
    current = f"{today.isocalendar()[0]}-W{today.isocalendar()[1]:02d}"
    assert cli.main(["report", "--week", current]) == 2
    assert "not over yet" in capsys.readouterr().err
    assert cli.main(["report", "--week", "2026-47"]) == 2
    assert "2026-W47" in capsys.readouterr().err
    assert date.fromisocalendar(2026, 47, 1) == date(2026, 11, 16)
