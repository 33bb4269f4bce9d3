"""The sheets of the data workbook 考评数据工作簿 (workbook.md): names, columns, keys, and the
refusal that carries every error of a workbook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboard.data.validation import CellError
from dashboard.domain import DUTIES

ROSTER = "人员名册"
MEMBERS = "两委成员"
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
        # Optional: the committee members (raters of 两委打分) of each village listed, for the year.
        SheetSpec(MEMBERS, ("乡镇", "村", "姓名", "职务", COUNTY_COLUMN), optional=(COUNTY_COLUMN,), key=("乡镇", "村", "姓名")),
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
# The input sheets whose rows are about one leader each (编号, 姓名): every sheet but the two lists.
LEADER_SHEETS: tuple[str, ...] = tuple(name for name in SHEET_ORDER if name not in (ROSTER, MEMBERS))

# Sheets whose rows are skipped when nothing but 编号 and 姓名 is filled in (template rows).
PREFILLED_SHEETS = {SELF_REPORT, COMMITTEE, BALLOTS, PLATFORM, ADJUSTMENTS}


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


def error_order(err: CellError) -> tuple:
    """Errors in workbook order: sheet, then row, then the column's place in the sheet."""
    sheet = SHEET_ORDER.index(err.sheet) if err.sheet in SHEET_ORDER else -1
    columns = SHEETS[err.sheet].columns if err.sheet in SHEETS else ()
    col = columns.index(err.column) if err.column in columns else len(columns)
    return (sheet, err.row or 0, col)
