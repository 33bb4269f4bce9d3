"""The `assess` command: assess a year from the database, then print the results, write them to a
file or explain one leader. `awards` (dashboard.cli.awards) shares assess_for_command.

Refusals raise AssessCommandError with a Chinese message; cli.main turns it into exit 2.
Files are written next to their destination and moved into place, never half-written.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard.cli.common import EXIT_OK, UserError, add_command, check_out, engine_for, year_arg
from dashboard.data.queries import (
    Assessment,
    LeaderNotFoundError,
    YearNotFoundError,
    assess_year,
    explain_leader,
)
from dashboard.domain import GRADES
from dashboard.headers import HEADERS
from dashboard.scoring.scheme import Scheme, SchemeError, SchemeFileError


class AssessCommandError(Exception):
    """A refused `assess` or `awards` invocation (unknown year, invalid scheme, bad output name …)."""


# Suffix → (module, function) of the writer, imported when chosen: the workbook writer
# (openpyxl) is not loaded to write JSON or CSV.
WRITERS: dict[str, tuple[str, str]] = {
    ".json": ("dashboard.data.export.records", "write_results_json"),
    ".csv": ("dashboard.data.export.records", "write_results_csv"),
    ".xlsx": ("dashboard.data.export.files", "write_results_xlsx"),
}
OUT_SUFFIXES = tuple(WRITERS)


def terminal_table(frame: pd.DataFrame, limit: int | None = None) -> str:
    """A short Chinese table of the results for the terminal."""
    h = HEADERS
    header = (
        f"{h['code']:<10}{h['name']:<8}{h['role']:<6}{h['township']:<8}{h['final']:>8}  "
        f"{h['grade']:<6}{h['township_rank']:>6}  备注"
    )
    lines = [header]
    rows = frame if limit is None else frame.head(limit)
    for r in rows.itertuples(index=False):
        notes = []
        if r.award:
            notes.append("表彰")
        if r.adjustment:
            notes.append("建议调整")
        if not r.complete:
            notes.append("数据不完整")
        lines.append(
            f"{r.code:<10}{r.name:<8}{r.role:<6}{r.township:<8}{r.final:>8.2f}  {r.grade:<6}"
            f"{r.township_rank:>6}  {'、'.join(notes)}"
        )
    counts = frame["grade"].value_counts()
    lines.append(
        f"共 {len(frame)} 人：" + "，".join(f"{g} {int(counts.get(g, 0))} 人" for g in GRADES)
        + f"；表彰 {int(frame['award'].sum())} 人，建议调整 {int(frame['adjustment'].sum())} 人。"
    )
    return "\n".join(lines)


def write_results(assessment: Assessment, path: str) -> None:
    """Write the result rows to .json / .csv / .xlsx (interfaces.md)."""
    suffix = Path(path).suffix.lower()
    if suffix not in WRITERS:
        raise AssessCommandError(f"输出文件 {path} 的扩展名应为 .json、.csv 或 .xlsx")
    module, name = WRITERS[suffix]
    getattr(importlib.import_module(module), name)(assessment.results, path)


def assess_for_command(engine: Engine, *, year: int, scheme_file: str | None = None) -> Assessment:
    """assess_year for `assess` and `awards`: a bad scheme file or year becomes AssessCommandError."""
    try:
        scheme = Scheme.load(scheme_file) if scheme_file else None
        return assess_year(engine, year, scheme)
    except SchemeError as exc:
        raise AssessCommandError(f"方案无效：{exc}") from exc
    except (SchemeFileError, YearNotFoundError) as exc:
        raise AssessCommandError(str(exc)) from exc


def run_assess(
    engine: Engine, *, year: int, scheme_file: str | None = None, out: str | None = None,
    explain: str | None = None,
) -> str:
    """`assess`: compute the year's results; write them, explain one leader, or show a table."""
    if out and not out.lower().endswith(OUT_SUFFIXES):
        raise AssessCommandError(f"输出文件 {out} 的扩展名应为 .json、.csv 或 .xlsx")
    assessment = assess_for_command(engine, year=year, scheme_file=scheme_file)
    parts = []
    if out:
        write_results(assessment, out)
        parts.append(f"已写出 {len(assessment.results)} 条考评结果：{out}")
    if explain:
        try:
            explanation = explain_leader(engine, year, explain, assessment=assessment)
        except LeaderNotFoundError as exc:
            raise AssessCommandError(str(exc)) from exc
        parts.append("\n".join(explanation.lines))
    if not out and not explain:
        parts.append(terminal_table(assessment.results))
    return "\n".join(parts)


def cmd_assess(args: argparse.Namespace) -> int:
    if args.out:
        check_out(args.out)
    try:
        text = run_assess(
            engine_for(args), year=args.year, scheme_file=args.scheme, out=args.out, explain=args.explain
        )
    except AssessCommandError as exc:
        raise UserError(str(exc)) from exc
    print(text)
    return EXIT_OK


def register(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = add_command(sub, "assess", cmd_assess, "计算年度考评结果（得分、等次、排名、表彰、建议调整、报酬）")
    p.add_argument("--year", type=year_arg, required=True, metavar="Y", help="考评年度")
    p.add_argument("--scheme", metavar="FILE.json", help="考核方案文件（只写要改的设置，其余取默认值）")
    p.add_argument("--out", metavar="FILE", help="输出文件：.json、.csv 或 .xlsx；不写则在终端显示简表")
    p.add_argument("--explain", metavar="CODE", help="显示某人（编号）的得分说明")
