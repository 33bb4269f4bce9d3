"""The command line loads only the chosen command's module: `assess` starts without the ORM,
the workbook library or the migrations; the command table names every command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlmodel import SQLModel

from dashboard.cli.main import COMMANDS, build_parser
from dashboard.data.read_tables import READ_TABLES
from models import tables  # noqa: F401 - registers the schema in SQLModel.metadata

ROOT = Path(__file__).resolve().parents[2]


def _commands(parser) -> set[str]:
    return set(parser._subparsers._group_actions[0].choices)


def test_command_table_names_every_command():
    """The full parser's commands are exactly COMMANDS, and each module registers its own."""
    assert _commands(build_parser()) == set(COMMANDS)
    for name, module in COMMANDS.items():
        assert name in _commands(build_parser([module])), name


def test_assess_imports_neither_orm_nor_workbook_nor_migrations():
    """Parsing `assess` in a fresh interpreter leaves sqlmodel, openpyxl and alembic unimported."""
    code = (
        "import sys\n"
        "from dashboard.cli.main import COMMANDS, build_parser\n"
        "build_parser([COMMANDS['assess']]).parse_args(['assess', '--year', '2024'])\n"
        "import dashboard.data.export.records\n"
        "print(sorted(m for m in ('sqlmodel', 'openpyxl', 'alembic', 'models.tables') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_read_tables_name_columns_of_the_schema():
    """Every table and column the assessment queries name exists in models.tables."""
    for clause in READ_TABLES:
        table = SQLModel.metadata.tables[clause.name]
        missing = {c.name for c in clause.columns} - set(table.columns.keys())
        assert not missing, (clause.name, missing)
