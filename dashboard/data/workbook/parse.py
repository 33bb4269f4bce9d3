"""Validating a read workbook against the year's rubric and the known roster.

Field validators are memoised per distinct cell value (marks, codes and months repeat a lot), so
a county-sized workbook is checked in seconds. Every error is collected (never only the first)
with sheet, Excel row number (the header is row 1) and column. In the input sheets a row that has
only 编号 and 姓名 filled (as the template pre-fills them; on 两委打分 also 季度 and 评分人) is
"not filled in" and skipped;
往年等次 may carry an optional 姓名 column and its 年度 must be earlier than the imported year.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard.data.roster import RosterEntry
from dashboard.data.validation import (
    CellError,
    ErrorList,
    FieldError,
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
)
from dashboard.data.workbook.read import RawSheet, RawWorkbook
from dashboard.data.workbook.spec import (
    ADJUSTMENTS,
    BALLOTS,
    COMMITTEE,
    COUNTY_COLUMN,
    LEADER_SHEETS,
    MEMBERS,
    PLATFORM,
    PREFILLED_SHEETS,
    PRIOR_GRADES,
    ROSTER,
    SELF_REPORT,
    SHEETS,
    error_order,
)
from dashboard.domain import DEFAULT_COUNTY, DUTIES, DUTY_KEYS, GRID_LEADER, HOUSEHOLD_LEADER, VETO


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
    known_villages: set[tuple[str, str, str]] | None = None,
) -> ParsedWorkbook:
    """Validate every sheet of a read workbook against the year's rubric and the known roster.

    ``known_names`` maps the database's codes to names; the workbook's own roster overrides it.
    ``known_villages`` holds the database's villages as (县, 乡镇, 村); the workbook's roster adds its own.
    """
    out = ParsedWorkbook(errors=ErrorList(raw.errors), warnings=list(raw.warnings))
    names = dict(known_names)
    if ROSTER in raw.sheets:
        names.update(_parse_roster(raw.sheets[ROSTER], out))
    if MEMBERS in raw.sheets:
        villages = set(known_villages or ()) | {(e.county, e.township, e.village) for e in out.roster}
        out.present.add(MEMBERS)
        out.records[MEMBERS] = _parse_members(raw.sheets[MEMBERS], out, villages)
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

    for sheet_name in LEADER_SHEETS:
        sheet = raw.sheets.get(sheet_name)
        if sheet is None:
            continue
        out.present.add(sheet_name)
        reader = _RowReader(sheet, out.errors)
        spec = SHEETS[sheet_name]
        row_parser = _ROW_PARSERS[sheet_name](year=year, role_max=role_max)
        seen: dict[tuple, int] = {}
        records: list[dict[str, Any]] = []
        # A template row pre-fills who and when (两委打分 also 季度 and 评分人): with no score typed it is skipped.
        prefilled = ("编号", "姓名", "季度", "评分人") if sheet_name == COMMITTEE else ("编号", "姓名")
        skip_cols = {sheet.header.get(col) for col in prefilled}
        for number, values in sheet.rows:
            if sheet_name in PREFILLED_SHEETS and all(
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
    out.errors.sort(key=error_order)
    return out


_KEY_FIELDS = {"编号": "code", "季度": "quarter", "评分人": "rater", "票号": "ballot_no", "月份": "month", "年度": "year"}


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


def _parse_members(
    sheet: RawSheet, out: ParsedWorkbook, villages: set[tuple[str, str, str]]
) -> list[dict[str, Any]]:
    """两委成员 rows → {county, township, village, name, post}; a village must be in a roster (the
    database's or this workbook's), and a name (compared without spaces) appears once per village."""
    reader = _RowReader(sheet, out.errors)
    place = _memo(lambda v: parse_text(v, what="地名", max_len=64))
    optional_place = _memo(lambda v: parse_text(v, what="地名", required=False, max_len=64))
    post = _memo(lambda v: _category_text(v, what="职务", max_len=16))
    seen: dict[tuple[str, str, str, str], int] = {}
    records: list[dict[str, Any]] = []
    for number, values in sheet.rows:
        reader.start(number, values)
        county = reader.get(COUNTY_COLUMN, optional_place)
        town = reader.get("乡镇", place)
        village = reader.get("村", place)
        name = reader.get("姓名", parse_name)
        record = {"county": county or DEFAULT_COUNTY, "township": town, "village": village,
                  "name": name, "post": reader.get("职务", post)}
        if _MISSING not in (county, town, village) and (record["county"], town, village) not in villages:
            reader.error("村", f"{town}/{village} 不在人员名册中（本工作簿和系统里都没有这个村）")
        if reader.failed:
            continue
        key = (record["county"], town, village, name)
        if key in seen:
            reader.error("姓名", f"{town}/{village} 的两委成员「{name}」与第 {seen[key]} 行重复（姓名不计空格）")
            continue
        seen[key] = number
        records.append(record)
    return records


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
