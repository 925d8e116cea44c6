"""The weekly report as XLSX and PDF, through the shared exporter (components.exports).

XLSX: a "Report" sheet (week, dates, time zone, status) and one sheet per section; figures are
numbers with their formats (percentages as 82.3 with a " %" format, seconds as whole seconds,
counts with thousands separators), restated figures carry both values. PDF: the same tables as
text, then the weekly trend charts drawn by kaleido in Debian's Chromium; if no chart can be
drawn here the PDF says so instead of leaving them out silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from analytics.time_text import format_date
from components.exports import PdfTable, Sheet, figure_pngs, pdf_bytes, xlsx_bytes
from components.weekly_panels import format_figure

NUMBER_FORMATS = {"%": '0.0" %"', "seconds": "#,##0", "contacts": "#,##0", "score": "0.0"}
UNIT_NAMES = {"%": "%", "seconds": "seconds", "contacts": "contacts", "score": "score (0–100)"}


@dataclass(frozen=True)
class ReportMeta:
    """What the report is: its week, first day (Monday, local), time zone and status line."""

    week: str
    monday: date
    tz: str
    status: str

    @property
    def dates(self) -> str:
        sunday = self.monday + timedelta(days=6)
        return f"Monday {format_date(self.monday)} – Sunday {format_date(sunday)} ({self.tz})"


def _section_frame(figures: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Figure": figures["label"].tolist(),
            "Reported": figures["value"].tolist(),
            "Unit": [UNIT_NAMES.get(u, u) for u in figures["unit"]],
            "n": figures["n"].tolist(),
            "Goal (%)": figures["goal"].tolist(),
            "Live now": figures["live_value"].tolist(),
            "Restated": ["restated" if r else "" for r in figures["restated"]],
        }
    )


def report_sheets(figures: pd.DataFrame, meta: ReportMeta) -> list[Sheet]:
    """The workbook's sheets: the cover, then one per section in report order."""
    cover = pd.DataFrame(
        {
            "Item": ["Week", "Dates", "Time zone", "Status", "Restated figures"],
            "Value": [
                meta.week,
                meta.dates,
                meta.tz,
                meta.status,
                int(figures["restated"].sum()),
            ],
        }
    )
    sheets = [Sheet("Report", cover, title=f"Weekly report {meta.week}")]
    for section, part in figures.groupby("section", sort=False):
        formats = [NUMBER_FORMATS.get(u, "General") for u in part["unit"]]
        sheets.append(
            Sheet(
                str(section),
                _section_frame(part),
                title=f"{section} — {meta.week}",
                formats={"n": "#,##0", "Goal (%)": '0.0" %"'},
                row_formats={"Reported": formats, "Live now": formats},
            )
        )
    return sheets


def report_xlsx(figures: pd.DataFrame, meta: ReportMeta) -> bytes:
    """The report as an XLSX workbook (figures: report_view's frame)."""
    return xlsx_bytes(report_sheets(figures, meta))


def _pdf_table(part: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Figure": part["label"].tolist(),
            "Reported": [
                format_figure(v, u) for v, u in zip(part["value"], part["unit"], strict=True)
            ],
            "n": ["" if pd.isna(n) else f"{int(n):,}" for n in part["n"]],
            "Live now": [
                format_figure(v, u) + (" (restated)" if r else "")
                for v, u, r in zip(part["live_value"], part["unit"], part["restated"], strict=True)
            ],
        }
    )


def report_pdf(
    figures: pd.DataFrame,
    meta: ReportMeta,
    charts: list[go.Figure],
    *,
    browser_path: str,
    font_path: str,
) -> bytes:
    """The report as a PDF with its charts as images (see the module docstring)."""
    tables = [
        PdfTable(str(section), _pdf_table(part), widths=(80, 35, 25, 50))
        for section, part in figures.groupby("section", sort=False)
    ]
    note = None
    images: list[bytes] = []
    try:
        images = figure_pngs(charts, browser_path=browser_path) if charts else []
    except RuntimeError as error:
        note = f"The charts could not be drawn here ({error}); every figure is in the tables."
    restated = int(figures["restated"].sum())
    lines = [meta.dates, meta.status]
    if restated:
        lines.append(
            f"{restated} figure(s) restated: live data now differs from the published value; "
            "both are shown."
        )
    return pdf_bytes(
        title=f"Weekly report {meta.week}",
        lines=lines,
        tables=tables,
        images=images,
        note=note,
        font_path=font_path,
    )
