"""Command line for the year's workflow (`year publish|finalize|reopen|status`) and backups.

Registered by dashboard.cli.main.build_parser; every command takes `--db URL` and exits 2 with a
Chinese message when the step is refused.
"""

from __future__ import annotations

import argparse
from datetime import date

from dashboard.data.config import database_url

DB_HELP = "数据库地址（默认：环境变量 DATABASE_URL，否则内置 SQLite 文件）"


def _engine(args: argparse.Namespace):
    from dashboard.cli.main import _engine as cli_engine

    return cli_engine(args)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，实际为 {text!r}") from exc


def _refused(exc: Exception):
    from dashboard.cli.main import UserError

    return UserError(str(exc))


def cmd_year_publish(args: argparse.Namespace) -> int:
    from dashboard.services.auth import PermissionDenied
    from dashboard.services.workflow import WorkflowError, cli_user, publish_year

    try:
        snapshot = publish_year(
            engine=_engine(args), user=cli_user(), year=args.year, start=args.start, end=args.end
        )
    except (WorkflowError, PermissionDenied) as exc:
        raise _refused(exc) from exc
    from dashboard.services.workflow import snapshot_records

    records = snapshot_records(snapshot)
    awards = sum(1 for r in records if r.get("award"))
    with _session(args) as session:
        from models import AssessmentYear

        row = session.get(AssessmentYear, args.year)
        period = f"{row.publicity_start} 至 {row.publicity_end}"
    print(f"{args.year} 年度已进入公示（公示期 {period}）：冻结 {len(records)} 人的结果，表彰 {awards} 人")
    return 0


def _session(args: argparse.Namespace):
    from dashboard.data.db import read_session

    return read_session(_engine(args))


def cmd_year_finalize(args: argparse.Namespace) -> int:
    from dashboard.data.db import transaction
    from dashboard.services.auth import PermissionDenied
    from dashboard.services.workflow import WorkflowError, cli_user, finalize_year

    try:
        with transaction(_engine(args)) as session:
            finalize_year(session=session, user=cli_user(), year=args.year)
    except (WorkflowError, PermissionDenied) as exc:
        raise _refused(exc) from exc
    print(f"{args.year} 年度已定稿：公示结果为正式结果，数据只读")
    return 0


def cmd_year_reopen(args: argparse.Namespace) -> int:
    from dashboard.data.db import transaction
    from dashboard.services.auth import PermissionDenied
    from dashboard.services.workflow import WorkflowError, cli_user, reopen_year

    try:
        with transaction(_engine(args)) as session:
            reopen_year(session=session, user=cli_user(), year=args.year, reason=args.reason)
    except (WorkflowError, PermissionDenied) as exc:
        raise _refused(exc) from exc
    print(f"{args.year} 年度已重新开放录入（理由：{args.reason.strip()}）")
    return 0


def cmd_year_status(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from models import AssessmentYear

    with _session(args) as session:
        stmt = select(AssessmentYear).order_by(AssessmentYear.year)
        if args.year is not None:
            stmt = stmt.where(AssessmentYear.year == args.year)
        rows = session.exec(stmt).all()
    if not rows:
        print("没有考评年度")
        return 0
    for row in rows:
        period = (
            f"  公示期 {row.publicity_start} 至 {row.publicity_end}" if row.publicity_start else ""
        )
        print(f"{row.year}  {row.status}  数据版本 {row.revision}{period}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from dashboard.data.backup import BackupError, backup

    try:
        out = backup(database_url(args.db), args.out)
    except BackupError as exc:
        raise _refused(exc) from exc
    print(f"已备份到 {out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from dashboard.data.backup import BackupError, restore
    from dashboard.services.workflow import cli_user

    try:
        report = restore(database_url(args.db), args.file, force=args.force, username=cli_user().username)
    except BackupError as exc:
        raise _refused(exc) from exc
    if report.safety_backup is not None:
        print(f"已先把当前数据库另存为安全备份：{report.safety_backup}")
    for line in report.overwritten:
        print(f"已覆盖（备份中没有）：{line}")
    print(f"已从 {args.file} 恢复数据库（已记入操作日志）")
    return 0


def register(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    """Add `year …`, `backup` and `restore` to the top-level subcommands."""
    from dashboard.cli.main import year_arg
    year = sub.add_parser("year", help="年度流程：发布公示、定稿、重新开放录入", description="年度流程：录入中 → 公示中 → 已定稿")
    ysub = year.add_subparsers(dest="year_command", required=True, metavar="步骤")

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = ysub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", metavar="URL", help=DB_HELP)
        p.set_defaults(func=func)
        return p

    p = add("publish", cmd_year_publish, "发布公示：冻结该年度结果，进入公示期（录入中 → 公示中）")
    p.add_argument("--year", type=year_arg, required=True, help="考评年度")
    p.add_argument("--start", type=_date, help="公示开始日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--end", type=_date, help="公示结束日期 YYYY-MM-DD（默认开始后第 7 天）")
    p = add("finalize", cmd_year_finalize, "定稿：公示期满、异议均已答复后，公示结果成为正式结果（公示中 → 已定稿）")
    p.add_argument("--year", type=year_arg, required=True, help="考评年度")
    p = add("reopen", cmd_year_reopen, "重新开放录入（需填写理由；公示中/已定稿 → 录入中）")
    p.add_argument("--year", type=year_arg, required=True, help="考评年度")
    p.add_argument("--reason", required=True, help="重新开放的理由（必填）")
    p = add("status", cmd_year_status, "查看各年度的流程状态")
    p.add_argument("--year", type=year_arg, help="只看这一年度")

    p = sub.add_parser("backup", help="备份数据库到文件", description="备份数据库（SQLite 在线备份；PostgreSQL 用 pg_dump）")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.add_argument("--out", required=True, metavar="FILE", help="备份文件")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser(
        "restore", help="从备份文件恢复数据库",
        description="从备份文件恢复数据库（覆盖当前数据）；当前数据库有备份中没有的更改时拒绝，除非加 --force",
    )
    p.add_argument("file", metavar="FILE", help="备份文件")
    p.add_argument("--force", action="store_true",
                   help="即使当前数据库有备份中没有的更改也恢复（先把当前数据库另存为安全备份）")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.set_defaults(func=cmd_restore)
