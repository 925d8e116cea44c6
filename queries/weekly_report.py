"""One week's report: its live figures, freezing it, and the frozen figures beside live ones.

Shared by `cli.py report` (the Monday cron job) and the Weekly trends page's admin buttons, so
both freeze exactly the figures the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from analytics.periods import local_today
from analytics.weekly import monday_of, restated, week_monday
from db.settings import Settings
from queries.frozen_reports import FrozenReport, freeze_week, latest_report, reissue_week
from queries.weekly import FIGURE_COLUMNS, WeeklyOptions, top_topic_rows, weekly_figures


def weekly_options(settings: Settings) -> WeeklyOptions:
    """The weekly settings as the readers take them."""
    return WeeklyOptions(
        repeat_days=settings.repeat_window_days,
        rising_baseline_weeks=settings.rising_baseline_weeks,
        rising_min_count=settings.rising_min_count,
    )


class WeekNotOverError(ValueError):
    """The week has not ended yet in the centre's time zone: it cannot be frozen."""


def live_week_figures(
    *, engine: Engine, tz: str, week: str, now: datetime, options: WeeklyOptions
) -> pd.DataFrame:
    """Every figure of `week` as live data gives it now (all topics, not only the top ones):
    FIGURE_COLUMNS."""
    data = weekly_figures(
        engine=engine, tz=tz, mondays=[week_monday(week)], now=now, options=options
    )
    return data.figures[list(FIGURE_COLUMNS)]


def report_figures(live: pd.DataFrame) -> pd.DataFrame:
    """The figures a report shows and stores: the live ones, topics cut to the top ones."""
    return top_topic_rows(live.assign(week="w"))[list(FIGURE_COLUMNS)]


def freeze(
    *,
    engine: Engine,
    tz: str,
    week: str,
    now: datetime,
    user: str,
    options: WeeklyOptions,
    reissue_reason: str | None = None,
    expected_issue: int | None = None,
) -> FrozenReport:
    """Freeze `week` (kept as is when frozen before), or re-issue it with a reason.

    WeekNotOverError for the current or a future week; ValueError for a malformed week label.
    """
    monday = week_monday(week)
    if monday >= monday_of(local_today(now, tz)):
        raise WeekNotOverError(
            f"{week} is not over yet in {tz}; a report is frozen once its week ends."
        )
    figures = report_figures(
        live_week_figures(engine=engine, tz=tz, week=week, now=now, options=options)
    )
    if reissue_reason is None:
        return freeze_week(engine=engine, week=week, tz=tz, figures=figures, user=user)
    return reissue_week(
        engine=engine,
        week=week,
        tz=tz,
        figures=figures,
        user=user,
        reason=reissue_reason,
        expected_issue=expected_issue or 0,
    )


@dataclass(frozen=True)
class ReportView:
    """A week's report as the page shows it: the frozen issue (None when not frozen) and the
    figures — frozen ones with live_value, live_n and restated, or live ones (restated False)."""

    frozen: FrozenReport | None
    figures: pd.DataFrame


def report_view(
    *, engine: Engine, tz: str, week: str, now: datetime, options: WeeklyOptions
) -> ReportView:
    """The newest frozen issue of `week` beside live data, or the live figures if not frozen."""
    live = live_week_figures(engine=engine, tz=tz, week=week, now=now, options=options)
    frozen = latest_report(engine=engine, week=week)
    if frozen is None:
        shown = report_figures(live).assign(
            live_value=lambda f: f["value"], live_n=lambda f: f["n"], restated=False
        )
        return ReportView(None, shown)
    return ReportView(frozen, restated(frozen.figures, live))
