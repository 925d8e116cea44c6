"""Cached readers of the Weekly trends page (one database round per TTL per week set). Keys are
the filter values; `now` comes from `cache_reports.report_now()` (floored to the TTL)."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from components.db import read_engine
from db.settings import get_settings
from queries import weekly as weekly_queries
from queries import weekly_report as report_queries

TTL = get_settings().cache_ttl_seconds


def weekly_options() -> weekly_queries.WeeklyOptions:
    """The weekly settings (repeat window, rising-topic rule) as the readers take them."""
    return report_queries.weekly_options(get_settings())


@st.cache_data(ttl=TTL, show_spinner="Counting the weeks…")
def weekly_figures(
    tz: str, mondays: tuple[date, ...], now: datetime
) -> weekly_queries.WeeklyFigures:
    """queries.weekly.weekly_figures, cached."""
    return weekly_queries.weekly_figures(
        engine=read_engine(), tz=tz, mondays=list(mondays), now=now, options=weekly_options()
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def report_view(tz: str, week: str, now: datetime) -> report_queries.ReportView:
    """queries.weekly_report.report_view, cached (cleared after a freeze or re-issue)."""
    return report_queries.report_view(
        engine=read_engine(), tz=tz, week=week, now=now, options=weekly_options()
    )
