"""What every command shares: the refusal shown to the user, exit codes, --year and --out checks,
the engine behind --db, and the Chinese explanation of a wrong database address."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url

from dashboard.data.config import database_url
from dashboard.data.engines import make_engine, missing_sqlite_file

EXIT_OK = 0
EXIT_REJECTED = 2
DB_HELP = "数据库地址（默认：环境变量 DATABASE_URL，否则内置 SQLite 文件）"


class UserError(Exception):
    """Input the command refuses; the message is shown to the user as is (Chinese)."""


def refused(exc: Exception) -> UserError:
    """A service's refusal (its message is already Chinese) as the command's UserError."""
    return UserError(str(exc))


def year_arg(text: str) -> int:
    """argparse type of --year: a whole number that can be a year (it must fit the database column)."""
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not 1 <= year <= 9999:
        raise argparse.ArgumentTypeError(f"应为年份（如 2024），实际为 {text!r}")
    return year


# Only these commands may start a new embedded database file; the others refuse a mistyped --db
# instead of leaving an empty file behind.
CREATES_DATABASE = ("init-db", "restore")


def engine_for(args: argparse.Namespace) -> Engine:
    """The engine of --db (or DATABASE_URL); a missing SQLite file is refused unless the command creates it."""
    url = database_url(args.db)
    missing = missing_sqlite_file(url)
    if missing is not None and args.command not in CREATES_DATABASE:
        raise UserError(f"数据库文件 {missing} 不存在：请先运行 python -m dashboard init-db，或检查 --db 地址")
    return make_engine(url)


def check_out(path: str, *, suffix: str | None = None) -> None:
    """Refuse an --out the command cannot write: wrong extension, a folder, or a missing folder."""
    out = Path(path)
    if suffix is not None and out.suffix.lower() != suffix:
        raise UserError(f"输出文件 {path} 的扩展名应为 {suffix}")
    if out.is_dir():
        raise UserError(f"输出文件 {path} 是一个文件夹，请写上文件名")
    if not out.parent.is_dir():
        raise UserError(f"输出文件 {path} 所在的文件夹不存在")


def database_problem(exc: Exception, args: argparse.Namespace) -> str | None:
    """A Chinese explanation when ``exc`` means the database address is wrong or the schema is missing."""
    url = database_url(args.db)
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        shown = url
    if isinstance(exc, sa_exc.ArgumentError):
        return f"数据库地址无效：{shown}（应形如 sqlite:////路径/lianhu.db 或 postgresql+psycopg://用户@主机:端口/库名）"
    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    detail = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    if "readonly database" in detail or "read-only transaction" in detail:
        return f"数据库 {shown} 是只读的，不能写入：请检查数据库文件和所在文件夹的写权限（只读命令如 assess 仍可运行）"
    if "file is not a database" in detail or "malformed" in detail:
        if make_url(url).get_backend_name() == "sqlite":
            shown = make_url(url).database
        return f"数据库文件 {shown} 已损坏或不是数据库文件（{detail}）：请从备份恢复（python -m dashboard restore 备份文件）"
    if "no such table" in detail or type(exc.orig).__name__ == "UndefinedTable":
        return f"数据库 {shown} 尚未初始化（缺少数据表），请先运行：python -m dashboard init-db --db {shown}"
    if isinstance(exc, sa_exc.OperationalError):
        return f"无法打开或连接数据库 {shown}：{detail}（请检查 --db 地址或 DATABASE_URL，以及数据库服务是否已启动）"
    return None


def print_rejection(exc) -> int:  # noqa: ANN001 - WorkbookRejected or the sample's refusal
    """Every error on its own line, then the count; exit code 2 (nothing was written)."""
    for warning in exc.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    for error in exc.errors:
        print(str(error), file=sys.stderr)
    if exc.unlisted:
        print(f"另有 {exc.unlisted} 处错误未列出", file=sys.stderr)
    print(f"共 {exc.total} 处错误，未写入任何数据。", file=sys.stderr)
    return EXIT_REJECTED




def add_command(sub, name: str, func, help_text: str) -> argparse.ArgumentParser:  # noqa: ANN001
    """A subcommand with its --db option, dispatching to ``func``."""
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.set_defaults(func=func)
    return p
