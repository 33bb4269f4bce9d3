"""The `awards` command on the sample township, on SQLite and PostgreSQL, read back with openpyxl."""

from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pytest

from dashboard.cli.main import main

pytestmark = pytest.mark.db


@pytest.fixture
def seeded_url(db_engine) -> str:
    """URL of a migrated database holding the bundled sample township 南峪乡 (2023 and 2024)."""
    url = db_engine.url.render_as_string(hide_password=False)
    assert main(["seed-sample", "--db", url]) == 0
    return url


def table(ws) -> tuple[list[str], list[tuple]]:
    """Header (row 2) and data rows (rows below it whose 编号 cell is filled)."""
    headers = [c.value for c in ws[2]]
    code = headers.index("编号")
    return headers, [r for r in ws.iter_rows(min_row=3) if r[code].value not in (None, "")]


def assess_json(url: str, tmp_path, *extra: str) -> list[dict]:
    out = tmp_path / "results.json"
    assert main(["assess", "--year", "2024", "--out", str(out), "--db", url, *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_awards_match_assess_results(seeded_url, tmp_path, capsys):
    """Winners, adjustment list and pay in the workbook agree with `assess --out x.json`."""
    results = assess_json(seeded_url, tmp_path)
    out = tmp_path / "awards.xlsx"
    assert main(["awards", "--year", "2024", "--out", str(out), "--db", seeded_url]) == 0
    assert "已写出表彰名单工作簿" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["表彰名单", "建议调整名单", "考核汇总表", "联户长报酬发放表"]
    assert wb["表彰名单"]["A1"].value == "南峪乡2024年度优秀网格长、优秀联户长表彰名单"

    headers, rows = table(wb["表彰名单"])
    listed = [(r[headers.index("称号")].value, r[headers.index("编号")].value) for r in rows]
    title = {"网格长": "优秀网格长", "联户长": "优秀联户长"}
    expected = {(title[r["role"]], r["code"]) for r in results if r["award"]}
    assert expected, "the sample township has award winners"
    assert set(listed) == expected and len(listed) == len(expected)
    # 优秀网格长 all come before 优秀联户长
    titles = [t for t, _ in listed]
    assert titles == sorted(titles, key=["优秀网格长", "优秀联户长"].index)

    headers, rows = table(wb["建议调整名单"])
    assert {r[headers.index("编号")].value for r in rows} == {
        r["code"] for r in results if r["adjustment"]
    }

    headers, rows = table(wb["考核汇总表"])
    assert len(rows) == len(results)
    by_code = {r["code"]: r for r in results}
    for row in rows:
        expected_final = by_code[row[headers.index("编号")].value]["final"]
        assert row[headers.index("最终得分")].value == expected_final

    ws = wb["联户长报酬发放表"]
    headers, rows = table(ws)
    household = [r for r in results if r["role"] == "联户长"]
    pay = {r[headers.index("编号")].value: r[headers.index("报酬（元）")].value for r in rows}
    assert pay == {r["code"]: r["pay"] for r in household}
    total_row = ws[3 + len(rows)]
    assert total_row[0].value == "合计"
    total = sum(Decimal(repr(r["pay"])) for r in household)
    assert total_row[headers.index("报酬（元）")].value == float(total)

    for sheet in wb:
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.print_title_rows == "$2:$2"


def test_awards_scheme_file_changes_the_list(seeded_url, tmp_path):
    """--scheme with award.ratio 0.5 lists the winners that `assess --scheme` gives for it."""
    scheme = tmp_path / "scheme.json"
    scheme.write_text(json.dumps({"award": {"ratio": 0.5}}), encoding="utf-8")
    default_winners = sum(r["award"] for r in assess_json(seeded_url, tmp_path))
    results = assess_json(seeded_url, tmp_path, "--scheme", str(scheme))
    winners = {r["code"] for r in results if r["award"]}
    assert len(winners) > default_winners
    out = tmp_path / "awards.xlsx"
    args = ["awards", "--year", "2024", "--out", str(out), "--scheme", str(scheme)]
    assert main([*args, "--db", seeded_url]) == 0
    headers, rows = table(openpyxl.load_workbook(out)["表彰名单"])
    assert {r[headers.index("编号")].value for r in rows} == winners


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2024", "--out", "{tmp}/awards.csv"], "扩展名应为 .xlsx"),
        (["--year", "1999", "--out", "{tmp}/awards.xlsx"], "没有 1999 年度"),
        (["--year", "abc", "--out", "{tmp}/awards.xlsx"], "--year 应为年份"),
        (
            ["--year", "2024", "--out", "{tmp}/awards.xlsx", "--scheme", "{tmp}/bad.json"],
            "award.ratio",
        ),
        (["--year", "2024", "--out", "{tmp}/none/awards.xlsx"], "文件夹不存在"),
    ],
)
def test_awards_rejects_bad_input(seeded_url, tmp_path, capsys, args, message):
    """Bad suffix, unknown year, non-numeric year, invalid scheme: exit 2, Chinese reason, no file."""
    (tmp_path / "bad.json").write_text(json.dumps({"award": {"ratio": 2}}), encoding="utf-8")
    argv = ["awards", *(a.replace("{tmp}", str(tmp_path)) for a in args), "--db", seeded_url]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and message in err
    assert list(tmp_path.glob("*.xlsx")) == []
