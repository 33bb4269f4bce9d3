"""The 季度考评通报 workbook from pure quarter rows (no database), read back with openpyxl."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
from scoring_builders import YearBuilder, duties
from test_quarter_rules import quarter_inputs

from dashboard.data.export.quarter import write_quarter
from dashboard.scoring.quarter import score_quarter
from dashboard.scoring.scheme import Scheme


def two_townships() -> YearBuilder:
    """南峪乡 联户长 A 90 and 大川镇 联户长 B 95 (no platform in the year); 网格长 G without a sheet."""
    b = YearBuilder()
    a = b.leader("A", township="南峪乡", village="江盘村")
    c = b.leader("B", township="大川镇", village="大川村")
    b.leader("G", role="网格长", township="南峪乡", appointed_on=date(2024, 2, 1))
    b.committee(a, 1, "委员1", duties(20, 15, 10, 20, 10, 15, 0))
    b.committee(c, 1, "委员1", duties(20, 15, 10, 20, 10, 15, 5))
    return b


def test_notice_for_several_townships_names_the_county_and_ranks_in_it(tmp_path):
    """Two townships: title 舟曲县, a 乡镇 column, 名次 = county rank (B 1, A 2), no 平台上报 column."""
    result = score_quarter(quarter_inputs(two_townships()), 1, Scheme.default())
    out = write_quarter(result, tmp_path / "notice.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["联户长"]
    assert ws["A1"].value == "舟曲县 2024 年第一季度考评通报（联户长）"
    assert [c.value for c in ws[2]] == ["名次", "乡镇", "姓名", "村", "两委打分", "季度得分", "等次"]
    assert [c.value for c in ws[3]] == [1, "大川镇", "姓名B", "大川村", 95, 95, "优秀"]
    assert [c.value for c in ws[4]] == [2, "南峪乡", "姓名A", "江盘村", 90, 90, "优秀"]
    notes = [r[0].value for r in ws.iter_rows(min_row=5) if r[0].value]
    assert "本年度未使用综治E通平台上报" in notes[1]
    assert [c.value for c in wb["未考评"][3]][:3] == [1, "南峪乡", "G"]
    assert wb["网格长"]["A3"].value == "合计：参加本季度考评 0 人（优秀 0 人，称职 0 人，基本称职 0 人，不称职 0 人）。"


def test_formula_looking_names_are_neutralised(tmp_path):
    """A name starting with = is written as text with a leading apostrophe (xlsx); JSON keeps it."""
    b = YearBuilder()
    lid = b.leader("A", name="=1+1")
    b.committee(lid, 1, "委员1", duties(20, 15, 10, 20, 10, 15, 10))
    result = score_quarter(quarter_inputs(b), 1)
    wb = openpyxl.load_workbook(write_quarter(result, tmp_path / "n.xlsx"))
    assert wb["联户长"]["B3"].value == "'=1+1" and wb["联户长"]["B3"].data_type == "s"
    rows = json.loads(write_quarter(result, tmp_path / "n.json").read_text(encoding="utf-8"))
    assert rows[0]["name"] == "=1+1" and rows[0]["score"] == 100.0
