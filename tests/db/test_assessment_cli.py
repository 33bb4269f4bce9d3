"""`assess` on the bundled sample year: the JSON/CSV output agrees with the engine; errors exit 2."""

from __future__ import annotations

import csv
import json

import pytest

from dashboard.cli.main import main
from dashboard.data.db import make_engine
from dashboard.data.export.records import RESULT_KEYS
from dashboard.data.queries import assess_year

pytestmark = pytest.mark.db


@pytest.fixture
def sample_url(db_url, capsys):
    assert main(["seed-sample", "--db", db_url]) == 0
    capsys.readouterr()
    return db_url


def test_assess_json_on_sample_year_agrees_with_engine(sample_url, tmp_path):
    """Every record of `assess --out x.json` has the interface keys and the engine's values."""
    out = tmp_path / "x.json"
    assert main(["assess", "--year", "2024", "--db", sample_url, "--out", str(out)]) == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    engine = make_engine(sample_url)
    frame = assess_year(engine, 2024).results
    engine.dispose()
    assert len(records) == len(frame) > 0
    assert all(list(r) == list(RESULT_KEYS) for r in records)
    by_code = frame.set_index("code")
    for r in records:
        row = by_code.loc[r["code"]]
        assert r["final"] == row["final"] and r["grade"] == row["grade"]
        assert r["award"] == bool(row["award"]) and r["township_rank"] == int(row["township_rank"])
        assert r["flags"] == list(row["flags"])
        assert (r["roles"] is None) == (row["roles"] is None)
    # The documented order: township, 网格长 first, township rank, code.
    keys = [(r["township"], r["role"] != "网格长", r["township_rank"], r["code"]) for r in records]
    assert keys == sorted(keys)


def test_assess_csv_has_bom_and_role_columns(sample_url, tmp_path):
    """CSV output starts with a UTF-8 BOM and holds role_info … columns instead of roles."""
    out = tmp_path / "x.csv"
    assert main(["assess", "--year", "2024", "--db", sample_url, "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert "role_info" in rows[0] and "roles" not in rows[0]


def test_assess_with_scheme_file_changes_results(sample_url, tmp_path, capsys):
    """A scheme file with award.ratio 0 leaves nobody awarded."""
    scheme = tmp_path / "s.json"
    scheme.write_text(json.dumps({"award": {"ratio": 0}}), encoding="utf-8")
    out = tmp_path / "x.json"
    assert main(["assess", "--year", "2024", "--db", sample_url, "--scheme", str(scheme), "--out", str(out)]) == 0
    assert not any(r["award"] for r in json.loads(out.read_text(encoding="utf-8")))


def test_assess_invalid_scheme_exits_2_with_reason(sample_url, tmp_path, capsys):
    """An invalid scheme file exits 2 naming the key."""
    scheme = tmp_path / "s.json"
    scheme.write_text(json.dumps({"bonus_cap": -1}), encoding="utf-8")
    assert main(["assess", "--year", "2024", "--db", sample_url, "--scheme", str(scheme)]) == 2
    assert "bonus_cap" in capsys.readouterr().err


def test_assess_unknown_year_exits_2(sample_url, capsys):
    """An unknown year exits 2 with a Chinese message."""
    assert main(["assess", "--year", "2031", "--db", sample_url]) == 2
    assert "没有 2031 年度" in capsys.readouterr().err


def test_assess_terminal_table_and_explain(sample_url, capsys):
    """Without --out a Chinese table is printed; --explain prints the leader's explanation."""
    assert main(["assess", "--year", "2024", "--db", sample_url]) == 0
    text = capsys.readouterr().out
    assert "最终得分" in text and "共 " in text
    code = text.splitlines()[1].split()[0]
    assert main(["assess", "--year", "2024", "--db", sample_url, "--explain", code]) == 0
    assert "考评说明" in capsys.readouterr().out
