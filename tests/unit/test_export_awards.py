"""The award-list workbook, written from a hand-built results frame and read back with openpyxl."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from dashboard.data.export.award_book import TIE_NOTE, write_award_workbook
from dashboard.scoring.scheme import Scheme

HYPERLINK = '=HYPERLINK("http://evil","点我")'


def leader(code: str, name: str, role: str, **changes) -> dict:
    """One result row with every interface key (plus the engine's extra `county` column)."""
    row = {
        "code": code,
        "name": name,
        "role": role,
        "township": "南峪乡",
        "county": "舟曲县",
        "village": "江盘村",
        "grid": "第一网格",
        "group": None if role == "网格长" else "第一联防组",
        "self": 90.0,
        "mass": 88.0,
        "committee": 92.5,
        "platform": None,
        "ballots": 12,
        "satisfaction": 0.9167,
        "bonus": 0.0,
        "deduction": 0.0,
        "final": 90.0,
        "grade": "优秀",
        "complete": True,
        "village_rank": 1,
        "township_rank": 1,
        "county_rank": 1,
        "award": False,
        "adjustment": False,
        "pay": None if role == "网格长" else 1008.0,
        "flags": [],
        "roles": None,
        "veto": False,
    }
    row.update(changes)
    return row


def sample_rows() -> list[dict]:
    """Quota 1 per role; H001 and H002 tie at the cut-off; four leaders suggested for adjustment."""
    return [
        # household leaders listed first on purpose: the workbook must put 网格长 first
        leader("H001", "张三", "联户长", final=93.35, award=True, flags=["tie_at_cutoff"]),
        leader("H002", "李四", "联户长", final=93.35, flags=["tie_at_cutoff"]),
        leader("H003", "+1", "联户长", final=80.0, grade="称职", township_rank=3, pay=840.0),
        leader(
            "H004",
            "@SUM(A1)",
            "联户长",
            final=65.0,
            grade="基本称职",
            township_rank=4,
            adjustment=True,
            pay=672.0,
        ),
        leader(
            "H005",
            "-2",
            "联户长",
            final=76.0,
            grade="不称职",
            township_rank=5,
            adjustment=True,
            pay=0.0,
            satisfaction=0.4,
            flags=["mass_veto"],
        ),
        leader(
            "H006",
            "赵六",
            "联户长",
            self=None,
            final=55.0,
            grade="不称职",
            complete=False,
            township_rank=6,
            adjustment=True,
            pay=0.0,
            flags=["no_self_report"],
        ),
        leader("G001", "王五", "网格长", final=95.0, award=True, village="江盘村上河坝自然村"),
        leader("G002", "钱七", "网格长", final=91.0, township_rank=2),
        leader(
            "G003",
            HYPERLINK,
            "网格长",
            final=88.0,
            grade="不称职",
            township_rank=3,
            adjustment=True,
            flags=["veto"],
            veto=True,
        ),
    ]


@pytest.fixture
def workbook(tmp_path):
    path = write_award_workbook(pd.DataFrame(sample_rows()), year=2024, path=tmp_path / "a.xlsx")
    return openpyxl.load_workbook(path)


def table(ws) -> tuple[list[str], list[tuple]]:
    """Header (row 2) and the data rows: rows below the header whose 编号 column is filled."""
    headers = [c.value for c in ws[2]]
    code_col = headers.index("编号")
    rows = [r for r in ws.iter_rows(min_row=3) if r[code_col].value not in (None, "")]
    return headers, rows


def test_sheets_in_order_with_titles(workbook):
    """Four sheets in the documented order, each with a merged title naming township and year."""
    assert workbook.sheetnames == ["表彰名单", "建议调整名单", "考核汇总表", "联户长报酬发放表"]
    titles = [ws["A1"].value for ws in workbook]
    assert titles == [
        "南峪乡2024年度优秀网格长、优秀联户长表彰名单",
        "南峪乡2024年度网格长、联户长建议调整名单",
        "南峪乡2024年度网格长、联户长考核汇总表",
        "南峪乡2024年度联户长报酬发放表",
    ]
    for ws in workbook:
        merged = [str(m) for m in ws.merged_cells.ranges]
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert f"A1:{last}1" in merged, ws.title
        assert ws["A1"].font.b


def test_title_names_county_across_townships(tmp_path):
    """Results of two townships are titled with the county; without a county column, 舟曲县."""
    rows = sample_rows()
    rows[0]["township"] = "大川镇"
    rows = [{**r, "county": "迭部县"} for r in rows]
    path = write_award_workbook(pd.DataFrame(rows), year=2023, path=tmp_path / "a.xlsx")
    assert openpyxl.load_workbook(path)["表彰名单"]["A1"].value.startswith("迭部县2023年度")
    frame = pd.DataFrame(rows).drop(columns=["county"])
    path = write_award_workbook(frame, year=2023, path=tmp_path / "b.xlsx")
    assert openpyxl.load_workbook(path)["表彰名单"]["A1"].value.startswith("舟曲县2023年度")
    path = write_award_workbook(frame, year=2023, title_scope="城关镇", path=tmp_path / "c.xlsx")
    assert openpyxl.load_workbook(path)["表彰名单"]["A1"].value.startswith("城关镇2023年度")


def test_headers_bold_bordered(workbook):
    """Every header cell is bold with a thin border on all four sides."""
    for ws in workbook:
        for cell in ws[2]:
            assert cell.value, (ws.title, cell.coordinate)
            assert cell.font.b
            assert all(
                getattr(cell.border, side).style == "thin"
                for side in ("left", "right", "top", "bottom")
            )


def test_winners_split_by_role(workbook):
    """表彰名单 lists exactly the award rows: 优秀网格长 first, then 优秀联户长."""
    headers, rows = table(workbook["表彰名单"])
    assert headers[:4] == ["序号", "称号", "编号", "姓名"]
    assert "最终得分" in headers and "等次" in headers and "乡镇排名" in headers
    listed = [(r[1].value, r[2].value) for r in rows]
    assert listed == [("优秀网格长", "G001"), ("优秀联户长", "H001")]
    col = {h: i for i, h in enumerate(headers)}
    g001 = rows[0]
    assert g001[col["行政村"]].value == "江盘村上河坝自然村"
    assert g001[col["联防组"]].value is None
    assert g001[col["最终得分"]].value == 95.0
    assert g001[col["最终得分"]].number_format == "0.00"
    assert g001[col["乡镇排名"]].value == 1
    assert rows[1][col["联防组"]].value == "第一联防组"


def test_tie_at_cutoff_highlighted_with_note(workbook):
    """A tied winner row is filled and marked; a filled note row says 末位并列，需研究决定 and names both."""
    ws = workbook["表彰名单"]
    headers, rows = table(ws)
    h001 = rows[1]
    assert h001[headers.index("备注")].value == TIE_NOTE
    assert all(c.fill.fgColor.rgb.endswith("FFEB9C") for c in h001)
    assert rows[0][0].fill.fill_type is None  # G001 is not tied
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and TIE_NOTE in c.value]
    assert len(notes) == 1 and "张三（H001" in notes[0] and "李四（H002" in notes[0]
    # 考核汇总表 highlights both tied leaders, the awarded and the non-awarded one.
    headers, rows = table(workbook["考核汇总表"])
    filled = {r[1].value for r in rows if r[0].fill.fill_type == "solid"}
    assert filled == {"H001", "H002"}


def test_adjustment_list_with_reasons(workbook):
    """建议调整名单 holds the adjustment rows with the reason in Chinese."""
    headers, rows = table(workbook["建议调整名单"])
    assert headers[-1] == "调整原因"
    reasons = {r[1].value: r[-1].value for r in rows}
    assert reasons == {
        "G003": "一票否决",
        "H004": "连续两年基本称职及以下",
        "H005": "群众评议否决",
        "H006": "等次为不称职",
    }


def test_summary_lists_everyone_with_components(workbook):
    """考核汇总表: every leader, components as 0.00 numbers, 满意率 as percent, 是/否, Chinese flags."""
    headers, rows = table(workbook["考核汇总表"])
    assert len(rows) == 9
    for h in (
        "个人述职",
        "群众评议",
        "村两委量化打分",
        "综治E通上报",
        "有效票数",
        "满意率",
        "加分",
        "减分",
    ):
        assert h in headers
    col = {h: i for i, h in enumerate(headers)}
    by_code = {r[col["编号"]].value: r for r in rows}
    h005 = by_code["H005"]
    assert h005[col["满意率"]].value == 0.4
    assert h005[col["满意率"]].number_format == "0.00%"
    assert h005[col["提示"]].value == "群众评议否决"
    assert h005[col["村两委量化打分"]].value == 92.5
    assert h005[col["村两委量化打分"]].data_type == "n"
    assert h005[col["村两委量化打分"]].number_format == "0.00"
    assert h005[col["有效票数"]].value == 12
    h006 = by_code["H006"]
    assert h006[col["个人述职"]].value is None
    assert h006[col["数据完整"]].value == "否"
    assert h006[col["提示"]].value == "缺个人述职"
    assert by_code["G001"][col["数据完整"]].value == "是"
    assert by_code["G001"][col["表彰"]].value == "是"


def test_pay_sheet_household_leaders_and_total(workbook):
    """联户长报酬发放表: only 联户长, base × coefficient, a signature column and the total row."""
    ws = workbook["联户长报酬发放表"]
    headers, rows = table(ws)
    assert headers[-1] == "领取人签字"
    col = {h: i for i, h in enumerate(headers)}
    assert [r[col["编号"]].value for r in rows] == ["H001", "H002", "H003", "H004", "H005", "H006"]
    h004 = rows[3]
    assert h004[col["报酬基数（元）"]].value == 840
    assert h004[col["系数"]].value == 0.8
    assert h004[col["报酬（元）"]].value == 672.0
    assert h004[col["报酬（元）"]].number_format == "0.00"
    total_row = ws[3 + len(rows)]
    assert total_row[0].value == "合计"
    # 1008 + 1008 + 840 + 672 + 0 + 0 = 3528
    assert total_row[col["报酬（元）"]].value == 3528.0
    assert total_row[col["报酬（元）"]].data_type == "n"


def test_pay_sheet_uses_the_scheme(tmp_path):
    """With pay.base 1000 and 基本称职 0.5, the sheet shows that base and coefficient."""
    scheme = Scheme.from_dict({"pay": {"base": 1000, "coefficients": {"基本称职": 0.5}}})
    rows = [leader("H004", "孙八", "联户长", grade="基本称职", pay=500.0)]
    path = write_award_workbook(
        pd.DataFrame(rows), year=2024, scheme=scheme, path=tmp_path / "a.xlsx"
    )
    headers, data = table(openpyxl.load_workbook(path)["联户长报酬发放表"])
    col = {h: i for i, h in enumerate(headers)}
    assert data[0][col["报酬基数（元）"]].value == 1000
    assert data[0][col["系数"]].value == 0.5
    assert data[0][col["报酬（元）"]].value == 500.0


def test_print_setup_a4_landscape_repeated_header(workbook):
    """Every sheet prints A4 landscape, one page wide, row 2 repeated, frozen under the header."""
    for ws in workbook:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9  # A4 in the OOXML paper-size table
        assert int(ws.page_setup.fitToWidth) == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$2:$2"
        assert ws.freeze_panes.endswith("3")


def test_column_widths_fit_cjk_text(workbook):
    """Columns with long Chinese text are wider than Excel's default 8.43 and fit the text."""
    ws = workbook["表彰名单"]
    headers, _ = table(ws)
    village = openpyxl.utils.get_column_letter(headers.index("行政村") + 1)
    # "江盘村上河坝自然村" is 9 CJK characters = 18 units, plus 2 of padding
    assert ws.column_dimensions[village].width == 20
    ws = workbook["考核汇总表"]
    headers, _ = table(ws)
    committee = openpyxl.utils.get_column_letter(headers.index("村两委量化打分") + 1)
    assert ws.column_dimensions[committee].width > 8.43


def test_formula_text_neutralised_in_every_sheet(workbook):
    """Hostile names come back as guarded text, never as formulas, in every sheet they appear."""
    hostile = {HYPERLINK, "+1", "@SUM(A1)", "-2"}
    seen = {}
    for ws in workbook:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, str) and cell.value[1:] in hostile:
                    assert cell.value.startswith("'") and cell.data_type == "s"
                    seen.setdefault(ws.title, set()).add(cell.value[1:])
                assert cell.value not in hostile, (ws.title, cell.coordinate)
    assert seen["建议调整名单"] == {HYPERLINK, "@SUM(A1)", "-2"}
    assert seen["考核汇总表"] == hostile
    assert seen["联户长报酬发放表"] == {"+1", "@SUM(A1)", "-2"}
