"""Writing data workbooks: the template (exact headers, bold, frozen, drop-down lists), pre-filled
with the roster, and the sample data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.data.db import read_session
from dashboard.data.roster import roster_frame
from dashboard.data.workbook.spec import (
    ADJUSTMENTS,
    BALLOTS,
    COMMITTEE,
    DUTY_COLUMNS,
    MEMBERS,
    PLATFORM,
    PRIOR_GRADES,
    ROSTER,
    SELF_REPORT,
    SHEET_ORDER,
    SHEETS,
)
from dashboard.data.years import year_scheme
from dashboard.domain import (
    ADJUSTMENT_KINDS,
    COMMITTEE_POSTS,
    DUTIES,
    GENDERS,
    GRADES,
    LEADER_ROLES,
    LEADER_STATUSES,
    MARKS,
)
from dashboard.scoring.scheme import Scheme
from models import CommitteeMember, County, Township, Village

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
    if sheet == MEMBERS:
        rule = _list_rule(COMMITTEE_POSTS, "职务")
        rule.showErrorMessage = False  # a suggestion: another post is accepted, as on the page
        return {"职务": rule}
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


def template_rows(
    session: Session, *, year: int | None = None, quarter: int | None = None, rater: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Pre-filled rows of the template: the roster and 编号/姓名 on 个人述职; with a year, the 两委成员
    of the year; with a quarter and a committee member (评分人), 两委打分 holds one row per active
    leader with 季度, 评分人, 编号 and 姓名 so that only the seven scores are typed (a row left
    without scores is skipped on import)."""
    frame = roster_frame(session, assessed_in=year)
    roster, selfs = [], []
    for rec in frame.to_dict("records"):
        row = {k: (None if _isna(v) else v) for k, v in rec.items()}
        roster.append(row)
        if row["状态"] == "在任":
            selfs.append({"编号": row["编号"], "姓名": row["姓名"]})
    rows = {ROSTER: roster, SELF_REPORT: selfs}
    if year is not None:
        rows[MEMBERS] = _member_rows(session, year)
    if quarter is not None and rater:
        rows[COMMITTEE] = [{"季度": quarter, "评分人": rater, **r} for r in selfs]
    return rows


def _member_rows(session: Session, year: int) -> list[dict[str, Any]]:
    """The year's 两委成员, village by village, 书记 and 主任 first."""
    order = {post: i for i, post in enumerate(COMMITTEE_POSTS)}
    rows = session.execute(
        select(County.name, Township.name, Village.name, CommitteeMember.name, CommitteeMember.post)
        .join(Village, Village.id == CommitteeMember.village_id)
        .join(Township, Township.id == Village.township_id)
        .join(County, County.id == Township.county_id)
        .where(CommitteeMember.year == year)
    ).all()
    rows = sorted(rows, key=lambda r: (r[0], r[1], r[2], order.get(r[4], len(order)), r[3]))
    return [{"县": c, "乡镇": t, "村": v, "姓名": n, "职务": p} for c, t, v, n, p in rows]


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
