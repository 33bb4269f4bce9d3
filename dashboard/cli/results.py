"""Result commands: assess (results to the terminal or a file) and awards (the award workbook)."""

from __future__ import annotations

import argparse

from dashboard.cli.common import EXIT_OK, UserError, add_command, check_out, engine_for, year_arg
from dashboard.data.export import run_awards
from dashboard.data.queries import AssessCommandError, run_assess


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
