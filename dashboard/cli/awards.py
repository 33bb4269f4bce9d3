"""The `awards` command: assess the year, then write the award workbook (表彰名单、建议调整名单、
考核汇总表、联户长报酬发放表). The workbook is written next to its destination and moved into
place, never half-written.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.cli.common import EXIT_OK, UserError, add_command, check_out, engine_for, year_arg
from dashboard.cli.results import AssessCommandError, assess_for_command
from dashboard.data.export.award_book import award_counts, household_pay, write_award_workbook
from dashboard.data.export.records import results_records
from dashboard.domain import GRID_LEADER, HOUSEHOLD_LEADER


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


def cmd_awards(args: argparse.Namespace) -> int:
    check_out(args.out)
    try:
        text = run_awards(engine_for(args), year=args.year, out=args.out, scheme_file=args.scheme)
    except AssessCommandError as exc:
        raise UserError(str(exc)) from exc
    print(text)
    return EXIT_OK


def register(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = add_command(sub, "awards", cmd_awards, "生成表彰名单工作簿（表彰名单、建议调整名单、考核汇总表、联户长报酬发放表）")
    p.add_argument("--year", type=year_arg, required=True, metavar="Y", help="考评年度")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件（.xlsx）")
    p.add_argument("--scheme", metavar="FILE.json", help="考核方案文件（只写要改的设置，其余取默认值）")
