"""The weekly report section of the Weekly trends page: status, the figures (frozen ones beside
live data, restated ones marked with both values), the admin's freeze / re-issue, and the
downloads (XLSX, PDF with charts, CSV of the table as shown)."""

from __future__ import annotations

from datetime import datetime

import plotly.graph_objects as go
import streamlit as st

from components import weekly_cache
from components.db import app_engine
from components.exports import csv_download
from components.plain_text import markdown_text
from components.report_export import ReportMeta, report_pdf, report_xlsx
from components.weekly_panels import report_actions, report_status, report_table
from db.settings import get_settings
from queries.weekly_report import freeze


def render_report(
    *,
    week: str,
    monday,
    tz: str,
    now: datetime,
    week_over: bool,
    user: str,
    is_admin: bool,
    charts: list[go.Figure],
) -> None:
    """Draw the report of `week` (see the module docstring)."""
    settings = get_settings()
    view = weekly_cache.report_view(tz, week, now)
    status = report_status(view.frozen, week=week, tz=tz)
    st.subheader(f"Weekly report {week}")
    st.caption(markdown_text(status))
    restated = int(view.figures["restated"].sum())
    if restated:
        st.warning(
            f"{restated} figure(s) restated: live data now differs from the published value. "
            "The published value is kept; both are shown.",
            icon=":material/published_with_changes:",
        )
    table = report_table(view.figures)
    st.dataframe(table, hide_index=True, key="wk_report_table")
    meta = ReportMeta(week=week, monday=monday, tz=tz, status=status)
    left, middle, right = st.columns(3)
    with left:
        st.download_button(
            "Download XLSX",
            data=report_xlsx(view.figures, meta),
            file_name=f"weekly-report-{week}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/table_view:",
            key="wk_xlsx",
        )
    with middle:
        st.download_button(
            "Download PDF",
            # Drawn when clicked: the charts take a browser a few seconds.
            data=lambda: report_pdf(
                view.figures,
                meta,
                charts,
                browser_path=settings.chart_browser_path,
                font_path=settings.pdf_font_path,
            ),
            file_name=f"weekly-report-{week}.pdf",
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            key="wk_pdf",
        )
    with right:
        csv_download(table, key="wk_report_csv", file_name=f"weekly-report-{week}.csv")
    if not is_admin:
        return

    def freeze_now(reason: str | None = None, issue: int | None = None) -> None:
        freeze(
            engine=app_engine(),
            tz=tz,
            week=week,
            now=now,
            user=user,
            options=weekly_cache.weekly_options(),
            reissue_reason=reason,
            expected_issue=issue,
        )
        weekly_cache.report_view.clear()

    report_actions(
        view.frozen, week=week, week_over=week_over, on_freeze=freeze_now, on_reissue=freeze_now
    )
