"""Command line `python -m dashboard` (interfaces.md): exit 0 on success, 2 on rejected input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dashboard.config import database_url

EXIT_OK = 0
EXIT_REJECTED = 2


class UserError(Exception):
    """Input the command refuses; the message is shown to the user as is (Chinese)."""


def _engine(args: argparse.Namespace):
    from dashboard.db import make_engine

    return make_engine(database_url(args.db))


def cmd_init_db(args: argparse.Namespace) -> int:
    from dashboard.migrate import upgrade

    engine = _engine(args)
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
    import getpass

    first = getpass.getpass(f"为 {username} 设置密码：")
    second = getpass.getpass("再输入一次：")
    if first != second:
        raise UserError("两次输入的密码不一致")
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    from dashboard.accounts import create_user
    from dashboard.auth import ROLE_LABELS, AuthError
    from dashboard.db import transaction

    password = _read_password(args.username)
    try:
        with transaction(_engine(args)) as session:
            user = create_user(
                session=session, username=args.username, password=password, role=args.role,
                villages=args.village or (), township=args.township,
            )
            name, role = user.username, ROLE_LABELS[user.role]
    except AuthError as exc:
        raise UserError(str(exc)) from exc
    print(f"已创建账号 {name}（{role}）")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="联户考评：网格长、联户长年度考评（命令行）",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", metavar="URL", help="数据库地址（默认：环境变量 DATABASE_URL，否则内置 SQLite 文件）")
        p.set_defaults(func=func)
        return p

    add("init-db", cmd_init_db, "创建或升级数据库结构")
    p = add("create-user", cmd_create_user, "新建账号（密码从标准输入读取，或在终端中输入两次）")
    p.add_argument("username", metavar="USERNAME", help="用户名")
    p.add_argument("--role", required=True, choices=["admin", "assessor", "viewer", "official"],
                   help="角色：admin 管理员、assessor 评分员、viewer 查看、official 官员")
    p.add_argument("--village", action="append", metavar="NAME",
                   help="评分员负责的村（可多次指定；重名时写成“乡镇/村”）")
    p.add_argument("--township", metavar="NAME", help="查看或官员账号限定的乡镇")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_REJECTED
