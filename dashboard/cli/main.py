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


def build_parser(modules: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the commands of `modules` (default: every command module)."""
    parser = argparse.ArgumentParser(
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
    args = parser.parse_args(argv)
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
