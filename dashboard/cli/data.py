"""Data workbook commands: import (with --dry-run) and template."""

from __future__ import annotations

import argparse

from dashboard.cli.common import (
    EXIT_OK,
    add_command,
    check_out,
    engine_for,
    print_rejection,
    year_arg,
)
from dashboard.data.db import read_session
from dashboard.data.workbook import (
    WorkbookRejected,
    import_workbook,
    preview_workbook,
    write_template,
)


def cmd_import(args: argparse.Namespace) -> int:
    try:
        if args.dry_run:
            _parsed, plan = preview_workbook(engine=engine_for(args), source=args.workbook, year=args.year)
        else:
            plan = import_workbook(engine=engine_for(args), source=args.workbook, year=args.year).plan
    except WorkbookRejected as exc:
        return print_rejection(exc)
    for warning in plan.warnings:
        print(f"提示：{warning}")
    if args.dry_run:
        print(f"试导入 {args.workbook}（{args.year} 年度），未写入任何数据；确认导入将：")
    else:
        print(f"已导入 {args.workbook}（{args.year} 年度）：")
    for line in plan.lines():
        print(f"  {line}")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    check_out(args.out, suffix=".xlsx")
    with read_session(engine_for(args)) as session:
        count = write_template(session=session, out=args.out, year=args.year)
    scope = f"{args.year} 年度参加考评的" if args.year else ""
    print(f"已生成模板 {args.out}（预填{scope}人员 {count} 人）")
    return EXIT_OK



def register(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = add_command(sub, "import", cmd_import, "校验并导入考评数据工作簿（有任何错误则不写入）")
    p.add_argument("workbook", metavar="WORKBOOK.xlsx", help="考评数据工作簿")
    p.add_argument("--year", type=year_arg, required=True, metavar="Y", help="考评年度")
    p.add_argument("--dry-run", action="store_true",
                   help="只检查并显示将新增、修改、删除的行（每个工作表），不写入任何数据")
    p = add_command(sub, "template", cmd_template, "生成空白考评数据工作簿（预填人员名册）")
    p.add_argument("--year", type=year_arg, metavar="Y", help="只预填该年度参加考评的人员")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件")
