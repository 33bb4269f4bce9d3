"""Result-row exports (JSON, CSV, XLSX) and safe text, from hand-built results frames."""

from __future__ import annotations

import csv
import json

import openpyxl
import pandas as pd
import pytest

from dashboard.data.export.files import write_results_xlsx
from dashboard.data.export.records import (
    CSV_COLUMNS,
    RESULT_KEYS,
    results_records,
    round_half_up,
    safe_text,
    write_results_csv,
    write_results_json,
)
from dashboard.domain import DUTY_KEYS

ROLES_A = {
    "info": 85.0,
    "service": 80.0,
    "publicity": 90.0,
    "mediation": 75.5,
    "sanitation": 70.0,
    "patrol": 66.67,
    "unity": 100.0,
}


def leader(code: str, name: str, role: str, **changes) -> dict:
    """One result row with every interface key; grid leaders have no group and no pay."""
    row = {
        "code": code,
        "name": name,
        "role": role,
        "township": "南峪乡",
        "village": "江盘村",
        "grid": "第一网格",
        "group": None if role == "网格长" else "第一联防组",
        "self": 90.0,
        "mass": 88.0,
        "committee": 92.5,
        "platform": None,
        "ballots": 12,
        "satisfaction": 0.9167,
        "bonus": 2.0,
        "deduction": 0.0,
        "final": 93.35,
        "grade": "优秀",
        "complete": True,
        "village_rank": 1,
        "township_rank": 1,
        "county_rank": 1,
        "award": True,
        "adjustment": False,
        "pay": None if role == "网格长" else 1008.0,
        "flags": [],
        "roles": dict(ROLES_A),
    }
    row.update(changes)
    return row


@pytest.fixture
def frame() -> pd.DataFrame:
    """Two townships, both roles, deliberately shuffled; one hostile name; one with no data."""
    rows = [
        leader(
            "H002",
            "李四",
            "联户长",
            township_rank=2,
            final=80.0,
            grade="称职",
            award=False,
            pay=840.0,
        ),
        leader("H001", '=HYPERLINK("http://evil","点我")', "联户长"),
        leader("G010", "王五", "网格长", township="大川镇"),
        leader(
            "H003",
            "@SUM(A1)",
            "联户长",
            township_rank=3,
            self=None,
            mass=None,
            committee=None,
            ballots=0,
            satisfaction=float("nan"),
            bonus=0.0,
            final=0.0,
            grade="不称职",
            complete=False,
            award=False,
            adjustment=True,
            pay=0.0,
            flags=["no_self_report", "no_committee_score", "no_ballots"],
            roles=None,
        ),
        leader("G001", "+1", "网格长", group="-2"),
    ]
    return pd.DataFrame(rows)


def test_safe_text_guards_formula_starts():
    """Text starting with = + - @ tab CR (and full-width ＝) gets a leading apostrophe; other text is kept."""
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("+1") == "'+1"
    assert safe_text("-2") == "'-2"
    assert safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("\tx") == "'\tx"
    assert safe_text("\rx") == "'\rx"
    assert safe_text("＝1") == "'＝1"
    assert safe_text("张三") == "张三"
    assert safe_text("a=1") == "a=1"
    assert safe_text(None) == ""


def test_round_half_up_uses_exact_decimals():
    """89.995 rounds to 90.0 (binary float holds 89.99499…), 0.91665 to 0.9167 at 4 places."""
    assert round_half_up(89.995) == 90.0
    assert round_half_up(0.125) == 0.13
    assert round_half_up(0.91665, 4) == 0.9167
    assert round_half_up(float("nan")) is None


def test_records_order_township_role_rank_code(frame):
    """Rows come ordered by township, 网格长 first, township rank, then code."""
    codes = [r["code"] for r in results_records(frame)]
    # 南峪乡 < 大川镇 by code point (南 U+5357, 大 U+5927); inside 南峪乡: G001, then H001 (rank 1),
    # H002 (rank 2), H003 (rank 3).
    assert codes == ["G001", "H001", "H002", "H003", "G010"]


def test_json_has_interface_keys_nulls_and_nested_roles(frame, tmp_path):
    """JSON objects carry exactly the interface keys, null for absent values, roles nested."""
    path = write_results_json(frame, tmp_path / "r.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [list(obj) for obj in data] == [list(RESULT_KEYS)] * 5
    h003 = data[3]
    assert h003["code"] == "H003"
    assert h003["self"] is None and h003["satisfaction"] is None and h003["roles"] is None
    assert h003["flags"] == ["no_self_report", "no_committee_score", "no_ballots"]
    assert h003["complete"] is False and h003["adjustment"] is True
    g001 = data[0]
    assert g001["pay"] is None and g001["platform"] is None
    assert g001["roles"] == ROLES_A
    # The JSON is data for scripts: names are carried as they are, not guarded.
    assert data[1]["name"] == '=HYPERLINK("http://evil","点我")'


def test_csv_has_bom_header_and_guarded_text(frame, tmp_path):
    """CSV: UTF-8 BOM, interface keys with role_* columns, flags joined by ';', guarded names."""
    path = write_results_csv(frame, tmp_path / "r.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0][-7:] == [f"role_{k}" for k in DUTY_KEYS]
    by_code = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_code["G001"]["name"].startswith("'") and by_code["G001"]["name"] == "'+1"
    assert by_code["G001"]["group"] == "'-2"
    assert by_code["H001"]["name"] == '\'=HYPERLINK("http://evil","点我")'
    assert by_code["H003"]["name"] == "'@SUM(A1)"
    assert by_code["H003"]["flags"] == "no_self_report;no_committee_score;no_ballots"
    assert by_code["H003"]["self"] == "" and by_code["H003"]["satisfaction"] == ""
    assert by_code["H003"]["role_info"] == ""
    assert by_code["H001"]["role_patrol"] == "66.67"
    assert by_code["H001"]["satisfaction"] == "0.9167"
    assert by_code["H001"]["final"] == "93.35" and by_code["H001"]["pay"] == "1008.00"
    assert by_code["G001"]["pay"] == "" and by_code["G001"]["complete"] == "true"


def test_xlsx_results_numeric_cells_and_literal_text(frame, tmp_path):
    """XLSX: sheet 考核结果, Chinese headers, numbers numeric with 0.00, hostile names as text."""
    path = write_results_xlsx(frame, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["考核结果"]
    ws = wb["考核结果"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["编号", "姓名", "职务"]
    assert "最终得分" in headers and "满意率" in headers and "社情民意信息员（%）" in headers
    col = {h: i for i, h in enumerate(headers)}
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    h001 = rows["H001"]
    assert h001[col["最终得分"]].value == 93.35
    assert h001[col["最终得分"]].data_type == "n"
    assert h001[col["最终得分"]].number_format == "0.00"
    assert h001[col["满意率"]].number_format == "0.00%"
    assert h001[col["姓名"]].data_type == "s"
    assert h001[col["姓名"]].value == '\'=HYPERLINK("http://evil","点我")'
    assert rows["H003"][col["个人述职"]].value is None
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
