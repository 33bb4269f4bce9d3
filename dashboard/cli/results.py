"""The `assess` and `awards` commands: assess a year from the database, then print the results,
write them to a file, explain one leader or write the award workbook.

Refusals raise AssessCommandError with a Chinese message; cli.main turns it into exit 2.
Files are written next to their destination and moved into place, never half-written.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard.cli.common import EXIT_OK, UserError, add_command, check_out, engine_for, year_arg
from dashboard.data.export.award_book import award_counts, household_pay, write_award_workbook
from dashboard.data.export.files import write_results_xlsx
from dashboard.data.export.records import results_records, write_results_csv, write_results_json
from dashboard.data.queries import (
    Assessment,
    LeaderNotFoundError,
    YearNotFoundError,
    assess_year,
    explain_leader,
)
from dashboard.domain import GRADES, GRID_LEADER, HOUSEHOLD_LEADER
from dashboard.headers import HEADERS
from dashboard.scoring.scheme import Scheme, SchemeError, SchemeFileError


class AssessCommandError(Exception):
    """A refused `assess` or `awards` invocation (unknown year, invalid scheme, bad output name …)."""


WRITERS: dict[str, Callable[[pd.DataFrame, str | Path], Path]] = {
    ".json": write_results_json,
    ".csv": write_results_csv,
    ".xlsx": write_results_xlsx,
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


def _replace_atomically(out: Path, write: Callable[[str], object]) -> None:
    """Write to a temporary file beside `out`, then move it into place (never half-written)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_results(assessment: Assessment, path: str) -> None:
    """Write the result rows to .json / .csv / .xlsx (interfaces.md)."""
    suffix = Path(path).suffix.lower()
    if suffix not in WRITERS:
        raise AssessCommandError(f"输出文件 {path} 的扩展名应为 .json、.csv 或 .xlsx")
    WRITERS[suffix](assessment.results, path)


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


def run_awards(engine: Engine, *, year: int, out: str | Path, scheme_file: str | None = None) -> str:
    """`awards --year Y --out FILE.xlsx [--scheme FILE.json]`: assess the year, write the workbook."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise AssessCommandError(f"输出文件 {out} 的扩展名应为 .xlsx")
    if not out.parent.is_dir():
        raise AssessCommandError(f"输出文件 {out} 所在的文件夹不存在")
    assessment = assess_for_command(engine, year=year, scheme_file=scheme_file)
    _replace_atomically(out, lambda tmp: write_award_workbook(assessment, year=year, path=tmp))

    records = results_records(assessment.results)
    winners = award_counts(records)
    household, total = household_pay(records)
    return (
        f"已写出表彰名单工作簿：{out}\n"
        f"  优秀网格长 {winners[GRID_LEADER]} 名，优秀联户长 {winners[HOUSEHOLD_LEADER]} 名；"
        f"建议调整 {sum(1 for r in records if r['adjustment'])} 人；"
        f"联户长 {len(household)} 人，报酬合计 {total:.2f} 元。"
    )


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


def cmd_awards(args: argparse.Namespace) -> int:
    try:
        year = int(args.year)
    except ValueError:
        raise UserError(f"--year 应为年份（如 2024），实际为 {args.year!r}") from None
    if not 1 <= year <= 9999:
        raise UserError(f"--year 应为年份（如 2024），实际为 {args.year!r}")
    check_out(args.out)
    try:
        text = run_awards(engine_for(args), year=year, out=args.out, scheme_file=args.scheme)
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
    p = add_command(sub, "awards", cmd_awards, "生成表彰名单工作簿（表彰名单、建议调整名单、考核汇总表、联户长报酬发放表）")
    p.add_argument("--year", required=True, metavar="Y", help="考评年度")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件（.xlsx）")
    p.add_argument("--scheme", metavar="FILE.json", help="考核方案文件（只写要改的设置，其余取默认值）")
