"""Administration commands: init-db, create-user, set-password, disable-user, seed-sample,
backup and restore."""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard.cli.common import (
    DB_HELP,
    EXIT_OK,
    EXIT_REJECTED,
    UserError,
    add_command,
    engine_for,
    refused,
)
from dashboard.data.backup import BackupError, backup, restore
from dashboard.data.config import database_url
from dashboard.data.db import transaction
from dashboard.data.migrate import upgrade
from dashboard.data.sample import SamplePartlyLoaded, SampleRefused, seed_sample
from dashboard.services.accounts import (
    create_demo_accounts,
    create_user,
    set_disabled,
    set_password,
)
from dashboard.services.auth import ROLE_LABELS, AuthError
from dashboard.services.workflow import cli_user


def cmd_init_db(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    upgrade(engine)
    print(f"数据库已就绪：{engine.url.render_as_string(hide_password=True)}")
    return EXIT_OK


def _read_password(username: str) -> str:
    """The new password: from standard input when it is not a terminal, else asked twice."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UserError("没有从标准输入读到密码")
        return password
    first = getpass.getpass(f"为 {username} 设置密码：")
    second = getpass.getpass("再输入一次：")
    if first != second:
        raise UserError("两次输入的密码不一致")
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    password = _read_password(args.username)
    try:
        with transaction(engine_for(args)) as session:
            user = create_user(
                session=session, username=args.username, password=password, role=args.role,
                villages=args.village or (), township=args.township,
            )
            name, role = user.username, ROLE_LABELS[user.role]
    except AuthError as exc:
        raise UserError(str(exc)) from exc
    print(f"已创建账号 {name}（{role}）")
    return EXIT_OK


def cmd_set_password(args: argparse.Namespace) -> int:
    password = _read_password(args.username)
    try:
        with transaction(engine_for(args)) as session:
            set_password(session=session, username=args.username, password=password)
    except AuthError as exc:
        raise UserError(str(exc)) from exc
    print(f"已重置 {args.username} 的密码；该账号已登录的会话全部失效")
    return EXIT_OK


def cmd_disable_user(args: argparse.Namespace) -> int:
    try:
        with transaction(engine_for(args)) as session:
            set_disabled(session=session, username=args.username, disabled=not args.enable)
    except AuthError as exc:
        raise UserError(str(exc)) from exc
    print(f"已启用账号 {args.username}" if args.enable else f"已停用账号 {args.username}；其会话全部失效")
    return EXIT_OK


def _print_sample_years(reports) -> None:  # noqa: ANN001 - ImportReport list
    for report in reports:
        print(f"已加载示例数据：南峪乡 {report.year} 年度")
        for line in report.lines():
            print(f"  {line}")


def cmd_seed_sample(args: argparse.Namespace) -> int:
    try:
        reports = seed_sample(engine=engine_for(args), if_empty=args.if_empty)
    except SampleRefused as exc:
        raise UserError(f"{exc}。未写入任何数据。") from exc
    except SamplePartlyLoaded as exc:
        _print_sample_years(exc.written)
        for error in exc.rejected.errors:
            print(str(error), file=sys.stderr)
        done = "、".join(str(r.year) for r in exc.written) or "无"
        print(f"错误：{exc.year} 年度示例数据未写入（共 {len(exc.rejected.errors)} 处错误）；"
              f"已写入的年度：{done}（见上）。", file=sys.stderr)
        return EXIT_REJECTED
    if not reports:
        print("数据库中已有人员名册，未加载示例数据（--if-empty）。")
        return EXIT_OK
    _print_sample_years(reports)
    with transaction(engine_for(args)) as session:
        demos = create_demo_accounts(session)
    for demo in demos:
        print(f"已创建演示账户 {demo.username}（密码 {demo.password}）")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    try:
        out = backup(database_url(args.db), args.out)
    except BackupError as exc:
        raise refused(exc) from exc
    print(f"已备份到 {out}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        report = restore(database_url(args.db), args.file, force=args.force, username=cli_user().username)
    except BackupError as exc:
        raise refused(exc) from exc
    if report.safety_backup is not None:
        print(f"已先把当前数据库另存为安全备份：{report.safety_backup}")
    for line in report.overwritten:
        print(f"已覆盖（备份中没有）：{line}")
    print(f"已从 {args.file} 恢复数据库（已记入操作日志）")
    return EXIT_OK



def register(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    add_command(sub, "init-db", cmd_init_db, "创建或升级数据库结构")
    p = add_command(sub, "create-user", cmd_create_user, "新建账号（密码从标准输入读取，或在终端中输入两次）")
    p.add_argument("username", metavar="USERNAME", help="用户名")
    p.add_argument("--role", required=True, choices=["admin", "assessor", "viewer", "official"],
                   help="角色：admin 管理员、assessor 评分员、viewer 查看、official 官员")
    p.add_argument("--village", action="append", metavar="NAME",
                   help="评分员负责的村（可多次指定；重名时写成“乡镇/村”）")
    p.add_argument("--township", metavar="NAME", help="查看或官员账号限定的乡镇")
    p = add_command(sub, "set-password", cmd_set_password, "重置账号密码并解除锁定（该账号的登录会话全部失效）")
    p.add_argument("username", metavar="USERNAME", help="用户名")
    p = add_command(sub, "disable-user", cmd_disable_user, "停用账号（不能再登录，会话立即失效）；加 --enable 重新启用")
    p.add_argument("username", metavar="USERNAME", help="用户名")
    p.add_argument("--enable", action="store_true", help="重新启用账号")
    p = add_command(sub, "seed-sample", cmd_seed_sample, "加载内置示例乡镇（南峪乡，2023 和 2024 年度）")
    p.add_argument("--if-empty", action="store_true", help="仅当数据库中还没有人员时加载")
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
