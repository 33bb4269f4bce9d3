"""Command line `python -m dashboard` (interfaces.md): exit 0 on success, 2 on rejected input.

The commands live by job: admin (database, accounts, sample, backup), data (workbook import and
template), results (assess), awards, quarter, year (the year's workflow); dashboard.cli.common
holds what they share.

`COMMANDS` names the module of every command. A run imports only the module of the command it
was given (importlib, the one exception to imports at the top): `assess` then never loads the
backup, migration, account or workbook code, which is most of the start-up time. Help and
unknown commands load every module, so `--help` lists them all.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence

from dashboard.cli.common import EXIT_REJECTED, UserError, database_problem

# Command → module under dashboard.cli that registers it (in the order help lists them).
COMMANDS: dict[str, str] = {
    "init-db": "admin",
    "create-user": "admin",
    "set-password": "admin",
    "disable-user": "admin",
    "seed-sample": "admin",
    "backup": "admin",
    "restore": "admin",
    "import": "data",
    "template": "data",
    "assess": "results",
    "awards": "awards",
    "quarter": "quarter",
    "year": "year",
}


# argparse's own refusals, in the words an official reads (the rest of its text is passed on).
_ARGPARSE_MESSAGES = (
    (re.compile(r"^the following arguments are required: (.+)$"), r"缺少必需的参数：\1"),
    (re.compile(r"^unrecognized arguments: (.+)$"), r"无法识别的参数：\1"),
    (re.compile(r"^argument (\S+): invalid choice: (.+?) \(choose from (.+)\)$"), r"\1 无效：\2（可选：\3）"),
    (re.compile(r"^argument (\S+): expected one argument$"), r"\1 后面缺少取值"),
    (re.compile(r"^argument (\S+): (.+)$"), r"\1 \2"),
)


class CommandParser(argparse.ArgumentParser):
    """A parser whose refusals read like the commands' own: 「错误：…」 and exit 2, in Chinese.

    The subcommand parsers are of this class too (argparse makes them of the parent's class).
    """

    def error(self, message: str):  # noqa: ANN201 - never returns
        for pattern, chinese in _ARGPARSE_MESSAGES:
            if pattern.match(message):
                message = pattern.sub(chinese, message)
                break
        self.exit(EXIT_REJECTED, f"错误：{message}（用 {self.prog} --help 查看用法）\n")


def build_parser(modules: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the commands of `modules` (default: every command module)."""
    parser = CommandParser(
        prog="python -m dashboard",
        description="联户考评：网格长、联户长年度考评（命令行）",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for name in modules if modules is not None else dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"dashboard.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    module = COMMANDS.get(argv[0]) if argv else None
    parser = build_parser([module] if module else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help (0) or a refused argument (2, already explained)
        return int(stop.code or 0)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_REJECTED
    except Exception as exc:
        problem = database_problem(exc, args)
        if problem is None:
            raise
        print(f"错误：{problem}", file=sys.stderr)
        return EXIT_REJECTED
