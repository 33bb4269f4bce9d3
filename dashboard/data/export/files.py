"""Spreadsheet files: the cell and table writers shared by every XLSX export, and the results
file `assess --out results.xlsx` (one sheet 考核结果, Chinese headers, numeric cells).

Numbers stay numeric; text is forced to a string cell and neutralised with `safe_text`, so
no exported cell is ever a formula.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.data.export.records import (
    BOOL_KEYS,
    INT_KEYS,
    RESULT_KEYS,
    SCORE_KEYS,
    plain,
    results_records,
    safe_text,
)
from dashboard.domain import DUTY_KEYS, FLAG_NAMES
from dashboard.headers import HEADERS

NUMBER_FORMAT = "0.00"
PERCENT_FORMAT = "0.00%"
INTEGER_FORMAT = "0"
NUMBER_FORMATS = {"number": NUMBER_FORMAT, "integer": INTEGER_FORMAT, "percent": PERCENT_FORMAT}

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TITLE_FONT = Font(bold=True, size=16)
TIE_FILL = PatternFill("solid", fgColor="FFEB9C")

MIN_WIDTH = 6
MAX_WIDTH = 48


def display_width(text: str) -> int:
    """Printed width in Excel column units: a CJK or full-width character counts double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


@dataclass(frozen=True)
class Column:
    """One column of a printed sheet: header, how to read the value and how to show it."""

    header: str
    get: Callable[[Mapping[str, Any]], Any]
    kind: str = "text"  # text | number | integer | percent

    @property
    def number_format(self) -> str | None:
        return NUMBER_FORMATS.get(self.kind)


def key_column(key: str, kind: str = "text", header: str | None = None) -> Column:
    """The column of one record key, headed by the shared header table unless told otherwise."""
    return Column(header or HEADERS[key], lambda r: r.get(key), kind)


def bool_text(value: bool | None) -> str | None:
    return None if value is None else ("是" if value else "否")


def flag_text(flags: Sequence[str]) -> str:
    """The flags in Chinese, joined with a full-width semicolon (as printed)."""
    return "；".join(FLAG_NAMES.get(f, f) for f in flags)


def write_cell(ws: Worksheet, row: int, column: int, value: Any, kind: str = "text"):
    """Write one value: numbers stay numeric, text is neutralised and forced to a string cell."""
    cell = ws.cell(row=row, column=column)
    value = plain(value)
    if value is None:
        cell.value = None
    elif isinstance(value, bool):
        cell.value = "是" if value else "否"
        cell.data_type = "s"
    elif kind == "text" or isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
        number_format = NUMBER_FORMATS.get(kind)
        if number_format:
            cell.number_format = number_format
    return cell


def _text_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "number" and isinstance(value, int | float):
        return len(f"{value:.2f}")
    if kind == "percent" and isinstance(value, int | float):
        return len(f"{value * 100:.2f}%")
    return display_width(str(value))


def _set_widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, one page wide, header row on every page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_table(
    ws: Worksheet,
    *,
    title: str,
    columns: Sequence[Column],
    records: Iterable[Mapping[str, Any]],
    highlight: Callable[[Mapping[str, Any]], bool] | None = None,
    freeze_columns: int = 0,
    row_height: float | None = None,
) -> int:
    """A printable sheet: merged title (row 1), bordered bold header (row 2), bordered rows.

    Returns the next free row. `highlight(record)` true fills the row (ties at the cut-off).
    """
    ncols = len(columns)
    ws.cell(row=1, column=1, value=safe_text(title)).data_type = "s"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws["A1"].font = TITLE_FONT
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32

    # Headers wrap onto two lines (row 2 is tall enough), so they need only half their width.
    widths = [display_width(c.header) // 2 + 1 for c in columns]
    for j, column in enumerate(columns, start=1):
        cell = write_cell(ws, 2, j, column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[2].height = 30

    row = 3
    for record in records:
        fill = TIE_FILL if highlight is not None and highlight(record) else None
        for j, column in enumerate(columns, start=1):
            value = column.get(record)
            cell = write_cell(ws, row, j, value, column.kind)
            cell.border = BORDER
            horizontal = {"text": "left", "integer": "center"}.get(column.kind, "right")
            cell.alignment = Alignment(horizontal=horizontal, vertical="center")
            if fill is not None:
                cell.fill = fill
            widths[j - 1] = max(widths[j - 1], _text_width(value, column.kind))
        if row_height:
            ws.row_dimensions[row].height = row_height
        row += 1

    _set_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=3, column=freeze_columns + 1).coordinate
    _print_setup(ws)
    return row


def write_note(
    ws: Worksheet, row: int, ncols: int, text: str, *, fill: PatternFill | None = None
) -> int:
    """A note line below a table, merged across the table's width; returns the next row."""
    cell = write_cell(ws, row, 1, text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    if fill is not None:
        cell.fill = fill
    return row + 1


# --- results XLSX (assess --out results.xlsx) ---------------------------------------------

RESULT_SHEET = "考核结果"


def result_columns() -> list[Column]:
    """Every interface key in order (roles as one column per duty), Chinese headers."""
    columns: list[Column] = []
    for key in RESULT_KEYS[:-1]:
        if key in SCORE_KEYS:
            columns.append(key_column(key, "number"))
        elif key == "satisfaction":
            columns.append(key_column(key, "percent"))
        elif key in INT_KEYS:
            columns.append(key_column(key, "integer"))
        elif key in BOOL_KEYS:
            columns.append(Column(HEADERS[key], lambda r, k=key: bool_text(r[k])))
        elif key == "flags":
            columns.append(Column(HEADERS[key], lambda r: flag_text(r["flags"])))
        else:
            columns.append(key_column(key))
    for k in DUTY_KEYS:
        columns.append(
            Column(
                HEADERS[f"role_{k}"],
                lambda r, k=k: None if r["roles"] is None else r["roles"][k],
                "number",
            )
        )
    return columns


def write_results_xlsx(rows: Any, path: str | Path) -> Path:
    """`assess --out results.xlsx`: one sheet 考核结果, Chinese headers in row 1, numeric cells."""
    path = Path(path)
    records = results_records(rows)
    columns = result_columns()
    wb = Workbook()
    ws = wb.active
    ws.title = RESULT_SHEET
    widths = [display_width(c.header) for c in columns]
    for j, column in enumerate(columns, start=1):
        cell = write_cell(ws, 1, j, column.header)
        cell.font = HEADER_FONT
        cell.border = BORDER
    for i, record in enumerate(records, start=2):
        for j, column in enumerate(columns, start=1):
            value = column.get(record)
            write_cell(ws, i, j, value, column.kind)
            widths[j - 1] = max(widths[j - 1], _text_width(value, column.kind))
    _set_widths(ws, widths)
    ws.freeze_panes = "A2"
    wb.save(path)
    return path
