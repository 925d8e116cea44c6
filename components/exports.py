"""The one exporter behind every download: CSV, XLSX and PDF, with formula cells neutralised.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (tab and carriage
return are stripped by some before they look), so a queue named `=HYPERLINK("http://…")` would
become a live link — or worse — in the supervisor's Excel. The OWASP rule: prefix such a text
cell with a single quote, which spreadsheets read as "this is text". Only text is touched: a
negative number stays a number. XLSX exports go through `neutralise_formulas` too (openpyxl
would otherwise store such a text as a live formula); PDFs draw text as text.

Also here: the CSV button every on-screen table carries (`csv_download`, the table as drawn),
workbooks (`xlsx_bytes`, openpyxl), chart images (`figure_pngs`, kaleido driving Debian's
Chromium — never a downloaded browser) and PDFs (`pdf_bytes`, fpdf2).

Not defusedcsv: it wraps the csv module's writer (pandas formatting and XLSX can't use it),
leaves tab/CR alone and also rewrites `|` inside cells.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """`value` with a leading `'` if it is text that starts like a formula; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names cannot run as spreadsheet formulas."""
    safe = frame.copy()
    for column in safe.select_dtypes(include=["object", "string"]).columns:
        safe[column] = safe[column].map(neutralise_cell, na_action="ignore")
    safe.columns = [neutralise_cell(column) for column in safe.columns]
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as UTF-8 CSV (no index), formula cells neutralised: what every download serves.

    Rows end in CRLF (RFC 4180): the csv writer then quotes any cell holding a CR, which with
    pandas' default LF ending would be written bare and split the row in a spreadsheet.
    """
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


# --- Downloads of on-screen tables -------------------------------------------------------------


def table_csv(frame: pd.DataFrame, labels: dict[str, str] | None = None) -> bytes:
    """The CSV of a table as it is drawn: the frame's columns in order, renamed by `labels`
    (the column headers shown), formula cells neutralised."""
    return csv_bytes(frame.rename(columns=labels or {}))


def csv_download(
    frame: pd.DataFrame, *, key: str, file_name: str, labels: dict[str, str] | None = None
) -> None:
    """A 'Download CSV' button under a table, serving exactly its rows, columns and order.

    labels: the headers the table shows for renamed columns (a column_config of plain labels).
    """
    st.download_button(
        "Download CSV",
        data=table_csv(frame, labels),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=key,
    )


# --- XLSX --------------------------------------------------------------------------------------
# Sheet names: at most 31 characters, none of []:*?/\ (Excel refuses the file otherwise).
_SHEET_NAME_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Sheet:
    """One worksheet: `frame` under an optional title line; number formats per column, or per
    row through `row_formats` (column -> one Excel format per row, for mixed units)."""

    name: str
    frame: pd.DataFrame
    title: str | None = None
    formats: dict[str, str] = field(default_factory=dict)
    row_formats: dict[str, list[str]] = field(default_factory=dict)


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name for `name`."""
    clean = name.translate(_SHEET_NAME_BAD).strip()[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)].rstrip() + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _cell_value(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()  # numpy scalars as Python numbers
    return value


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook of `sheets`: numbers stay numbers (with their formats), text cells that start
    like a formula are neutralised as in CSV, headers bold, columns sized to their content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for spec in sheets:
        sheet = book.create_sheet(sheet_name(spec.name, taken))
        frame = neutralise_formulas(spec.frame)
        first = 1
        if spec.title:
            sheet.cell(row=1, column=1, value=neutralise_cell(spec.title)).font = Font(bold=True)
            first = 3
        for col, name in enumerate(frame.columns, start=1):
            sheet.cell(row=first, column=col, value=str(name)).font = Font(bold=True)
        for row_number, row in enumerate(frame.itertuples(index=False), start=first + 1):
            for col, (original, value) in enumerate(
                zip(spec.frame.columns, row, strict=True), start=1
            ):
                cell = sheet.cell(row=row_number, column=col, value=_cell_value(value))
                per_row = spec.row_formats.get(original)
                fmt = per_row[row_number - first - 1] if per_row else spec.formats.get(original)
                if fmt and isinstance(cell.value, int | float):
                    cell.number_format = fmt
        for col, name in enumerate(frame.columns, start=1):
            longest = max([len(str(name)), *(len(str(v)) for v in frame.iloc[:, col - 1])])
            sheet.column_dimensions[get_column_letter(col)].width = min(max(10, longest + 2), 60)
        sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Charts as images, PDF -------------------------------------------------------------------


def figure_pngs(
    figures: list[go.Figure], *, browser_path: str, width: int = 900, height: int = 420
) -> list[bytes]:
    """PNG images of plotly figures, drawn by kaleido in the Chromium at `browser_path` (one
    browser for all of them). Raises RuntimeError when no image can be drawn here."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import kaleido

    if not Path(browser_path).is_file():
        raise RuntimeError(f"no Chromium at {browser_path} (setting chart_browser_path)")
    options = {"format": "png", "width": width, "height": height}

    async def draw() -> list[bytes]:
        async with kaleido.Kaleido(n=1, path=browser_path) as painter:
            return [await painter.calc_fig(fig, opts=options) for fig in figures]

    # A thread of its own: asyncio.run refuses to start where an event loop is already running
    # (a caller inside one, or a loop another library left running in this thread).
    try:
        with ThreadPoolExecutor(max_workers=1) as worker:
            return worker.submit(lambda: asyncio.run(draw())).result()
    except Exception as error:  # kaleido/choreographer raise many kinds; the caller says why
        raise RuntimeError(f"the chart renderer failed: {error}") from error


@dataclass(frozen=True)
class PdfTable:
    """A table in a PDF: a heading, then `frame` as text cells (already formatted)."""

    heading: str
    frame: pd.DataFrame
    widths: tuple[float, ...] = ()


def pdf_bytes(
    *,
    title: str,
    lines: list[str],
    tables: list[PdfTable],
    images: list[bytes],
    note: str | None = None,
    font_path: str,
) -> bytes:
    """An A4 PDF: title, lines of text, the tables, an optional note, then the images (charts).

    Text is drawn in the TrueType font at `font_path` (any character of the data shows); if it
    is missing, in the built-in Helvetica with characters outside Latin-1 replaced by '?'.
    """
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    unicode_font = Path(font_path).is_file()
    if unicode_font:
        pdf.add_font("Body", "", font_path)
        family = "Body"
    else:
        family = "Helvetica"

    def clean(value: object) -> str:
        text_value = "" if value is None else str(value)
        return text_value if unicode_font else text_value.encode("latin-1", "replace").decode()

    pdf.add_page()
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 9, clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=10)
    for line in lines:
        pdf.multi_cell(0, 5.5, clean(line), new_x="LMARGIN", new_y="NEXT")
    for spec in tables:
        pdf.ln(3)
        pdf.set_font(family, size=12)
        pdf.multi_cell(0, 7, clean(spec.heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=9)
        with pdf.table(
            col_widths=spec.widths or None,
            text_align="LEFT",
            # Shaded headings (one font file: no bold face needed).
            headings_style=FontFace(emphasis=None, fill_color=(230, 230, 230)),
        ) as grid:
            grid.row([clean(c) for c in spec.frame.columns])
            for row in spec.frame.itertuples(index=False):
                grid.row([clean(v) for v in row])
    if note:
        pdf.ln(3)
        pdf.set_font(family, size=10)
        pdf.multi_cell(0, 5.5, clean(note), new_x="LMARGIN", new_y="NEXT")
    for image in images:
        if pdf.get_y() > 180:
            pdf.add_page()
        pdf.image(io.BytesIO(image), w=pdf.epw)
        pdf.ln(2)
    return bytes(pdf.output())
