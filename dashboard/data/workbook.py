"""The data workbook 考评数据工作簿 (workbook.md): sheet definitions, reading, validation,
the import into the database as one transaction, and the template writer.

Reading uses openpyxl's read-only mode and memoised field validators, so that a county-sized
workbook (thousands of leaders, tens of thousands of ballot marks) is checked in seconds.
Every error is collected (never only the first) and reported with sheet, Excel row number
(the header is row 1) and column; a workbook with any error writes nothing.

Decisions (docs/decisions.md): formula cells are read as their formula text, so a formula
where a number is due is refused like any text starting with ``=``; in the input sheets a row
that has only 编号 and 姓名 filled (as the template pre-fills them) is "not filled in" and
skipped; 往年等次 may carry an optional 姓名 column (checked like elsewhere) and its 年度 must
be earlier than the imported year.
"""

from __future__ import annotations

import io
import re
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.data.audit import now_utc, record
from dashboard.data.db import read_session, transaction
from dashboard.data.filesafety import workbook_file_problem
from dashboard.data.roster import RosterEntry, leader_ids, leader_names, roster_frame, upsert_roster
from dashboard.data.validation import (
    CellError,
    ErrorList,
    FieldError,
    check_visible,
    is_blank,
    parse_adjustment_kind,
    parse_code,
    parse_count,
    parse_date,
    parse_gender,
    parse_grade,
    parse_mark,
    parse_month,
    parse_name,
    parse_narrative,
    parse_positive_points,
    parse_quarter,
    parse_role,
    parse_score,
    parse_status,
    parse_text,
    parse_year,
    strip_text,
)
from dashboard.data.years import (
    bump_revision,
    closed_message,
    ensure_year,
    get_year,
    lock_year,
    roster_frozen,
    year_scheme,
)
from dashboard.domain import (
    ADJUSTMENT_KINDS,
    DEFAULT_COUNTY,
    DUTIES,
    DUTY_KEYS,
    GENDERS,
    GRADES,
    GRID_LEADER,
    HOUSEHOLD_LEADER,
    LEADER_ROLES,
    LEADER_STATUSES,
    MARKS,
    VETO,
    YEAR_OPEN,
)
from models import (
    Adjustment,
    AssessmentYear,
    BallotMark,
    CommitteeScore,
    County,
    DefenseGroup,
    Grid,
    Leader,
    PlatformCount,
    PriorGrade,
    SelfReport,
    Township,
    Village,
)

# --- sheet definitions (workbook.md) -----------------------------------------------------------

ROSTER = "人员名册"
SELF_REPORT = "个人述职"
COMMITTEE = "两委打分"
BALLOTS = "群众评议"
PLATFORM = "平台上报"
ADJUSTMENTS = "加减分"
PRIOR_GRADES = "往年等次"

DUTY_COLUMNS: tuple[str, ...] = tuple(DUTIES.values())
COUNTY_COLUMN = "县"


@dataclass(frozen=True)
class SheetSpec:
    """A sheet: its columns in template order, which are optional, and its duplicate key."""

    name: str
    columns: tuple[str, ...]
    optional: tuple[str, ...] = ()
    key: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.optional)


SHEETS: dict[str, SheetSpec] = {
    spec.name: spec
    for spec in (
        SheetSpec(
            ROSTER,
            ("编号", "姓名", "性别", "民族", "职务", "乡镇", "村", "网格", "联防组", "联系电话", "任职日期", "状态", COUNTY_COLUMN),
            optional=("民族", "联系电话", COUNTY_COLUMN),
            key=("编号",),
        ),
        SheetSpec(SELF_REPORT, ("编号", "姓名", *DUTY_COLUMNS, "述职摘要"), optional=("述职摘要",), key=("编号",)),
        SheetSpec(COMMITTEE, ("季度", "评分人", "编号", "姓名", *DUTY_COLUMNS), key=("季度", "评分人", "编号")),
        SheetSpec(BALLOTS, ("票号", "评议人类别", "编号", "姓名", "评价"), key=("票号", "编号")),
        SheetSpec(PLATFORM, ("编号", "姓名", "月份", "上报数"), key=("编号", "月份")),
        SheetSpec(ADJUSTMENTS, ("编号", "姓名", "类型", "分值", "事由")),
        SheetSpec(PRIOR_GRADES, ("编号", "姓名", "年度", "等次"), optional=("姓名",), key=("编号", "年度")),
    )
}
SHEET_ORDER: tuple[str, ...] = tuple(SHEETS)
REQUIRED_SHEETS = (ROSTER,)

# Sheets whose rows are skipped when nothing but 编号 and 姓名 is filled in (template rows).
_PREFILLED_SHEETS = {SELF_REPORT, COMMITTEE, BALLOTS, PLATFORM, ADJUSTMENTS}


class WorkbookRejected(Exception):
    """The workbook has errors; nothing was written. ``errors`` lists every one."""

    def __init__(
        self, errors: Sequence[CellError], warnings: Sequence[str] = (), *, unlisted: int | None = None
    ):
        self.errors = list(errors)
        self.warnings = list(warnings)
        # Errors beyond the listed ones (ErrorList's bound): counted, never built.
        self.unlisted = getattr(errors, "unlisted", 0) if unlisted is None else unlisted
        super().__init__(f"共 {self.total} 处错误，未写入任何数据。")

    @property
    def total(self) -> int:
        return len(self.errors) + self.unlisted


# --- reading -------------------------------------------------------------------------------------


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
        reader, sheets = _open_book(source)
    except FileNotFoundError:
        raw.errors.append(CellError(None, None, None, f"找不到文件：{source}"))
        return raw
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not .xlsx
        raw.errors.append(CellError(None, None, None, "文件无法作为 Excel 工作簿（.xlsx）打开，请用 Excel 或 WPS 另存为 .xlsx 后再导入"))
        return raw
    try:
        titles: dict[str, str] = {}
        for title, path, state in sheets:
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
                titles[clean] = path
        for name in REQUIRED_SHEETS:
            if name not in titles:
                raw.errors.append(CellError(name, None, None, "缺少必需的工作表"))
        for name in SHEET_ORDER:
            if name in titles:
                try:
                    sheet = _read_sheet(name, _fast_rows(reader, titles[name]), raw)
                except Exception:  # noqa: BLE001 - broken XML inside the file
                    raw.errors.append(CellError(name, None, None, "工作表内容损坏，无法读取"))
                    continue
                if sheet is not None:
                    raw.sheets[name] = sheet
    finally:
        reader.archive.close()
    return raw


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL, _ROW, _VALUE, _FORMULA, _TEXT, _SHEET_DATA = (
    f"{_NS}{t}" for t in ("c", "row", "v", "f", "t", "sheetData")
)
_LETTERS: dict[str, int] = {}


def _column_index(ref: str) -> int:
    """0-based column of a cell reference such as 'AB12'."""
    letters = ref.rstrip("0123456789")
    idx = _LETTERS.get(letters)
    if idx is None:
        idx = 0
        for ch in letters:
            idx = idx * 26 + ord(ch) - 64
        idx -= 1
        _LETTERS[letters] = idx
    return idx


def _open_book(source):
    """openpyxl's reader up to the workbook tables (strings, styles), without the sheets.

    Returns the reader and each worksheet's (title, part path, state: visible, hidden or
    veryHidden).

    ``load_workbook(read_only=True)`` would also create every worksheet, which for files
    without a leading <dimension> element (openpyxl's own write-only output) parses each
    sheet once more just to size it.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(source, read_only=True, data_only=False)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    sheets = [
        (sheet.name, rel.target, sheet.state or "visible")
        for sheet, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]
    return reader, sheets


def _fast_rows(reader, path: str) -> Iterable[tuple]:
    """Cell values of one sheet, row by row (missing rows as empty tuples).

    The same values as openpyxl's ``iter_rows(values_only=True)`` with ``data_only=False``
    (formula cells give their formula text, date-formatted numbers give datetimes), but the
    sheet XML is parsed directly with ElementTree: several times faster than openpyxl's
    per-cell objects, which matters for a county's 80,000 ballot marks.
    """
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.datetime import from_excel

    strings = reader.shared_strings
    date_styles = reader.wb._date_formats
    epoch = reader.wb.epoch
    expected = 1
    cells: dict[int, Any] = {}
    sheet_data = None
    with reader.archive.open(path) as source:
        for event, elem in iterparse(source, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == _SHEET_DATA:
                    sheet_data = elem
                continue
            if tag == _CELL:
                text = formula = None
                inline = False
                for child in elem:
                    ctag = child.tag
                    if ctag == _VALUE:
                        text = child.text
                    elif ctag == _FORMULA:
                        formula = child.text or ""
                    else:
                        inline = True
                ref = elem.get("r")
                col = _column_index(ref) if ref else len(cells)
                if formula is not None:
                    cells[col] = "=" + formula
                    continue
                kind = elem.get("t", "n")
                if kind == "inlineStr" and inline:
                    cells[col] = "".join(t.text or "" for t in elem.iter(_TEXT))
                    continue
                if text is None:
                    continue
                if kind == "s":
                    value = strings[int(text)]
                elif kind == "n":
                    value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
                    style = elem.get("s")
                    if style and int(style) in date_styles:
                        value = from_excel(value, epoch)
                elif kind == "b":
                    value = text == "1"
                elif kind == "d":
                    value = datetime.fromisoformat(text)
                else:  # "str" (a formula's cached text), "e" (an error value)
                    value = text
                cells[col] = value
            elif tag == _ROW:
                number = int(elem.get("r") or expected)
                while expected < number:
                    yield ()
                    expected += 1
                width = max(cells) + 1 if cells else 0
                yield tuple(cells.get(i) for i in range(width))
                expected = number + 1
                cells = {}
                elem.clear()
                if sheet_data is not None:
                    sheet_data.clear()  # drop the finished row itself: memory stays flat


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
        data.append(number, values)
    return RawSheet(name=name, header=header, rows=data)


# --- validation ----------------------------------------------------------------------------------


def _memo(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Cache a parser's answer per distinct cell value (marks, codes and months repeat a lot)."""
    cache: dict[tuple, tuple[bool, Any]] = {}

    def run(value: Any) -> Any:
        try:
            key = (type(value), value)
            hit = cache.get(key)
        except TypeError:  # unhashable: no caching
            return parser(value)
        if hit is None:
            try:
                hit = (True, parser(value))
            except FieldError as exc:
                hit = (False, (exc.reason, exc.field))
            if len(cache) < 200_000:
                cache[key] = hit
        ok, result = hit
        if ok:
            return result
        raise FieldError(result[0], field=result[1])

    return run


_MISSING = object()


@dataclass
class ParsedWorkbook:
    """Validated content, ready to write; ``present`` lists the input sheets the file had."""

    present: set[str] = field(default_factory=set)
    roster: list[RosterEntry] = field(default_factory=list)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: ErrorList = field(default_factory=ErrorList)
    warnings: list[str] = field(default_factory=list)


class _RowReader:
    """Reads cells of one sheet, collecting every FieldError as a CellError."""

    def __init__(self, sheet: RawSheet, errors: ErrorList):
        self.sheet = sheet
        self.errors = errors
        self.row = 0
        self.values: tuple = ()
        self.failed = False

    def start(self, row: int, values: tuple) -> None:
        self.row, self.values, self.failed = row, values, False

    def raw(self, column: str) -> Any:
        idx = self.sheet.header.get(column)
        return None if idx is None else self.values[idx]

    def get(self, column: str, parser: Callable[[Any], Any]) -> Any:
        try:
            return parser(self.raw(column))
        except FieldError as exc:
            self.error(column, exc.reason)
            return _MISSING

    def error(self, column: str | None, reason: str) -> None:
        self.failed = True
        if self.errors.full:
            self.errors.count_more()  # past the listed bound: counted, no message built
        else:
            self.errors.append(CellError(self.sheet.name, self.row, column, reason))


def _committee_parser(max_value: float) -> Callable[[Any], float]:
    return _memo(lambda v: parse_score(v, max_value=max_value))


def parse_workbook(
    raw: RawWorkbook,
    *,
    year: int,
    role_max: dict[str, float],
    known_names: dict[str, str],
) -> ParsedWorkbook:
    """Validate every sheet of a read workbook against the year's rubric and the known roster.

    ``known_names`` maps the database's codes to names; the workbook's own roster overrides it.
    """
    out = ParsedWorkbook(errors=ErrorList(raw.errors), warnings=list(raw.warnings))
    names = dict(known_names)
    if ROSTER in raw.sheets:
        names.update(_parse_roster(raw.sheets[ROSTER], out))
    code_parser = _memo(parse_code)
    name_parser = _memo(parse_name)

    def leader(reader: _RowReader) -> str | None:
        code = reader.get("编号", code_parser)
        if code is _MISSING:
            return None
        if code not in names:
            reader.error("编号", f"编号 {code} 不在人员名册中（本工作簿和系统里都没有）")
            return None
        if "姓名" in reader.sheet.header:
            name = reader.get("姓名", name_parser)
            if name is not _MISSING and name != names[code]:
                reader.error("姓名", f"编号 {code} 在人员名册中的姓名是「{names[code]}」，这里写的是「{name}」")
        return code

    for sheet_name in SHEET_ORDER[1:]:
        sheet = raw.sheets.get(sheet_name)
        if sheet is None:
            continue
        out.present.add(sheet_name)
        reader = _RowReader(sheet, out.errors)
        spec = SHEETS[sheet_name]
        row_parser = _ROW_PARSERS[sheet_name](year=year, role_max=role_max)
        seen: dict[tuple, int] = {}
        records: list[dict[str, Any]] = []
        skip_cols = {sheet.header.get("编号"), sheet.header.get("姓名")}
        for number, values in sheet.rows:
            if sheet_name in _PREFILLED_SHEETS and all(
                is_blank(values[i]) for i in sheet.header.values() if i not in skip_cols
            ):
                continue
            reader.start(number, values)
            code = leader(reader)
            record = row_parser(reader)
            if reader.failed or code is None or record is None:
                continue
            record["code"] = code
            if spec.key:
                key = tuple(record[_KEY_FIELDS[c]] for c in spec.key)
                if key in seen:
                    shown = "、".join(str(k) for k in key)
                    reader.error("+".join(spec.key), f"与第 {seen[key]} 行重复（{shown}）")
                    continue
                seen[key] = number
            records.append(record)
        out.records[sheet_name] = records
    out.errors.sort(key=_error_order)
    return out


_KEY_FIELDS = {"编号": "code", "季度": "quarter", "评分人": "rater", "票号": "ballot_no", "月份": "month", "年度": "year"}


def _error_order(err: CellError) -> tuple:
    sheet = SHEET_ORDER.index(err.sheet) if err.sheet in SHEET_ORDER else -1
    columns = SHEETS[err.sheet].columns if err.sheet in SHEETS else ()
    col = columns.index(err.column) if err.column in columns else len(columns)
    return (sheet, err.row or 0, col)


def _parse_roster(sheet: RawSheet, out: ParsedWorkbook) -> dict[str, str]:
    """Roster rows → RosterEntry; returns code → name of every row whose code and name read."""
    reader = _RowReader(sheet, out.errors)
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    place = _memo(lambda v: parse_text(v, what="地名", max_len=64))
    optional_place = _memo(lambda v: parse_text(v, what="地名", required=False, max_len=64))
    gender, role, status, when = _memo(parse_gender), _memo(parse_role), _memo(parse_status), _memo(parse_date)
    for number, values in sheet.rows:
        reader.start(number, values)
        code = reader.get("编号", parse_code)
        name = reader.get("姓名", parse_name)
        if code is not _MISSING and name is not _MISSING:
            names.setdefault(code, name)
        entry = {
            "gender": reader.get("性别", gender),
            "ethnicity": reader.get("民族", lambda v: parse_text(v, what="民族", required=False, max_len=32)),
            "role": reader.get("职务", role),
            "township": reader.get("乡镇", place),
            "village": reader.get("村", place),
            "grid": reader.get("网格", place),
            "group": reader.get("联防组", optional_place),
            "phone": reader.get("联系电话", lambda v: parse_text(v, what="联系电话", required=False, max_len=32)),
            "appointed_on": reader.get("任职日期", when),
            "status": reader.get("状态", status),
            "county": reader.get(COUNTY_COLUMN, optional_place),
        }
        if entry["role"] == HOUSEHOLD_LEADER and entry["group"] is None:
            reader.error("联防组", "联户长必须填写联防组")
        elif entry["role"] == GRID_LEADER and entry["group"] not in (None, _MISSING):
            reader.error("联防组", "网格长不属于联防组，联防组应留空")
        if code is not _MISSING:
            if code in seen:
                reader.error("编号", f"编号 {code} 与第 {seen[code]} 行重复")
                continue
            seen[code] = number
        if reader.failed:
            continue
        out.roster.append(
            RosterEntry(code=code, name=name, **{**entry, "county": entry["county"] or DEFAULT_COUNTY})
        )
    return names


def _self_rows(*, year: int, role_max: dict[str, float]):
    percent = _memo(lambda v: parse_score(v, max_value=100))

    def parse(reader: _RowReader) -> dict[str, Any]:
        record = {key: reader.get(col, percent) for key, col in DUTIES.items()}
        record["narrative"] = reader.get("述职摘要", parse_narrative)
        return record

    return parse


def _committee_rows(*, year: int, role_max: dict[str, float]):
    scores = {key: _committee_parser(role_max[key]) for key in DUTY_KEYS}
    quarter = _memo(parse_quarter)
    rater = _memo(lambda v: re.sub(r"\s+", "", parse_text(v, what="评分人", max_len=64) or ""))

    def parse(reader: _RowReader) -> dict[str, Any]:
        record = {"quarter": reader.get("季度", quarter), "rater": reader.get("评分人", rater)}
        for key, col in DUTIES.items():
            record[key] = reader.get(col, scores[key])
        return record

    return parse


def _ballot_rows(*, year: int, role_max: dict[str, float]):
    ballot_no = _memo(lambda v: parse_code(v, field="票号", what="票号", max_len=64))
    rater_type = _memo(lambda v: _category_text(v, what="评议人类别", max_len=32))
    mark = _memo(parse_mark)

    def parse(reader: _RowReader) -> dict[str, Any]:
        return {
            "ballot_no": reader.get("票号", ballot_no),
            "rater_type": reader.get("评议人类别", rater_type),
            "mark": reader.get("评价", mark),
        }

    return parse


def _category_text(value: Any, *, what: str, max_len: int) -> str:
    """An open category (评议人类别): free text, but never formula-looking."""
    text = parse_text(value, what=what, max_len=max_len)
    assert text is not None
    if text[0] in "=+-@":
        raise FieldError(f"以 {text[0]} 开头的文本不能作为{what}：{text}")
    return text.replace(" ", "").replace("\u3000", "")


def _platform_rows(*, year: int, role_max: dict[str, float]):
    month = _memo(parse_month)
    reports = _memo(lambda v: parse_count(v, field="上报数", what="上报数"))

    def parse(reader: _RowReader) -> dict[str, Any]:
        return {"month": reader.get("月份", month), "reports": reader.get("上报数", reports)}

    return parse


def _adjustment_rows(*, year: int, role_max: dict[str, float]):
    kind_parser = _memo(parse_adjustment_kind)

    def parse(reader: _RowReader) -> dict[str, Any]:
        kind = reader.get("类型", kind_parser)
        points: Any = None
        if kind == VETO:
            if not is_blank(reader.raw("分值")):
                reader.error("分值", "一票否决不填分值，请留空")
        elif kind is not _MISSING:
            points = reader.get("分值", parse_positive_points)
        reason = reader.get("事由", lambda v: parse_text(v, what="事由", max_len=500))
        return {"kind": kind, "points": points, "reason": reason}

    return parse


def _prior_rows(*, year: int, role_max: dict[str, float]):
    grade = _memo(parse_grade)

    def prior_year(value: Any) -> int:
        y = parse_year(value)
        if y >= year:
            raise FieldError(f"往年等次的年度 {y} 应早于导入的年度 {year}")
        return y

    def parse(reader: _RowReader) -> dict[str, Any]:
        return {"year": reader.get("年度", _memo(prior_year)), "grade": reader.get("等次", grade)}

    return parse


_ROW_PARSERS = {
    SELF_REPORT: _self_rows,
    COMMITTEE: _committee_rows,
    BALLOTS: _ballot_rows,
    PLATFORM: _platform_rows,
    ADJUSTMENTS: _adjustment_rows,
    PRIOR_GRADES: _prior_rows,
}


# --- import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemovedRow:
    """A stored row an import deletes (only 加减分 can): sheet, leader and what it was."""

    sheet: str
    code: str
    name: str
    what: str


@dataclass
class SheetPlan:
    """What an import does to one sheet's data: rows added, changed, unchanged, removed."""

    sheet: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: list[RemovedRow] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.sheet}：新增 {self.added} 行，修改 {self.changed} 行，不变 {self.unchanged} 行"
        return text + (f"，删除 {len(self.removed)} 行" if self.removed else "")


@dataclass
class ImportPlan:
    """An import worked out against the database before anything is written.

    ``sheets`` is what the user sees (the preview); the rest is what ``_apply`` writes:
    roster entries to upsert (new or changed only), rows to insert and stored row ids to
    delete per table. Unchanged rows appear in neither, so re-importing the same values
    writes no data row at all.
    """

    year: int
    sheets: dict[str, SheetPlan]
    warnings: list[str] = field(default_factory=list)
    roster: list[RosterEntry] = field(default_factory=list)
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deletes: dict[str, list[int]] = field(default_factory=dict)
    prior_years: set[int] = field(default_factory=set)

    @property
    def changes(self) -> bool:
        return any(p.added or p.changed or p.removed for p in self.sheets.values())

    @property
    def removed(self) -> list[RemovedRow]:
        return [r for p in self.sheets.values() for r in p.removed]

    def lines(self) -> list[str]:
        """The preview in Chinese: one line per sheet, then every removed row."""
        out = [p.line() for p in self.sheets.values()]
        out += [f"将删除：{r.sheet} 编号 {r.code} {r.name}：{r.what}" for r in self.removed]
        if not self.changes:
            out.append("与系统中的数据完全相同，导入不会改变任何数据")
        return out


@dataclass
class ImportReport:
    """What an accepted import wrote (the plan it carried out)."""

    year: int
    plan: ImportPlan
    warnings: list[str]

    @property
    def roster_inserted(self) -> int:
        return self.plan.sheets[ROSTER].added if ROSTER in self.plan.sheets else 0

    @property
    def roster_updated(self) -> int:
        return self.plan.sheets[ROSTER].changed if ROSTER in self.plan.sheets else 0

    @property
    def counts(self) -> dict[str, int]:
        """Rows of each input sheet in the workbook (added + changed + unchanged)."""
        return {
            name: p.added + p.changed + p.unchanged for name, p in self.plan.sheets.items() if name != ROSTER
        }

    def lines(self) -> list[str]:
        return self.plan.lines()


_TABLES: dict[str, Table] = {
    SELF_REPORT: SelfReport.__table__,
    COMMITTEE: CommitteeScore.__table__,
    BALLOTS: BallotMark.__table__,
    PLATFORM: PlatformCount.__table__,
    ADJUSTMENTS: Adjustment.__table__,
    PRIOR_GRADES: PriorGrade.__table__,
}
_CHUNK = 900  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits

# The unit of entry of each keyed sheet (workbook.md "What an import replaces"): the record
# fields that identify a stored row, and the fields a row carries.
_UNITS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    SELF_REPORT: (("code",), (*DUTY_KEYS, "narrative")),
    COMMITTEE: (("quarter", "rater", "code"), DUTY_KEYS),
    BALLOTS: (("ballot_no", "code"), ("rater_type", "mark")),
    PLATFORM: (("code", "month"), ("reports",)),
    PRIOR_GRADES: (("code", "year"), ("grade",)),
}
_VERSIONED = (SELF_REPORT, COMMITTEE)


def squash_rater(name: str) -> str:
    """A committee member's name with every space removed: 「王 明」 and 「王明」 are one member."""
    return re.sub(r"\s+", "", name)


def _validate(session: Session, raw: RawWorkbook, year: int) -> ParsedWorkbook:
    if not 2000 <= year <= 2100:
        raise WorkbookRejected([CellError(None, None, None, f"年度 {year} 不在 2000 到 2100 之间")])
    row = get_year(session, year)
    if row is not None and row.status != YEAR_OPEN:
        raise WorkbookRejected([CellError(None, None, None, f"年度 {year} 已进入公示/定稿，不能导入：{closed_message(year, row.status)}")])
    parsed = parse_workbook(
        raw, year=year, role_max=year_scheme(session, year).role_max, known_names=leader_names(session)
    )
    if parsed.errors:
        raise WorkbookRejected(parsed.errors, parsed.warnings)
    return parsed


def _checked_plan(session: Session, raw: RawWorkbook, year: int) -> tuple[ParsedWorkbook, ImportPlan]:
    """Validate, plan, and refuse roster changes while the roster is frozen (one rule with the page)."""
    parsed = _validate(session, raw, year)
    plan = plan_import(session, parsed, year)
    frozen = roster_frozen(session)
    if frozen is not None and ROSTER in raw.sheets:
        touched = {e.code for e in plan.roster}
        rows = [(n, c) for n, c in _roster_codes(raw.sheets[ROSTER]) if c in touched]
        if rows:
            raise WorkbookRejected(
                [CellError(ROSTER, n, "编号", f"编号 {c} 的人员信息与系统不同：{frozen}") for n, c in rows],
                parsed.warnings,
            )
    return parsed, plan


def _roster_codes(sheet: RawSheet) -> list[tuple[int, str]]:
    """(Excel row, 编号) of each roster row whose 编号 reads."""
    out = []
    for number, values in sheet.rows:
        try:
            out.append((number, parse_code(values[sheet.header["编号"]])))
        except FieldError:
            continue
    return out


def check_workbook(*, engine: Engine, source: Source, year: int) -> ParsedWorkbook:
    """Validate without writing; raises WorkbookRejected listing every error."""
    return preview_workbook(engine=engine, source=source, year=year)[0]


def preview_workbook(*, engine: Engine, source: Source, year: int) -> tuple[ParsedWorkbook, ImportPlan]:
    """Validate and work out what the import would do (the preview); writes nothing.

    Raises WorkbookRejected listing every error.
    """
    raw = read_workbook(source)
    if raw.errors:
        raise WorkbookRejected(sorted(raw.errors, key=_error_order), raw.warnings)
    with read_session(engine) as session:
        return _checked_plan(session, raw, year)


def import_workbook(
    *, engine: Engine, source: Source, year: int, username: str = "命令行", action: str = "import"
) -> ImportReport:
    """Validate a data workbook and import it for ``year`` in one transaction (all or nothing).

    Each row replaces only its unit of entry (workbook.md "What an import replaces"); rows
    equal to the stored ones are not written, and the year's revision moves only on a change.
    """
    raw = read_workbook(source)
    if raw.errors:
        raise WorkbookRejected(sorted(raw.errors, key=_error_order), raw.warnings)
    with transaction(engine) as session:
        lock_year(session, year)  # no publish can slip between the status check and the write
        parsed, plan = _checked_plan(session, raw, year)
        return _write(session, parsed, plan, username, _source_name(source), action)


def _source_name(source: Source) -> str | None:
    if isinstance(source, str | Path):
        return Path(source).name
    return getattr(source, "name", None)


def _chunks(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


# --- the import plan -----------------------------------------------------------------------------


def plan_import(session: Session, parsed: ParsedWorkbook, year: int) -> ImportPlan:
    """Compare a validated workbook with the database: per sheet what is added, changed, unchanged
    and removed, and the rows to write. Reads only."""
    plan = ImportPlan(year=year, sheets={}, warnings=list(parsed.warnings))
    ids = leader_ids(session)
    names = {**leader_names(session), **{e.code: e.name for e in parsed.roster}}
    if parsed.roster:
        _plan_roster(session, parsed.roster, plan)
    for sheet_name in SHEET_ORDER[1:]:
        if sheet_name not in parsed.present:
            continue
        records = parsed.records[sheet_name]
        plan.sheets[sheet_name] = SheetPlan(sheet_name)
        plan.inserts[sheet_name], plan.deletes[sheet_name] = [], []
        covered = sorted({ids[r["code"]] for r in records if r["code"] in ids})
        stored = _stored_rows(session, sheet_name, year, covered, {v: k for k, v in ids.items()})
        if sheet_name == ADJUSTMENTS:
            _plan_adjustments(plan, records, stored, names)
        else:
            _plan_keyed(plan, sheet_name, records, stored)
    return plan


def _stored_rows(
    session: Session, sheet_name: str, year: int, leader_ids_: Sequence[int], codes: dict[int, str]
) -> list[dict[str, Any]]:
    """The stored rows of a sheet's table for these leaders (the import year's; every year for 往年等次)."""
    table = _TABLES[sheet_name]
    out = []
    for chunk in _chunks(leader_ids_):
        stmt = select(table).where(table.c.leader_id.in_(chunk))
        if sheet_name != PRIOR_GRADES:
            stmt = stmt.where(table.c.year == year)
        for row in session.execute(stmt).mappings():
            out.append({**row, "code": codes[row["leader_id"]]})
    return out


def _unit_key(sheet_name: str, row: dict[str, Any]) -> tuple:
    fields = _UNITS[sheet_name][0]
    return tuple(squash_rater(row[f]) if f == "rater" else row[f] for f in fields)


def _plan_keyed(plan: ImportPlan, sheet_name: str, records: list[dict[str, Any]], stored: list[dict[str, Any]]) -> None:
    sheet = plan.sheets[sheet_name]
    value_fields = _UNITS[sheet_name][1]
    by_key: dict[tuple, list[dict[str, Any]]] = {}
    for row in stored:
        by_key.setdefault(_unit_key(sheet_name, row), []).append(row)
    for item in records:
        if sheet_name == COMMITTEE:
            item = {**item, "rater": squash_rater(item["rater"])}
        olds = by_key.get(_unit_key(sheet_name, item), [])
        same = (
            len(olds) == 1
            and all(olds[0][f] == item[f] for f in value_fields)
            and (sheet_name != COMMITTEE or olds[0]["rater"] == item["rater"])
        )
        if same:
            sheet.unchanged += 1
            continue
        if olds:
            sheet.changed += 1
            plan.deletes[sheet_name] += [o["id"] for o in olds]
        else:
            sheet.added += 1
        if sheet_name in _VERSIONED:
            item = {**item, "version": max((o["version"] for o in olds), default=0) + 1}
        if sheet_name == PRIOR_GRADES:
            plan.prior_years.add(item["year"])
        plan.inserts[sheet_name].append(item)


def _adjustment_key(row: dict[str, Any]) -> tuple:
    return (row["kind"], row["points"], row["reason"])


def _plan_adjustments(
    plan: ImportPlan, records: list[dict[str, Any]], stored: list[dict[str, Any]], names: dict[str, str]
) -> None:
    """加减分 has no key: the sheet is the whole list of the year for each leader in it.

    Entries equal to stored ones (same 类型, 分值, 事由) stay; the others are added, and stored
    entries the sheet no longer lists are removed (and shown as such)."""
    sheet = plan.sheets[ADJUSTMENTS]
    remaining: dict[tuple, list[dict[str, Any]]] = {}
    for row in stored:
        remaining.setdefault((row["code"], *_adjustment_key(row)), []).append(row)
    for item in records:
        olds = remaining.get((item["code"], *_adjustment_key(item)))
        if olds:
            olds.pop()
            sheet.unchanged += 1
        else:
            sheet.added += 1
            plan.inserts[ADJUSTMENTS].append(item)
    for rows in remaining.values():
        for row in rows:
            plan.deletes[ADJUSTMENTS].append(row["id"])
            shown = row["kind"] if row["points"] is None else f"{row['kind']} {row['points']:g} 分"
            sheet.removed.append(
                RemovedRow(ADJUSTMENTS, row["code"], names.get(row["code"], ""), f"{shown}（{row['reason']}）")
            )
    sheet.removed.sort(key=lambda r: (r.code, r.what))


_ROSTER_FIELDS = (
    "name", "gender", "ethnicity", "role", "phone", "appointed_on", "status",
    "county", "township", "village", "grid", "group",
)


def _plan_roster(session: Session, entries: list[RosterEntry], plan: ImportPlan) -> None:
    sheet = plan.sheets[ROSTER] = SheetPlan(ROSTER)
    stored = {e.code: e for e in stored_roster(session, [e.code for e in entries])}
    for entry in entries:
        old = stored.get(entry.code)
        if old is not None and all(getattr(old, f) == getattr(entry, f) for f in _ROSTER_FIELDS):
            sheet.unchanged += 1
            continue
        if old is None:
            sheet.added += 1
        else:
            sheet.changed += 1
        plan.roster.append(entry)


def stored_roster(session: Session, codes: Sequence[str]) -> list[RosterEntry]:
    """The stored leaders with these codes, as roster entries (with their place by name)."""
    frame_rows = []
    for i in range(0, len(codes), _CHUNK):
        stmt = (
            select(
                Leader.code, Leader.name, Leader.gender, Leader.role, Township.name, Village.name,
                Grid.name, DefenseGroup.name, Leader.appointed_on, Leader.status, Leader.ethnicity,
                Leader.phone, County.name,
            )
            .join(Grid, Grid.id == Leader.grid_id)
            .join(Village, Village.id == Grid.village_id)
            .join(Township, Township.id == Village.township_id)
            .join(County, County.id == Township.county_id)
            .outerjoin(DefenseGroup, DefenseGroup.id == Leader.group_id)
            .where(Leader.code.in_(codes[i : i + _CHUNK]))
        )
        frame_rows += session.execute(stmt).all()
    return [RosterEntry(*row) for row in frame_rows]


# --- the write -----------------------------------------------------------------------------------


def _write(
    session: Session, parsed: ParsedWorkbook, plan: ImportPlan, username: str, source_name: str | None,
    action: str,
) -> ImportReport:
    year = plan.year
    now = now_utc()
    ensure_year(session, year)
    if plan.roster:
        upsert_roster(session=session, entries=plan.roster)
    ids = leader_ids(session)
    for sheet_name, table in _TABLES.items():
        doomed = plan.deletes.get(sheet_name, [])
        for chunk in _chunks(doomed):
            session.execute(delete(table).where(table.c.id.in_(chunk)))
        rows = []
        for r in plan.inserts.get(sheet_name, []):
            row = {k: v for k, v in r.items() if k != "code"}
            row["leader_id"] = ids[r["code"]]
            if sheet_name != PRIOR_GRADES:
                row["year"] = year
            if sheet_name in _VERSIONED:
                row.update(updated_at=now, updated_by=username)
            rows.append(row)
        if rows:
            session.execute(insert(table), rows)
    if plan.changes:
        # The roster feeds every year's results; a prior grade for year X is what year X+1's
        # two-year rule reads.
        years = {year}
        if plan.roster:
            years |= set(session.execute(select(AssessmentYear.year)).scalars())
        years |= {y + 1 for y in plan.prior_years if get_year(session, y + 1) is not None}
        for changed_year in sorted(years):
            bump_revision(session, changed_year)
    record(
        session,
        username=username,
        action=action,
        year=year,
        target=source_name or "考评数据工作簿",
        new={
            name: {"新增": p.added, "修改": p.changed, "不变": p.unchanged, "删除": len(p.removed)}
            for name, p in plan.sheets.items()
        },
    )
    session.flush()
    return ImportReport(year=year, plan=plan, warnings=parsed.warnings)


def leader_count(session: Session) -> int:
    """How many leaders the roster holds (0 for an empty database)."""
    return session.execute(select(func.count()).select_from(Leader)).scalar_one()


# --- writing workbooks (template, sample) ------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WIDE = {"述职摘要": 60, "事由": 30, "联系电话": 16, "任职日期": 14, "评议人类别": 14, "票号": 16}


def _list_rule(words: Sequence[str], what: str, *, allow_blank: bool = True) -> DataValidation:
    rule = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=allow_blank)
    rule.error = f"请从下拉列表中选择{what}：{'、'.join(words)}"
    rule.errorTitle = f"{what}无效"
    rule.showErrorMessage = True
    return rule


def _number_rule(kind: str, low: float, high: float, what: str) -> DataValidation:
    rule = DataValidation(type=kind, operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
    rule.error = f"{what}应在 {low:g} 到 {high:g} 之间"
    rule.errorTitle = f"{what}超出范围"
    rule.showErrorMessage = True
    return rule


def _validations(sheet: str, role_max: dict[str, float]) -> dict[str, DataValidation]:
    if sheet == ROSTER:
        return {
            "性别": _list_rule(GENDERS, "性别"),
            "职务": _list_rule(LEADER_ROLES, "职务"),
            "状态": _list_rule(LEADER_STATUSES, "状态"),
        }
    if sheet == SELF_REPORT:
        return {col: _number_rule("decimal", 0, 100, col) for col in DUTY_COLUMNS}
    if sheet == COMMITTEE:
        rules = {"季度": _number_rule("whole", 1, 4, "季度")}
        rules.update({col: _number_rule("decimal", 0, role_max[k], col) for k, col in DUTIES.items()})
        return rules
    if sheet == BALLOTS:
        return {"评价": _list_rule(MARKS, "评价")}
    if sheet == PLATFORM:
        return {"月份": _number_rule("whole", 1, 12, "月份"), "上报数": _number_rule("whole", 0, 100000, "上报数")}
    if sheet == ADJUSTMENTS:
        return {"类型": _list_rule(ADJUSTMENT_KINDS, "类型")}
    if sheet == PRIOR_GRADES:
        return {"等次": _list_rule(GRADES, "等次")}
    return {}


def build_workbook(
    rows_by_sheet: dict[str, Sequence[dict[str, Any]]],
    *,
    role_max: dict[str, float] | None = None,
    sheets: Sequence[str] = SHEET_ORDER,
) -> Workbook:
    """A workbook with the given sheets (exact headers, bold, frozen, drop-down lists) and rows.

    Each row is a dict keyed by column header; missing keys are empty cells.
    """
    from dashboard.scoring.scheme import Scheme

    role_max = role_max or Scheme.default().role_max
    book = Workbook()
    book.remove(book.active)
    for name in sheets:
        spec = SHEETS[name]
        ws = book.create_sheet(name)
        ws.append(list(spec.columns))
        for cell in ws[1]:
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(horizontal="center")
        for row in rows_by_sheet.get(name, ()):
            ws.append([row.get(col) for col in spec.columns])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    # Text stays text: a name typed as "=…" is never written as a formula, and
                    # (unlike a ' guard) the round trip back through the importer is exact.
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        for idx, col in enumerate(spec.columns, start=1):
            letter = get_column_letter(idx)
            ws.column_dimensions[letter].width = _WIDE.get(col, max(10, 2 * len(col) + 4))
            if col in ("任职日期",):
                for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    cell.number_format = "yyyy-mm-dd"
            if col in ("编号", "联系电话", "票号"):
                for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    cell.number_format = "@"
        for col, rule in _validations(name, role_max).items():
            letter = get_column_letter(spec.columns.index(col) + 1)
            rule.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(rule)
    return book


def template_rows(session: Session, *, year: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """Pre-filled rows of the template: the roster and 编号/姓名 on 个人述职."""
    frame = roster_frame(session, assessed_in=year)
    roster, selfs = [], []
    for rec in frame.to_dict("records"):
        row = {k: (None if _isna(v) else v) for k, v in rec.items()}
        roster.append(row)
        if row["状态"] == "在任":
            selfs.append({"编号": row["编号"], "姓名": row["姓名"]})
    return {ROSTER: roster, SELF_REPORT: selfs}


def _isna(value: Any) -> bool:
    try:
        return value is None or value != value
    except Exception:  # noqa: BLE001
        return False


def write_template(*, session: Session, out: str | Path | IO[bytes], year: int | None = None) -> int:
    """Write the empty data workbook pre-filled with the roster (of leaders assessed in ``year``).

    Returns the number of leaders pre-filled.
    """
    rows = template_rows(session, year=year)
    role_max = year_scheme(session, year).role_max if year is not None else None
    book = build_workbook(rows, role_max=role_max)
    book.save(out)
    return len(rows[ROSTER])


def template_bytes(*, engine: Engine, year: int | None = None) -> bytes:
    """The template as bytes (for a download button)."""
    buffer = io.BytesIO()
    with read_session(engine) as session:
        write_template(session=session, out=buffer, year=year)
    return buffer.getvalue()

