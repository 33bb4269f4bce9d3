"""Command line `python -m dashboard` (interfaces.md): exit 0 on success, 2 on rejected input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dashboard.data.config import database_url

EXIT_OK = 0
EXIT_REJECTED = 2


class UserError(Exception):
    """Input the command refuses; the message is shown to the user as is (Chinese)."""


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


def _engine(args: argparse.Namespace):
    from dashboard.data.db import make_engine, missing_sqlite_file

    url = database_url(args.db)
    missing = missing_sqlite_file(url)
    if missing is not None and args.command not in CREATES_DATABASE:
        raise UserError(f"数据库文件 {missing} 不存在：请先运行 python -m dashboard init-db，或检查 --db 地址")
    return make_engine(url)


def _check_out(path: str, *, suffix: str | None = None) -> None:
    """Refuse an --out the command cannot write: wrong extension, a folder, or a missing folder."""
    from pathlib import Path

    out = Path(path)
    if suffix is not None and out.suffix.lower() != suffix:
        raise UserError(f"输出文件 {path} 的扩展名应为 {suffix}")
    if out.is_dir():
        raise UserError(f"输出文件 {path} 是一个文件夹，请写上文件名")
    if not out.parent.is_dir():
        raise UserError(f"输出文件 {path} 所在的文件夹不存在")


def _database_problem(exc: Exception, args: argparse.Namespace) -> str | None:
    """A Chinese explanation when ``exc`` means the database address is wrong or the schema is missing."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.engine import make_url

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


def cmd_init_db(args: argparse.Namespace) -> int:
    from dashboard.data.migrate import upgrade

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
    from dashboard.data.db import transaction
    from dashboard.services.accounts import create_user
    from dashboard.services.auth import ROLE_LABELS, AuthError

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


def cmd_set_password(args: argparse.Namespace) -> int:
    from dashboard.data.db import transaction
    from dashboard.services.accounts import set_password
    from dashboard.services.auth import AuthError

    password = _read_password(args.username)
    try:
        with transaction(_engine(args)) as session:
            set_password(session=session, username=args.username, password=password)
    except AuthError as exc:
        raise UserError(str(exc)) from exc
    print(f"已重置 {args.username} 的密码；该账号已登录的会话全部失效")
    return EXIT_OK


def cmd_disable_user(args: argparse.Namespace) -> int:
    from dashboard.data.db import transaction
    from dashboard.services.accounts import set_disabled
    from dashboard.services.auth import AuthError

    try:
        with transaction(_engine(args)) as session:
            set_disabled(session=session, username=args.username, disabled=not args.enable)
    except AuthError as exc:
        raise UserError(str(exc)) from exc
    print(f"已启用账号 {args.username}" if args.enable else f"已停用账号 {args.username}；其会话全部失效")
    return EXIT_OK


def _print_rejection(exc) -> int:
    """Every error on its own line, then the count; exit code 2 (nothing was written)."""
    for warning in exc.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    for error in exc.errors:
        print(str(error), file=sys.stderr)
    if exc.unlisted:
        print(f"另有 {exc.unlisted} 处错误未列出", file=sys.stderr)
    print(f"共 {exc.total} 处错误，未写入任何数据。", file=sys.stderr)
    return EXIT_REJECTED


def cmd_import(args: argparse.Namespace) -> int:
    from dashboard.data.workbook import WorkbookRejected, import_workbook, preview_workbook

    try:
        if args.dry_run:
            _parsed, plan = preview_workbook(engine=_engine(args), source=args.workbook, year=args.year)
        else:
            plan = import_workbook(engine=_engine(args), source=args.workbook, year=args.year).plan
    except WorkbookRejected as exc:
        return _print_rejection(exc)
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
    from dashboard.data.db import read_session
    from dashboard.data.workbook import write_template

    _check_out(args.out, suffix=".xlsx")
    with read_session(_engine(args)) as session:
        count = write_template(session=session, out=args.out, year=args.year)
    scope = f"{args.year} 年度参加考评的" if args.year else ""
    print(f"已生成模板 {args.out}（预填{scope}人员 {count} 人）")
    return EXIT_OK


def _print_sample_years(reports) -> None:  # noqa: ANN001 - ImportReport list
    for report in reports:
        print(f"已加载示例数据：南峪乡 {report.year} 年度")
        for line in report.lines():
            print(f"  {line}")


def cmd_seed_sample(args: argparse.Namespace) -> int:
    from dashboard.data.sample import SamplePartlyLoaded, SampleRefused, seed_sample

    try:
        reports = seed_sample(engine=_engine(args), if_empty=args.if_empty)
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
    from dashboard.data.db import transaction
    from dashboard.services.accounts import create_demo_accounts

    with transaction(_engine(args)) as session:
        demos = create_demo_accounts(session)
    for demo in demos:
        print(f"已创建演示账户 {demo.username}（密码 {demo.password}）")
    return EXIT_OK


def cmd_assess(args: argparse.Namespace) -> int:
    from dashboard.cli.results import AssessCommandError, run_assess

    if args.out:
        _check_out(args.out)
    try:
        text = run_assess(
            _engine(args), year=args.year, scheme_file=args.scheme, out=args.out, explain=args.explain
        )
    except AssessCommandError as exc:
        raise UserError(str(exc)) from exc
    print(text)
    return EXIT_OK


def cmd_awards(args: argparse.Namespace) -> int:
    from dashboard.cli.results import AssessCommandError, run_awards

    try:
        year = int(args.year)
    except ValueError:
        raise UserError(f"--year 应为年份（如 2024），实际为 {args.year!r}") from None
    if not 1 <= year <= 9999:
        raise UserError(f"--year 应为年份（如 2024），实际为 {args.year!r}")
    _check_out(args.out)
    try:
        text = run_awards(_engine(args), year=year, out=args.out, scheme_file=args.scheme)
    except AssessCommandError as exc:
        raise UserError(str(exc)) from exc
    print(text)
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
    p = add("set-password", cmd_set_password, "重置账号密码并解除锁定（该账号的登录会话全部失效）")
    p.add_argument("username", metavar="USERNAME", help="用户名")
    p = add("disable-user", cmd_disable_user, "停用账号（不能再登录，会话立即失效）；加 --enable 重新启用")
    p.add_argument("username", metavar="USERNAME", help="用户名")
    p.add_argument("--enable", action="store_true", help="重新启用账号")
    p = add("import", cmd_import, "校验并导入考评数据工作簿（有任何错误则不写入）")
    p.add_argument("workbook", metavar="WORKBOOK.xlsx", help="考评数据工作簿")
    p.add_argument("--year", type=year_arg, required=True, metavar="Y", help="考评年度")
    p.add_argument("--dry-run", action="store_true",
                   help="只检查并显示将新增、修改、删除的行（每个工作表），不写入任何数据")
    p = add("template", cmd_template, "生成空白考评数据工作簿（预填人员名册）")
    p.add_argument("--year", type=year_arg, metavar="Y", help="只预填该年度参加考评的人员")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件")
    p = add("seed-sample", cmd_seed_sample, "加载内置示例乡镇（南峪乡，2023 和 2024 年度）")
    p.add_argument("--if-empty", action="store_true", help="仅当数据库中还没有人员时加载")
    p = add("assess", cmd_assess, "计算年度考评结果（得分、等次、排名、表彰、建议调整、报酬）")
    p.add_argument("--year", type=year_arg, required=True, metavar="Y", help="考评年度")
    p.add_argument("--scheme", metavar="FILE.json", help="考核方案文件（只写要改的设置，其余取默认值）")
    p.add_argument("--out", metavar="FILE", help="输出文件：.json、.csv 或 .xlsx；不写则在终端显示简表")
    p.add_argument("--explain", metavar="CODE", help="显示某人（编号）的得分说明")
    p = add("awards", cmd_awards, "生成表彰名单工作簿（表彰名单、建议调整名单、考核汇总表、联户长报酬发放表）")
    p.add_argument("--year", required=True, metavar="Y", help="考评年度")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件（.xlsx）")
    p.add_argument("--scheme", metavar="FILE.json", help="考核方案文件（只写要改的设置，其余取默认值）")
    from dashboard.cli.quarter import register as register_quarter_command
    from dashboard.cli.year import register as register_trust_commands

    register_trust_commands(sub)  # year publish|finalize|reopen|status, backup, restore
    register_quarter_command(sub)  # quarter --year Y --quarter Q
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_REJECTED
    except Exception as exc:
        problem = _database_problem(exc, args)
        if problem is None:
            raise
        print(f"错误：{problem}", file=sys.stderr)
        return EXIT_REJECTED
