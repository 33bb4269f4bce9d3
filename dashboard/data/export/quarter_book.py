"""The quarterly notice 季度考评通报 (`quarter --out q.xlsx`), ready to print.

One sheet per role (网格长, 联户长) with the ranked table (名次, 姓名, 村, 两委打分, 平台上报,
季度得分, 等次), then the sheet 未考评 (leaders without a committee sheet in the quarter).
Every sheet has a title naming the region and quarter, the header row repeated on each
printed page, A4 fitted to the width, and the signature and date line of the issuing office.
The table, note and page helpers are the award workbook's (dashboard.data.export).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from dashboard.data.export.award_book import scope_name
from dashboard.data.export.files import Column, write_note, write_table
from dashboard.domain import GRADES, GRID_LEADER, HOUSEHOLD_LEADER
from dashboard.scoring.quarter import NOT_ASSESSED, QuarterResult, quarter_label

ROLE_SHEETS = (GRID_LEADER, HOUSEHOLD_LEADER)
NOT_ASSESSED_SHEET = NOT_ASSESSED
SIGNATURE_LINE = "考评单位（盖章）：" + "\u3000" * 12 + "日期：\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"
NOT_ASSESSED_REASON = "本季度无村两委打分"
# Printable width of A4 portrait with the award workbook's 0.4" margins, in Excel column units.
PORTRAIT_WIDTH = 84


def _fill_page_width(ws, ncols: int) -> None:
    """Portrait A4; narrow tables are widened to the page (fit-to-width only ever shrinks)."""
    ws.page_setup.orientation = "portrait"
    letters = [get_column_letter(j) for j in range(1, ncols + 1)]
    total = sum(ws.column_dimensions[c].width for c in letters)
    if total < PORTRAIT_WIDTH:
        for c in letters:
            ws.column_dimensions[c].width = round(ws.column_dimensions[c].width * PORTRAIT_WIDTH / total, 1)


def notice_title(scope: str, year: int, quarter: int) -> str:
    """「南峪乡 2024 年第二季度考评通报」."""
    return f"{scope} {quarter_label(year, quarter)}考评通报"


def _get(key: str):
    return lambda r: r.get(key)


def _share(value: Any) -> str:
    return f"{float(value):g}"


def _method_note(result: QuarterResult) -> str:
    """How the score was made, in the notice's words (the year's weights, renormalised)."""
    weights = result.scheme.weights
    parts = []
    if weights["committee"] > 0:
        parts.append(f"两委打分（权重 {_share(weights['committee'])}）")
    if result.platform_in_use and weights["platform"] > 0:
        parts.append(f"综治E通平台上报（权重 {_share(weights['platform'])}）")
    if not parts:
        return "说明：本年度方案中两委打分和平台上报的权重均为 0，季度得分计为 0。"
    unused = "" if result.platform_in_use else "本年度未使用综治E通平台上报。"
    return f"说明：季度得分按{'、'.join(parts)}折算，四舍五入保留两位小数；等次按年度方案的等次分数线评定。{unused}"


def _role_sheet(ws, result: QuarterResult, rows: list[dict], *, title: str, rank_key: str, several: bool) -> None:
    columns = [Column("名次", _get(rank_key), "integer")]
    if several:
        columns.append(Column("乡镇", _get("township")))
    columns += [
        Column("姓名", _get("name")),
        Column("村", _get("village")),
        Column("两委打分", _get("committee"), "number"),
    ]
    if result.platform_in_use:
        columns.append(Column("平台上报", _get("platform"), "number"))
    columns += [Column("季度得分", _get("score"), "number"), Column("等次", _get("grade"))]
    row = write_table(ws, title=title, columns=columns, records=rows, freeze_columns=1, row_height=20)
    _fill_page_width(ws, len(columns))
    counts = {g: sum(1 for r in rows if r["grade"] == g) for g in GRADES}
    summary = "，".join(f"{g} {n} 人" for g, n in counts.items())
    row = write_note(ws, row, len(columns), f"合计：参加本季度考评 {len(rows)} 人（{summary}）。")
    ws.row_dimensions[row].height = 32  # the method note wraps onto two lines
    row = write_note(ws, row, len(columns), _method_note(result))
    _signature(ws, row + 1, len(columns))


def _signature(ws, row: int, ncols: int) -> None:
    """The office's seal and date line, two rows below the notes."""
    ws.row_dimensions[row].height = 36
    write_note(ws, row, ncols, SIGNATURE_LINE)


def _not_assessed_sheet(ws, rows: list[dict], *, title: str, several: bool) -> None:
    columns = [Column("序号", _get("_no"), "integer")]
    if several:
        columns.append(Column("乡镇", _get("township")))
    columns += [
        Column("编号", _get("code")),
        Column("姓名", _get("name")),
        Column("职务", _get("role")),
        Column("村", _get("village")),
        Column("原因", lambda r: NOT_ASSESSED_REASON),
    ]
    numbered = [{**r, "_no": i} for i, r in enumerate(rows, start=1)]
    row = write_table(ws, title=title, columns=columns, records=numbered, freeze_columns=1, row_height=20)
    _fill_page_width(ws, len(columns))
    text = f"合计：未考评 {len(rows)} 人。" if rows else "本季度所有人员均已考评。"
    row = write_note(ws, row, len(columns), text)
    _signature(ws, row + 1, len(columns))


def write_quarter_notice(result: QuarterResult, path: str | Path, *, scope: str | None = None) -> Path:
    """The 季度考评通报 workbook: sheets 网格长, 联户长, 未考评 (see the module docstring).

    `scope` names the region in the titles (default: the township when the rows cover one
    township, else the county). With several townships, 名次 is the county rank and a 乡镇
    column is added.
    """
    frame = result.rows
    records = frame.assign(
        rank_township=frame["rank_township"].astype(object).where(frame["assessed"], None),
        rank_county=frame["rank_county"].astype(object).where(frame["assessed"], None),
    ).to_dict(orient="records")
    for r in records:
        for key in ("committee", "platform", "score"):
            if r[key] != r[key]:  # NaN: not present
                r[key] = None
    several = frame["township"].nunique() > 1
    scope = scope or scope_name([{"township": r["township"], "county": r["county"]} for r in records])
    rank_key = "rank_county" if several else "rank_township"
    base_title = notice_title(scope, result.year, result.quarter)

    wb = Workbook()
    sheets = [wb.active, wb.create_sheet(), wb.create_sheet()]
    for ws, name in zip(sheets, (*ROLE_SHEETS, NOT_ASSESSED_SHEET), strict=True):
        ws.title = name
    for ws, role in zip(sheets, ROLE_SHEETS, strict=False):
        rows = [r for r in records if r["role"] == role and r["assessed"]]
        if several:
            rows.sort(key=lambda r: (r["rank_county"], r["code"]))
        _role_sheet(ws, result, rows, title=f"{base_title}（{role}）", rank_key=rank_key, several=several)
    _not_assessed_sheet(
        sheets[2],
        [r for r in records if not r["assessed"]],
        title=f"{base_title}（未考评人员）",
        several=several,
    )
    path = Path(path)
    wb.save(path)
    return path
