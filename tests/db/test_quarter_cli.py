"""The `quarter` command on the sample township 南峪乡 (SQLite and PostgreSQL), files read back."""

from __future__ import annotations

import csv
import json
import math
from fractions import Fraction

import openpyxl
import pytest
from sqlalchemy import text

from dashboard.cli.main import main
from dashboard.domain import DUTY_KEYS

pytestmark = pytest.mark.db

KEYS = [
    "code", "name", "role", "township", "village", "quarter", "committee", "platform", "score",
    "grade", "rank_village", "rank_township", "rank_county",
]
UNSCORED = "NYL020"  # its Q2 committee sheets are removed below: 未考评 in Q2


@pytest.fixture
def seeded(db_engine) -> tuple[str, object]:
    """URL and engine of the sample township, with NYL020's 2024 Q2 committee sheets deleted."""
    url = db_engine.url.render_as_string(hide_password=False)
    assert main(["seed-sample", "--db", url]) == 0
    with db_engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM committee_score WHERE year = 2024 AND quarter = 2 "
                "AND leader_id = (SELECT id FROM leader WHERE code = :code)"
            ),
            {"code": UNSCORED},
        )
    return url, db_engine


def quarter_json(url: str, tmp_path, quarter: int, *extra: str) -> list[dict]:
    out = tmp_path / f"q{quarter}.json"
    assert main(["quarter", "--year", "2024", "--quarter", str(quarter), "--out", str(out), "--db", url, *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_json_rows_have_the_interface_keys_and_order(seeded, tmp_path):
    """Keys as interfaces.md; order township, 网格长 first, township rank, 未考评 last; nulls for 未考评."""
    url, _ = seeded
    rows = quarter_json(url, tmp_path, 2)
    assert all(list(r) == KEYS for r in rows)
    assert {r["quarter"] for r in rows} == {2}
    roles = [r["role"] for r in rows]
    assert roles == sorted(roles, key=["网格长", "联户长"].index)
    for role in ("网格长", "联户长"):
        ranks = [r["rank_township"] for r in rows if r["role"] == role]
        scored = [k for k in ranks if k is not None]
        assert scored == sorted(scored) and ranks[: len(scored)] == scored  # 未考评 after every rank
    unscored = [r for r in rows if r["score"] is None]
    assert [r["code"] for r in unscored] == [UNSCORED] and rows[-1]["code"] == UNSCORED
    assert unscored[0]["grade"] is None and unscored[0]["rank_county"] is None
    assert unscored[0]["committee"] is None and unscored[0]["platform"] is not None


def test_leader_appointed_in_july_is_listed_from_the_third_quarter(seeded, tmp_path):
    """NYL055 (appointed 2024-07-01) is not in Q2's rows and is in Q3's; 71 then 72 rows."""
    url, _ = seeded
    q2, q3 = quarter_json(url, tmp_path, 2), quarter_json(url, tmp_path, 3)
    assert "NYL055" not in {r["code"] for r in q2} and "NYL055" in {r["code"] for r in q3}
    assert (len(q2), len(q3)) == (71, 72)


def test_values_agree_with_the_raw_rows(seeded, tmp_path):
    """NYW01's Q2 committee, platform and score recomputed from its raw rows in the database."""
    url, engine = seeded
    rows = {r["code"]: r for r in quarter_json(url, tmp_path, 2)}
    with engine.connect() as conn:
        sheets = conn.execute(
            text(
                f"SELECT {', '.join(DUTY_KEYS)} FROM committee_score c JOIN leader l ON l.id = c.leader_id "
                "WHERE c.year = 2024 AND c.quarter = 2 AND l.code = 'NYW01'"
            )
        ).all()
        reports = conn.execute(
            text(
                "SELECT COALESCE(SUM(reports), 0) FROM platform_count p JOIN leader l ON l.id = p.leader_id "
                "WHERE p.year = 2024 AND p.month BETWEEN 4 AND 6 AND l.code = 'NYW01'"
            )
        ).scalar()
    assert sheets
    total = Fraction(0)
    for j in range(len(DUTY_KEYS)):
        values = sorted(Fraction(str(s[j])) for s in sheets)
        if len(values) >= 5:
            values = values[1:-1]
        total += sum(values) / len(values)
    platform = min(Fraction(100), Fraction(100 * int(reports), 4 * 3))  # appointed before 2024: 3 months
    score = (Fraction(1, 2) * total + Fraction(1, 10) * platform) / Fraction(6, 10)

    def cents(x: Fraction) -> float:
        return math.floor(x * 100 + Fraction(1, 2)) / 100

    r = rows["NYW01"]
    assert (r["committee"], r["platform"], r["score"]) == (cents(total), cents(platform), cents(score))


def test_year_without_platform_scores_committee_only(seeded, tmp_path):
    """2023 has no platform record: platform null and score = committee for every row."""
    url, _ = seeded
    out = tmp_path / "q2023.json"
    assert main(["quarter", "--year", "2023", "--quarter", "4", "--out", str(out), "--db", url]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert rows and all(r["platform"] is None and r["score"] == r["committee"] for r in rows)


def test_scheme_file_changes_the_weights(seeded, tmp_path):
    """--scheme with platform weight 0: every score equals its committee."""
    url, _ = seeded
    scheme = tmp_path / "scheme.json"
    scheme.write_text(json.dumps({"weights": {"platform": 0}}), encoding="utf-8")
    rows = quarter_json(url, tmp_path, 1, "--scheme", str(scheme))
    assert rows and all(r["score"] == r["committee"] for r in rows)


def test_csv_has_a_bom_and_the_same_rows(seeded, tmp_path):
    """UTF-8 with BOM, header = interface keys, an empty cell for null, same rows as the JSON."""
    url, _ = seeded
    rows = quarter_json(url, tmp_path, 2)
    out = tmp_path / "q2.csv"
    assert main(["quarter", "--year", "2024", "--quarter", "2", "--out", str(out), "--db", url]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == KEYS
    assert [r["code"] for r in table] == [r["code"] for r in rows]
    unscored = next(r for r in table if r["code"] == UNSCORED)
    assert unscored["score"] == "" and unscored["rank_township"] == ""
    first = table[0]
    assert float(first["score"]) == rows[0]["score"] and first["rank_township"] == "1"


def test_notice_workbook_is_ready_to_print(seeded, tmp_path, capsys):
    """Sheets 网格长/联户长/未考评, titles, repeated header row, A4, every assessed leader, 未考评 list."""
    url, _ = seeded
    rows = quarter_json(url, tmp_path, 2)
    out = tmp_path / "notice.xlsx"
    assert main(["quarter", "--year", "2024", "--quarter", "2", "--out", str(out), "--db", url]) == 0
    assert "已写出" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["网格长", "联户长", "未考评"]
    for role in ("网格长", "联户长"):
        ws = wb[role]
        assert ws["A1"].value == f"南峪乡 2024 年第二季度考评通报（{role}）"
        headers = [c.value for c in ws[2]]
        assert headers == ["名次", "姓名", "村", "两委打分", "平台上报", "季度得分", "等次"]
        listed = [
            tuple(c.value for c in r) for r in ws.iter_rows(min_row=3) if isinstance(r[0].value, int)
        ]
        expected = [
            (r["rank_township"], r["name"], r["village"], r["committee"], r["platform"], r["score"], r["grade"])
            for r in rows if r["role"] == role and r["score"] is not None
        ]
        assert listed == expected and len(listed) > 10
        texts = [r[0].value for r in ws.iter_rows(min_row=3) if isinstance(r[0].value, str)]
        assert any(t.startswith("考评单位（盖章）：") and "日期：" in t for t in texts)
        assert any(t.startswith(f"合计：参加本季度考评 {len(expected)} 人") for t in texts)
    for ws in wb:
        assert ws.print_title_rows == "$2:$2"
        assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_margins.left == 0.4
    ws = wb["未考评"]
    assert ws["A1"].value == "南峪乡 2024 年第二季度考评通报（未考评人员）"
    missing = [tuple(c.value for c in r[:6]) for r in ws.iter_rows(min_row=3) if isinstance(r[0].value, int)]
    assert missing == [(1, UNSCORED, next(r["name"] for r in rows if r["code"] == UNSCORED), "联户长",
                        next(r["village"] for r in rows if r["code"] == UNSCORED), "本季度无村两委打分")]


def test_terminal_table_without_out(seeded, capsys):
    """Without --out: a Chinese table with the title, 未考评 for NYL020 and the counts."""
    url, _ = seeded
    assert main(["quarter", "--year", "2024", "--quarter", "2", "--db", url]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("南峪乡 2024 年第二季度考评")
    line = next(x for x in printed.splitlines() if UNSCORED in x)
    assert line.startswith("—") and line.endswith("未考评")
    assert "共 71 人：已考评 70 人" in printed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2024", "--quarter", "5"], "--quarter 应为季度 1、2、3 或 4"),
        (["--year", "2024", "--quarter", "二"], "--quarter 应为季度 1、2、3 或 4"),
        (["--year", "2030", "--quarter", "1"], "没有 2030 年度的考评数据"),
        (["--year", "2024", "--quarter", "1", "--out", "q.txt"], "扩展名应为 .json、.csv 或 .xlsx"),
    ],
)
def test_refusals_exit_2_in_chinese(seeded, capsys, args, message):
    """A bad quarter, an unknown year or a wrong --out suffix: exit 2, a Chinese reason, no file."""
    url, _ = seeded
    assert main(["quarter", *args, "--db", url]) == 2
    assert message in capsys.readouterr().err


def test_invalid_scheme_exits_2(seeded, tmp_path, capsys):
    """A scheme with a negative weight is refused with the setting's name."""
    url, _ = seeded
    scheme = tmp_path / "bad.json"
    scheme.write_text(json.dumps({"weights": {"committee": -1}}), encoding="utf-8")
    out = tmp_path / "q.json"
    code = main(["quarter", "--year", "2024", "--quarter", "1", "--scheme", str(scheme), "--out", str(out), "--db", url])
    assert code == 2 and not out.exists()
    assert "方案无效：方案设置 weights.committee" in capsys.readouterr().err
