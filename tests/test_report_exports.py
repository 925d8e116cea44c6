"""The weekly report's exports: the XLSX read back with openpyxl (one sheet per section, numbers
as numbers with their formats, formula text neutralised, restated figures with both values),
the PDF's text extracted with pypdf (figures, the restated marker, charts drawn by kaleido in
Debian's Chromium — or a sentence saying why not), and the CSV of an on-screen table."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from components.exports import figure_pngs, sheet_name, table_csv
from components.report_export import ReportMeta, report_pdf, report_xlsx
from components.weekly_charts import trend_charts
from db.settings import get_settings

HYPERLINK = '=HYPERLINK("http://127.0.0.1:9","x")'
META = ReportMeta(
    week="2026-W13",
    monday=date(2026, 3, 23),
    tz="Europe/London",
    status="Frozen report, issue 1: frozen 2026-03-30 08:00 (Europe/London) by scheduler.",
)


def _figures() -> pd.DataFrame:
    rows = [
        ("offered.total", "Volume", "Offered, all channels", 5.0, "contacts", None, None, 6.0),
        ("sl.total", "Service level", "Service level, all channels", 80.0, "%", 5, None, 80.0),
        ("sl.chat", "Service level", "Service level — Chat", 100.0, "%", 2, 80.0, 100.0),
        (
            "frt.live.median",
            "Response times",
            "FRT median — phone and chat",
            30.0,
            "seconds",
            3,
            None,
            30.0,
        ),
        ("topic.x", "Topics", HYPERLINK, 3.0, "contacts", 4, None, 3.0),
        ("csat.total", "Customer satisfaction", "CSAT", None, "%", 0, None, None),
    ]
    frame = pd.DataFrame(
        rows, columns=["key", "section", "label", "value", "unit", "n", "goal", "live_value"]
    )
    frame["live_n"] = frame["n"]
    frame["restated"] = [True, False, False, False, False, False]
    return frame


def test_xlsx_has_a_sheet_per_section_with_numbers_and_formats():
    book = load_workbook(io.BytesIO(report_xlsx(_figures(), META)))
    assert book.sheetnames == [
        "Report",
        "Volume",
        "Service level",
        "Response times",
        "Topics",
        "Customer satisfaction",
    ]
    cover = book["Report"]
    assert cover["A1"].value == "Weekly report 2026-W13"
    assert [c.value for c in cover["B"]][3:6] == ["2026-W13", META.dates, "Europe/London"]
    sl = book["Service level"]
    assert [c.value for c in sl[3]] == [
        "Figure",
        "Reported",
        "Unit",
        "n",
        "Goal (%)",
        "Live now",
        "Restated",
    ]
    assert sl["B4"].value == 80 and sl["B4"].data_type == "n"  # a number, not text
    assert sl["B4"].number_format == '0.0" %"' and sl["D4"].value == 5
    assert sl["E5"].value == 80.0 and sl["E4"].value is None
    volume = book["Volume"]
    assert (volume["B4"].value, volume["F4"].value, volume["G4"].value) == (5, 6, "restated")
    assert volume["B4"].number_format == "#,##0"
    assert book["Response times"]["B4"].value == 30
    # A topic named like a formula is text, not a formula.
    topic = book["Topics"]["A4"]
    assert topic.value == "'" + HYPERLINK and topic.data_type == "s"
    assert book["Customer satisfaction"]["B4"].value is None  # no ratings: empty, never 0


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_name("a/b:c" * 10, taken) == "a b c" * 6 + "a"
    assert sheet_name("a/b:c" * 10, taken) == "a b ca b ca b ca b ca b ca (2)"


def _pdf_text(data: bytes) -> str:
    """The PDF's text with line wraps read as spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def _weeks() -> pd.DataFrame:
    return pd.DataFrame({"week": ["2026-W12", "2026-W13"], "partial": [False, True]})


def test_pdf_has_the_figures_the_restated_marker_and_the_charts():
    settings = get_settings()
    if not Path(settings.chart_browser_path).is_file():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    figures = _figures()
    charts = trend_charts(
        figures.assign(week="2026-W13"), _weeks(), period="2026-W12 to 2026-W13", qa=False
    )
    data = report_pdf(
        figures,
        META,
        list(charts.values())[:2],
        browser_path=settings.chart_browser_path,
        font_path=settings.pdf_font_path,
    )
    text = _pdf_text(data)
    assert "Weekly report 2026-W13" in text
    assert "Monday 23 Mar 2026 – Sunday 29 Mar 2026 (Europe/London)" in text
    assert "80.0 %" in text and "30 s" in text and HYPERLINK in text
    assert "6 (restated)" in text and "1 figure(s) restated" in text
    assert "could not be drawn" not in text
    images = [img for page in PdfReader(io.BytesIO(data)).pages for img in page.images]
    assert len(images) == 2


def test_charts_are_drawn_even_when_the_caller_runs_inside_an_event_loop():
    """Streamlit's test runner (and other libraries) can leave an event loop running in the
    thread that builds the report; the charts must still be drawn."""
    settings = get_settings()
    if not Path(settings.chart_browser_path).is_file():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    chart = next(
        iter(
            trend_charts(
                _figures().assign(week="2026-W13"),
                _weeks(),
                period="2026-W12 to 2026-W13",
                qa=False,
            ).values()
        )
    )

    async def inside_a_loop() -> list[bytes]:
        return figure_pngs([chart], browser_path=settings.chart_browser_path)

    images = asyncio.run(inside_a_loop())
    assert len(images) == 1 and images[0].startswith(b"\x89PNG")


def test_pdf_says_so_when_charts_cannot_be_drawn(tmp_path):
    data = report_pdf(
        _figures(),
        META,
        list(
            trend_charts(
                _figures().assign(week="2026-W13"), _weeks(), period="p", qa=False
            ).values()
        )[:1],
        browser_path=str(tmp_path / "no-chromium"),
        font_path=get_settings().pdf_font_path,
    )
    text = _pdf_text(data)
    assert "The charts could not be drawn here" in text and "every figure is in the tables" in text
    assert "80.0 %" in text


def test_a_table_csv_is_the_table_as_drawn():
    frame = pd.DataFrame({"queue": [HYPERLINK, "b"], "offered": [3, -1]})
    data = table_csv(frame, {"queue": "Queue", "offered": "Offered"})
    assert data.decode().splitlines() == [
        "Queue,Offered",
        '"\'=HYPERLINK(""http://127.0.0.1:9"",""x"")",3',
        "b,-1",
    ]
