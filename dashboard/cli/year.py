"""Command line for the year's workflow: `year publish|finalize|reopen|status`.

Every step takes `--db URL` and exits 2 with a Chinese message when it is refused.
"""

from __future__ import annotations

import argparse
from datetime import date

from sqlmodel import select

from dashboard.cli.common import EXIT_OK, add_command, engine_for, refused, year_arg
from dashboard.data.db import read_session, transaction
from dashboard.services.auth import PermissionDenied
from dashboard.services.workflow import (
    WorkflowError,
    cli_user,
    finalize_year,
    publish_year,
    reopen_year,
    snapshot_records,
)
from models import AssessmentYear


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，实际为 {text!r}") from exc


def cmd_year_publish(args: argparse.Namespace) -> int:
    try:
        snapshot = publish_year(
            engine=engine_for(args), user=cli_user(), year=args.year, start=args.start, end=args.end
        )
    except (WorkflowError, PermissionDenied) as exc:
        raise refused(exc) from exc
    records = snapshot_records(snapshot)
    awards = sum(1 for r in records if r.get("award"))
    with _session(args) as session:
        row = session.get(AssessmentYear, args.year)
        period = f"{row.publicity_start} 至 {row.publicity_end}"
    print(f"{args.year} 年度已进入公示（公示期 {period}）：冻结 {len(records)} 人的结果，表彰 {awards} 人")
    return EXIT_OK


def _session(args: argparse.Namespace):
    return read_session(engine_for(args))


def cmd_year_finalize(args: argparse.Namespace) -> int:
    try:
        with transaction(engine_for(args)) as session:
            finalize_year(session=session, user=cli_user(), year=args.year)
    except (WorkflowError, PermissionDenied) as exc:
        raise refused(exc) from exc
    print(f"{args.year} 年度已定稿：公示结果为正式结果，数据只读")
    return EXIT_OK


def cmd_year_reopen(args: argparse.Namespace) -> int:
    try:
        with transaction(engine_for(args)) as session:
            reopen_year(session=session, user=cli_user(), year=args.year, reason=args.reason)
    except (WorkflowError, PermissionDenied) as exc:
        raise refused(exc) from exc
    print(f"{args.year} 年度已重新开放录入（理由：{args.reason.strip()}）")
    return EXIT_OK


def cmd_year_status(args: argparse.Namespace) -> int:
    with _session(args) as session:
        stmt = select(AssessmentYear).order_by(AssessmentYear.year)
        if args.year is not None:
            stmt = stmt.where(AssessmentYear.year == args.year)
        rows = session.exec(stmt).all()
    if not rows:
        print("没有考评年度")
        return EXIT_OK
    for row in rows:
        period = (
            f"  公示期 {row.publicity_start} 至 {row.publicity_end}" if row.publicity_start else ""
        )
        print(f"{row.year}  {row.status}  数据版本 {row.revision}{period}")
    return EXIT_OK


def register(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    """Add `year publish|finalize|reopen|status` to the top-level subcommands."""
    year = sub.add_parser("year", help="年度流程：发布公示、定稿、重新开放录入", description="年度流程：录入中 → 公示中 → 已定稿")
    ysub = year.add_subparsers(dest="year_command", required=True, metavar="步骤")

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:  # noqa: ANN001
        return add_command(ysub, name, func, help_text)

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
