"""`assess --out x.json` starts light: it loads no module it does not need (start-up time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli.main import main

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("openpyxl", "sqlmodel", "models", "alembic", "argon2", "streamlit", "altair", "dashboard.data.workbook",
         "sqlalchemy.orm")

PROBE = """
import json, sys
from dashboard.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": sorted(m for m in %r if m in sys.modules)}))
"""


def test_assess_json_loads_no_workbook_orm_or_ui_modules(db_url, tmp_path, capsys):
    """After `assess --out x.json` none of openpyxl, SQLModel/models, alembic, argon2, streamlit is imported."""
    assert main(["seed-sample", "--db", db_url]) == 0
    capsys.readouterr()
    out = tmp_path / "x.json"
    args = ["assess", "--year", "2024", "--db", db_url, "--out", str(out)]
    proc = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,), *args], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "loaded": []}
    assert len(json.loads(out.read_text(encoding="utf-8"))) > 0  # the results were written
