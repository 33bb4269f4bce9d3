"""Reading a data workbook: the known sheets' header positions and data rows, through openpyxl's
public read-only API.

Formula cells are read as their formula text (``data_only=False``), so a formula where a number
is due is refused like any text starting with ``=`` (docs/decisions.md). The file is checked for
size and zip structure before openpyxl sees it. Structural problems (missing sheet or column,
duplicate column, a sheet hidden beyond Excel's 取消隐藏) become errors; unknown sheets and columns
become warnings.
"""

from __future__ import annotations

import io
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from dashboard.data.filesafety import workbook_file_problem
from dashboard.data.validation import (
    CellError,
    ErrorList,
    FieldError,
    check_visible,
    is_blank,
    strip_text,
)
from dashboard.data.workbook.spec import REQUIRED_SHEETS, SHEET_ORDER, SHEETS

# Array and data-table formulas come back as objects, not "=…" text; they are formulas all the same.
_FORMULA_TYPES = frozenset((ArrayFormula, DataTableFormula))


class SheetRows(Sequence):
    """Data rows as ``(Excel row number, values)`` pairs, held compactly.

    Row numbers sit in an array; identical value tuples are stored once (up to a bound on the
    distinct ones kept for sharing), so a sheet of a million copied rows costs megabytes, not
    a gigabyte.
    """

    _SHARE_LIMIT = 50_000

    def __init__(self) -> None:
        self._numbers = array("q")
        self._values: list[tuple] = []
        self._shared: dict[tuple, tuple] = {}

    def append(self, number: int, values: tuple) -> None:
        try:
            shared = self._shared.get(values)
        except TypeError:  # an unhashable cell value: keep the row as it is
            shared = None
        if shared is None:
            shared = values
            if len(self._shared) < self._SHARE_LIMIT:
                try:
                    self._shared[values] = values
                except TypeError:
                    pass
        self._numbers.append(number)
        self._values.append(shared)

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [(self._numbers[i], self._values[i]) for i in range(*index.indices(len(self)))]
        return self._numbers[index], self._values[index]

    def __iter__(self):
        return zip(self._numbers, self._values, strict=True)

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented


@dataclass
class RawSheet:
    """A sheet as read: header positions and data rows with their Excel row numbers."""

    name: str
    header: dict[str, int]
    rows: Sequence[tuple[int, tuple]]


@dataclass
class RawWorkbook:
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: ErrorList = field(default_factory=ErrorList)


Source = str | Path | bytes | IO[bytes]


def read_workbook(source: Source) -> RawWorkbook:
    """Read the known sheets of a workbook (read-only mode); structural problems become errors."""
    raw = RawWorkbook()
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    problem = workbook_file_problem(source)  # size, zip structure, zip bomb: before parsing
    if problem:
        raw.errors.append(CellError(None, None, None, problem))
        return raw
    try:
        book = load_workbook(source, read_only=True, data_only=False)
    except FileNotFoundError:
        raw.errors.append(CellError(None, None, None, f"找不到文件：{source}"))
        return raw
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not .xlsx
        raw.errors.append(CellError(None, None, None, "文件无法作为 Excel 工作簿（.xlsx）打开，请用 Excel 或 WPS 另存为 .xlsx 后再导入"))
        return raw
    try:
        sheets = {}
        for ws in book.worksheets:
            title, state = ws.title, ws.sheet_state or "visible"
            clean = strip_text(title) or title
            if clean not in SHEETS:
                raw.warnings.append(f"工作表「{title}」不是考评数据工作表，已忽略{_invisible_hint(clean)}")
            elif state == "veryHidden":
                # Only a macro or a program can set this; Excel's 取消隐藏 does not even list it.
                raw.errors.append(CellError(
                    clean, None, None,
                    "工作表被设为“深度隐藏”（在 Excel 中看不到，也无法取消隐藏），其中的数据无法核对，拒绝导入；"
                    "请把要导入的工作表复制到新的工作簿后再导入",
                ))
            else:
                if state == "hidden":
                    raw.warnings.append(
                        f"工作表「{clean}」在 Excel 中是隐藏的，其中的数据同样会导入；"
                        "请在 Excel 中右键工作表标签选择“取消隐藏”，核对后再确认"
                    )
                sheets[clean] = ws
        for name in REQUIRED_SHEETS:
            if name not in sheets:
                raw.errors.append(CellError(name, None, None, "缺少必需的工作表"))
        for name in SHEET_ORDER:
            if name in sheets:
                ws = sheets[name]
                # A file's recorded size may be wrong (some programs write "A1"); read every row.
                ws.reset_dimensions()
                try:
                    sheet = _read_sheet(name, ws.iter_rows(values_only=True), raw)
                except Exception:  # noqa: BLE001 - broken XML inside the file
                    raw.errors.append(CellError(name, None, None, "工作表内容损坏，无法读取"))
                    continue
                if sheet is not None:
                    raw.sheets[name] = sheet
    finally:
        book.close()
    return raw


def _invisible_hint(title: str) -> str:
    """Why a sheet or column title that looks right is not recognised: an invisible character."""
    try:
        check_visible(title)
    except FieldError as exc:
        return f"（名称中{exc.reason}）"
    return ""


def _read_sheet(name: str, rows: Iterable[tuple], raw: RawWorkbook) -> RawSheet | None:
    spec = SHEETS[name]
    rows = iter(rows)
    header_row = next(rows, None) or ()
    header: dict[str, int] = {}
    ok = True
    for idx, cell in enumerate(header_row):
        title = strip_text(cell)
        if title is None:
            continue
        title = str(title).replace(" ", "").replace("\u3000", "")
        if title in header:
            raw.errors.append(CellError(name, 1, title, "列名重复"))
            ok = False
        elif title in spec.columns:
            header[title] = idx
        else:
            raw.warnings.append(f"工作表「{name}」的列「{title}」不是规定的列，已忽略{_invisible_hint(title)}")
    for col in spec.required:
        if col not in header:
            raw.errors.append(CellError(name, 1, col, "缺少必需的列"))
            ok = False
    if not ok:
        return None
    data = SheetRows()
    width = max(header.values(), default=-1) + 1
    columns = tuple(header.values())
    for number, values in enumerate(rows, start=2):
        if len(values) < width:
            values = tuple(values) + (None,) * (width - len(values))
        elif len(values) > width:
            values = tuple(values[:width])  # cells right of the last known column are ignored
        if all(is_blank(values[i]) for i in columns):
            continue
        if not _FORMULA_TYPES.isdisjoint(map(type, values)):
            values = tuple(_formula_text(v) for v in values)
        data.append(number, values)
    return RawSheet(name=name, header=header, rows=data)



def _formula_text(value):
    if isinstance(value, ArrayFormula):
        return value.text if str(value.text).startswith("=") else f"={value.text}"
    if isinstance(value, DataTableFormula):
        return "=TABLE()"
    return value
