"""The award-list workbook for printing: 表彰名单, 建议调整名单, 考核汇总表, 联户长报酬发放表.

Winners, ties, adjustment reasons and pay come from the engine's columns (the result rows of
interfaces.md) and dashboard.scoring.explain; nothing here decides who is awarded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.data.export.files import (
    BORDER,
    HEADER_FONT,
    TIE_FILL,
    Column,
    bool_text,
    flag_text,
    key_column,
    write_cell,
    write_note,
    write_table,
)
from dashboard.data.export.records import result_frame, results_records
from dashboard.domain import DEFAULT_COUNTY, GRID_LEADER, HOUSEHOLD_LEADER
from dashboard.headers import HEADERS
from dashboard.scoring.explain import adjustment_reason
from dashboard.scoring.scheme import Scheme

AWARD_SHEETS = ("表彰名单", "建议调整名单", "考核汇总表", "联户长报酬发放表")
AWARD_TITLES = {
    GRID_LEADER: "优秀网格长",
    HOUSEHOLD_LEADER: "优秀联户长",
}
SCOPE_RANK = {"village": "village_rank", "township": "township_rank", "county": "county_rank"}
TIE_NOTE = "末位并列，需研究决定"
LOCATION_KEYS = ("township", "village", "grid", "group")
SUMMARY_KEYS = (
    "self", "mass", "committee", "platform", "ballots", "satisfaction", "bonus", "deduction", "final",
    "grade", "village_rank", "township_rank", "county_rank",
)
SUMMARY_KINDS = {"ballots": "integer", "satisfaction": "percent", "grade": "text"}


def is_tie(record: Mapping[str, Any]) -> bool:
    return "tie_at_cutoff" in (record.get("flags") or [])


def decimal_amount(value: float | None) -> Decimal:
    """A 2-decimal amount as an exact decimal (0 for none), so sums of pay do not drift."""
    return Decimal(0) if value is None else Decimal(repr(value))


def _frame_and_scheme(assessment_or_frame: Any) -> tuple[Any, Scheme | None]:
    """Accept a results DataFrame (or list of rows) or an object carrying one (and its scheme)."""
    obj = assessment_or_frame
    if isinstance(obj, pd.DataFrame | list):
        return obj, None
    for attr in ("results", "frame", "df"):
        frame = getattr(obj, attr, None)
        if isinstance(frame, pd.DataFrame):
            return frame, getattr(obj, "scheme", None)
    raise TypeError("write_award_workbook expects a results DataFrame or an assessment holding one")


def scope_name(rows: Any) -> str:
    """The name in the titles: the township when all rows are of one township, else the county."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    for key in ("township", "county"):
        if key in frame.columns:
            names = frame[key].dropna().astype(str).unique()
            if len(names) == 1:
                return str(names[0])
    return DEFAULT_COUNTY


def _location_columns() -> list[Column]:
    return [key_column(k) for k in LOCATION_KEYS]


def _numbered(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "_no": i} for i, r in enumerate(records, start=1)]


def _number_column() -> Column:
    return Column(HEADERS["no"], lambda r: r["_no"], "integer")


def _tie_note(records: Sequence[Mapping[str, Any]]) -> str | None:
    tied = [r for r in records if is_tie(r)]
    if not tied:
        return None
    names = "、".join(
        f"{r['name']}（{r['code']}，{r['role']}，{'已列入' if r['award'] else '未列入'}）"
        for r in tied
    )
    return f"注：{TIE_NOTE}。标色者在表彰名额末位各项比较完全相同：{names}。"


def award_counts(records: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Winners per role."""
    return {role: sum(1 for r in records if r["award"] and r["role"] == role) for role in AWARD_TITLES}


def _write_awards_sheet(ws: Worksheet, records: list[dict], *, title: str, scope: str) -> None:
    rank_key = SCOPE_RANK[scope]
    columns = [
        _number_column(),
        Column(HEADERS["title"], lambda r: r["_title"]),
        key_column("code"),
        key_column("name"),
        *_location_columns(),
        key_column("final", "number"),
        key_column("grade"),
        key_column(rank_key, "integer"),
        Column(HEADERS["note"], lambda r: TIE_NOTE if is_tie(r) else None),
    ]
    winners: list[dict] = []
    for role in (GRID_LEADER, HOUSEHOLD_LEADER):
        group = [r for r in records if r["award"] and r["role"] == role]
        group.sort(key=lambda r: (r["township"] or "", r[rank_key] or math.inf, r["code"] or ""))
        winners.extend({**r, "_title": AWARD_TITLES[role]} for r in _numbered(group))
    row = write_table(
        ws, title=title, columns=columns, records=winners, highlight=is_tie, freeze_columns=4
    )
    counts = award_counts(winners)
    row = write_note(
        ws,
        row,
        len(columns),
        f"合计：优秀网格长 {counts[GRID_LEADER]} 名，优秀联户长 {counts[HOUSEHOLD_LEADER]} 名。",
    )
    note = _tie_note(records)
    if note:
        write_note(ws, row, len(columns), note, fill=TIE_FILL)


def _write_adjustment_sheet(ws: Worksheet, records: list[dict], *, title: str) -> None:
    columns = [
        _number_column(),
        key_column("code"),
        key_column("name"),
        key_column("role"),
        *_location_columns(),
        key_column("final", "number"),
        key_column("grade"),
        Column(HEADERS["reason"], lambda r: adjustment_reason(r["flags"], r["grade"])),
    ]
    rows = _numbered([r for r in records if r["adjustment"]])
    row = write_table(ws, title=title, columns=columns, records=rows, freeze_columns=3)
    write_note(ws, row, len(columns), f"合计：建议调整 {len(rows)} 人。")


def _write_summary_sheet(ws: Worksheet, records: list[dict], *, title: str) -> None:
    columns = [
        _number_column(),
        key_column("code"),
        key_column("name"),
        key_column("role"),
        *_location_columns(),
        *(key_column(k, SUMMARY_KINDS.get(k, "integer" if k.endswith("_rank") else "number")) for k in SUMMARY_KEYS),
        *(Column(HEADERS[k], lambda r, k=k: bool_text(r[k])) for k in ("complete", "award", "adjustment")),
        Column(HEADERS["flags"], lambda r: flag_text(r["flags"])),
    ]
    rows = _numbered(records)
    row = write_table(
        ws, title=title, columns=columns, records=rows, highlight=is_tie, freeze_columns=3
    )
    row = write_note(ws, row, len(columns), f"合计：参加考核 {len(rows)} 人。")
    note = _tie_note(records)
    if note:
        write_note(ws, row, len(columns), note, fill=TIE_FILL)


def household_pay(records: Sequence[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], Decimal]:
    """The 联户长 rows and their total pay (exact decimal)."""
    household = [r for r in records if r["role"] == HOUSEHOLD_LEADER]
    return household, sum((decimal_amount(r["pay"]) for r in household), Decimal(0))


def _write_pay_sheet(ws: Worksheet, records: list[dict], *, title: str, scheme: Scheme) -> None:
    columns = [
        _number_column(),
        key_column("code"),
        key_column("name"),
        key_column("township"),
        key_column("village"),
        key_column("group"),
        key_column("grade"),
        Column(HEADERS["pay_base"], lambda r: r["_base"], "number"),
        Column(HEADERS["coefficient"], lambda r: r["_coefficient"], "number"),
        key_column("pay", "number"),
        Column(HEADERS["signature"], lambda r: None),
    ]
    household, total = household_pay(records)
    rows = []
    for r in _numbered(household):
        coefficient = scheme.pay_coefficients.get(r["grade"]) if r["grade"] else None
        rows.append({**r, "_base": float(scheme.pay_base), "_coefficient": coefficient})
    row = write_table(
        ws, title=title, columns=columns, records=rows, freeze_columns=3, row_height=28
    )
    # Signatures need room: the signature column is at least 16 units wide.
    sign = get_column_letter(len(columns))
    ws.column_dimensions[sign].width = max(ws.column_dimensions[sign].width, 16)

    pay_col = len(columns) - 1
    for j in range(1, len(columns) + 1):
        ws.cell(row=row, column=j).border = BORDER
    label = write_cell(ws, row, 1, "合计")
    label.font = HEADER_FONT
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=pay_col - 1)
    label.alignment = Alignment(horizontal="center", vertical="center")
    cell = write_cell(ws, row, pay_col, float(total), "number")
    cell.font = HEADER_FONT
    ws.row_dimensions[row].height = 28
    write_note(ws, row + 1, len(columns), f"共 {len(rows)} 人。报酬 = 报酬基数 × 等次系数。")


def write_award_workbook(
    assessment_or_frame: Any,
    *,
    year: int,
    path: str | Path,
    title_scope: str | None = None,
    scheme: Scheme | None = None,
) -> Path:
    """The award-list workbook 表彰名单 / 建议调整名单 / 考核汇总表 / 联户长报酬发放表, for printing.

    `title_scope` names the region in the titles (default: the township when the results
    cover one township, else the county); `scheme` gives the award scope and pay settings
    (default: the assessment's scheme, else the defaults).
    """
    frame, own_scheme = _frame_and_scheme(assessment_or_frame)
    scheme = scheme or own_scheme or Scheme.default()
    scope = title_scope or scope_name(frame)
    records = results_records(frame)
    path = Path(path)

    wb = Workbook()
    sheets = [wb.active, *(wb.create_sheet() for _ in AWARD_SHEETS[1:])]
    for ws, name in zip(sheets, AWARD_SHEETS, strict=True):
        ws.title = name
    _write_awards_sheet(
        sheets[0],
        records,
        title=f"{scope}{year}年度优秀网格长、优秀联户长表彰名单",
        scope=scheme.award_scope,
    )
    _write_adjustment_sheet(
        sheets[1], records, title=f"{scope}{year}年度网格长、联户长建议调整名单"
    )
    _write_summary_sheet(sheets[2], records, title=f"{scope}{year}年度网格长、联户长考核汇总表")
    _write_pay_sheet(sheets[3], records, title=f"{scope}{year}年度联户长报酬发放表", scheme=scheme)
    wb.save(path)
    return path
