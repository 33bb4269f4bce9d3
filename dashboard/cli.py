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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_REJECTED
