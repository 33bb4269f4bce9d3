"""Command line `python -m dashboard` (interfaces.md): exit 0 on success, 2 on rejected input.

The commands live by job: admin (database, accounts, sample, backup), data (workbook import and
template), results (assess, awards), year (the year's workflow); dashboard.cli.common holds what
they share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dashboard.cli import admin, data, quarter, results, year
from dashboard.cli.common import EXIT_REJECTED, UserError, database_problem


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="联户考评：网格长、联户长年度考评（命令行）",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    admin.register(sub)
    data.register(sub)
    results.register(sub)
    quarter.register(sub)
    year.register(sub)
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
        problem = database_problem(exc, args)
        if problem is None:
            raise
        print(f"错误：{problem}", file=sys.stderr)
        return EXIT_REJECTED
