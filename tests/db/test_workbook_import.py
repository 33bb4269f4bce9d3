"""Importing the data workbook (workbook.md) through the real command line and the service."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables)
from dashboard.cli.main import main
from dashboard.data.db import read_session, transaction
from dashboard.data.roster import ROSTER_COLUMNS, roster_frame
from dashboard.data.sample import sample_workbook
from dashboard.data.workbook import (
    ADJUSTMENTS,
    BALLOTS,
    COMMITTEE,
    PLATFORM,
    PRIOR_GRADES,
    ROSTER,
    SELF_REPORT,
    SHEETS,
    WorkbookRejected,
    build_workbook,
    import_workbook,
)
from dashboard.data.years import bump_revision, ensure_year, year_scheme
from dashboard.domain import YEAR_PUBLICITY
from dashboard.scoring.scheme import Scheme
from models import (
    Adjustment,
    AssessmentYear,
    BallotMark,
    CommitteeScore,
    DefenseGroup,
    Grid,
    Leader,
    PlatformCount,
    PriorGrade,
    SelfReport,
)

pytestmark = pytest.mark.db

DUTY_NAMES = ["社情民意信息员", "便民事项办理员", "法制政策宣传员", "矛盾纠纷调解员", "环境卫生监督员", "治安联防巡逻员", "民族团结示范员"]


def _roster_row(code, name, role, grid="第一网格", group=None, **extra):
    row = {
        "编号": code, "姓名": name, "性别": "男", "民族": "藏族", "职务": role, "乡镇": "南峪乡",
        "村": "南峪村", "网格": grid, "联防组": group, "联系电话": "13800000000",
        "任职日期": date(2020, 3, 1), "状态": "在任",
    }
    row.update(extra)
    return row


def _committee_row(quarter, rater, code, name, values=(18, 12, 8, 16, 9, 13, 8)):
    row = {"季度": quarter, "评分人": rater, "编号": code, "姓名": name}
    row.update(dict(zip(DUTY_NAMES, values, strict=True)))
    return row


def base_rows() -> dict[str, list[dict]]:
    """A small, valid workbook: one grid leader and two household leaders in one grid."""
    return {
        ROSTER: [
            _roster_row("W1", "杨卓玛", "网格长"),
            _roster_row("L1", "马忠义", "联户长", group="第一联防组", 民族="回族"),
            _roster_row("L2", "扎西才让", "联户长", group="第二联防组"),
        ],
        SELF_REPORT: [
            {"编号": c, "姓名": n, **dict.fromkeys(DUTY_NAMES, 90), "述职摘要": "走访群众"}
            for c, n in (("W1", "杨卓玛"), ("L1", "马忠义"), ("L2", "扎西才让"))
        ],
        COMMITTEE: [
            _committee_row(1, "王建国", "W1", "杨卓玛"),
            _committee_row(1, "王建国", "L1", "马忠义"),
            _committee_row(1, "王建国", "L2", "扎西才让"),
        ],
        BALLOTS: [
            {"票号": "B1", "评议人类别": "群众代表", "编号": "W1", "姓名": "杨卓玛", "评价": "优秀"},
            {"票号": "B1", "评议人类别": "群众代表", "编号": "L1", "姓名": "马忠义", "评价": "称职"},
            {"票号": "B2", "评议人类别": "党员代表", "编号": "L1", "姓名": "马忠义", "评价": "优秀"},
            {"票号": "B2", "评议人类别": "党员代表", "编号": "L2", "姓名": "扎西才让", "评价": "弃权"},
        ],
        PLATFORM: [
            {"编号": "W1", "姓名": "杨卓玛", "月份": 1, "上报数": 4},
            {"编号": "L1", "姓名": "马忠义", "月份": 1, "上报数": 3},
        ],
        ADJUSTMENTS: [
            {"编号": "L1", "姓名": "马忠义", "类型": "加分", "分值": 2, "事由": "调解纠纷"},
            {"编号": "L2", "姓名": "扎西才让", "类型": "一票否决", "分值": None, "事由": "瞒报事故"},
        ],
        PRIOR_GRADES: [{"编号": "W1", "姓名": "杨卓玛", "年度": 2023, "等次": "称职"}],
    }


def write_book(path: Path, rows: dict[str, list[dict]], sheets=None) -> Path:
    build_workbook(rows, sheets=sheets or list(rows)).save(path)
    return path


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order (to prove nothing changed)."""
    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted(tuple(map(str, r)) for r in rows)
    return out


def run_cli(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def loaded(db_engine, tmp_path, capsys):
    """The database after importing the base workbook for 2024 through the command line."""
    path = write_book(tmp_path / "base.xlsx", base_rows())
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(db_engine))
    assert code == 0, out
    return db_engine


def test_base_workbook_imports_every_sheet(loaded):
    """The base workbook lands row by row: 3 leaders, 3 reports, 3 sheets, 4 marks, 2 counts, 2 adjustments."""
    with read_session(loaded) as s:
        assert s.execute(text("select count(*) from leader")).scalar_one() == 3
        assert s.execute(text("select count(*) from self_report where year = 2024")).scalar_one() == 3
        assert s.execute(text("select count(*) from committee_score")).scalar_one() == 3
        assert s.execute(text("select count(*) from ballot_mark")).scalar_one() == 4
        assert s.execute(text("select count(*) from platform_count")).scalar_one() == 2
        veto = s.execute(select(Adjustment).where(Adjustment.kind == "一票否决")).scalar_one()
        assert veto.points is None
        l1 = s.execute(select(Leader).where(Leader.code == "L1")).scalar_one()
        assert l1.ethnicity == "回族" and l1.group_id is not None
        w1 = s.execute(select(Leader).where(Leader.code == "W1")).scalar_one()
        assert w1.group_id is None
        prior = s.execute(select(PriorGrade)).scalar_one()
        assert (prior.year, prior.grade) == (2023, "称职")
        year = s.get(AssessmentYear, 2024)
        assert year.status == "录入中" and year.revision == 1
        assert Scheme.from_json(year.scheme_json) == Scheme.default()


def _count_rows(path: Path, sheet: str) -> int:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [r for r in book[sheet].iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
    book.close()
    return len(rows)


def test_seed_sample_loads_both_years(db_engine, capsys):
    """seed-sample imports 2023 then 2024; every data row of the two books is in the database."""
    code, out = run_cli(capsys, "seed-sample", "--db", url_of(db_engine))
    assert code == 0, out
    book23, book24 = sample_workbook(2023), sample_workbook(2024)
    with read_session(db_engine) as s:
        def count(sql):
            return s.execute(text(sql)).scalar_one()

        # 72 leaders in 2023 plus the one appointed in July 2024.
        assert count("select count(*) from leader") == 73 == _count_rows(book24, ROSTER)
        assert count("select count(*) from leader where status = '离任'") == 1
        assert count("select count(*) from village") == 8
        assert count("select count(*) from grid") == 18
        assert count("select count(*) from defense_group") == 54
        for year, book in ((2023, book23), (2024, book24)):
            assert count(f"select count(*) from ballot_mark where year = {year}") == _count_rows(book, BALLOTS)
            assert count(f"select count(*) from committee_score where year = {year}") == _count_rows(book, COMMITTEE)
            assert count(f"select count(*) from self_report where year = {year}") == _count_rows(book, SELF_REPORT)
        assert count("select count(*) from assessment_year") == 2
    code, out = run_cli(capsys, "seed-sample", "--if-empty", "--db", url_of(db_engine))
    assert code == 0 and "未加载示例数据" in out


# --- rejected workbooks: exit 2, every error with sheet/row/column, nothing written -------------


def _set(rows, sheet, index, column, value):
    rows[sheet][index][column] = value
    return rows


BROKEN = {
    "score over its maximum": (
        lambda r: _set(r, COMMITTEE, 0, "社情民意信息员", 25),
        "工作表「两委打分」第 2 行「社情民意信息员」列：分值 25 超过满分 20",
    ),
    "unknown category word": (
        lambda r: _set(r, BALLOTS, 1, "评价", "良好"),
        "工作表「群众评议」第 3 行「评价」列：「良好」不是有效的评价，应为 优秀、称职、基本称职、不称职 或 弃权",
    ),
    "name does not match code": (
        lambda r: _set(r, SELF_REPORT, 1, "姓名", "马中义"),
        "工作表「个人述职」第 3 行「姓名」列：编号 L1 在人员名册中的姓名是「马忠义」，这里写的是「马中义」",
    ),
    "unknown code": (
        lambda r: _set(r, PLATFORM, 1, "编号", "L9"),
        "工作表「平台上报」第 3 行「编号」列：编号 L9 不在人员名册中（本工作簿和系统里都没有）",
    ),
    "duplicate ballot": (
        lambda r: _set(r, BALLOTS, 2, "票号", "B1"),
        "工作表「群众评议」第 4 行「票号+编号」列：与第 3 行重复（B1、L1）",
    ),
    "formula text in a score": (
        lambda r: _set(r, SELF_REPORT, 0, "法制政策宣传员", "=1+1"),
        "工作表「个人述职」第 2 行「法制政策宣传员」列：以 = 开头的文本不能作为分值：=1+1",
    ),
    "negative count": (
        lambda r: _set(r, PLATFORM, 0, "上报数", -3),
        "工作表「平台上报」第 2 行「上报数」列：上报数 -3 不能为负数",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_workbook_is_rejected_with_place_and_nothing_written(loaded, tmp_path, capsys, case):
    """Each broken variant exits 2, names sheet/row/column, and leaves the database unchanged."""
    mutate, expected = BROKEN[case]
    rows = mutate(base_rows())
    # Change valid data too, so that a partial write would show in the dump.
    rows[BALLOTS].append({"票号": "B3", "评议人类别": "群众代表", "编号": "L2", "姓名": "扎西才让", "评价": "优秀"})
    rows[ROSTER][0]["姓名"] = "杨卓玛"
    rows[ROSTER][0]["联系电话"] = "13911112222"
    before = dump(loaded)
    path = write_book(tmp_path / "broken.xlsx", rows)
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(loaded))
    assert code == 2
    assert expected in out.splitlines()
    assert "共 1 处错误，未写入任何数据。" in out
    assert dump(loaded) == before


def test_missing_column_is_rejected(loaded, tmp_path, capsys):
    """A sheet without a required column exits 2 naming the column; nothing is written."""
    rows = base_rows()
    for row in rows[BALLOTS]:
        del row["评价"]
    path = write_book(tmp_path / "nocol.xlsx", rows)
    book = openpyxl.load_workbook(path)
    book[BALLOTS].delete_cols(SHEETS[BALLOTS].columns.index("评价") + 1)
    book.save(path)
    before = dump(loaded)
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(loaded))
    assert code == 2
    assert "工作表「群众评议」第 1 行「评价」列：缺少必需的列" in out.splitlines()
    assert dump(loaded) == before


def test_every_error_is_reported_not_only_the_first(loaded, tmp_path, capsys):
    """Three bad cells in three sheets give three lines and the count 3."""
    rows = base_rows()
    _set(rows, COMMITTEE, 2, "民族团结示范员", 10.5)  # max 10
    _set(rows, PLATFORM, 1, "月份", 13)
    _set(rows, ADJUSTMENTS, 0, "分值", 0)
    path = write_book(tmp_path / "three.xlsx", rows)
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(loaded))
    assert code == 2
    lines = out.splitlines()
    assert "工作表「两委打分」第 4 行「民族团结示范员」列：分值 10.5 超过满分 10" in lines
    assert "工作表「平台上报」第 3 行「月份」列：月份 13 不在 1 到 12 之间" in lines
    assert "工作表「加减分」第 2 行「分值」列：分值 0 应大于 0" in lines
    assert "共 3 处错误，未写入任何数据。" in lines


def _reject(engine, tmp_path, rows, year=2024, sheets=None) -> list[str]:
    path = write_book(tmp_path / "x.xlsx", rows, sheets=sheets)
    with pytest.raises(WorkbookRejected) as info:
        import_workbook(engine=engine, source=path, year=year)
    return [str(e) for e in info.value.errors]


def test_missing_roster_sheet_is_rejected(db_engine, tmp_path):
    """人员名册 is required even when the other sheets are fine."""
    rows = base_rows()
    errors = _reject(db_engine, tmp_path, rows, sheets=[SELF_REPORT])
    assert "工作表「人员名册」：缺少必需的工作表" in errors


def test_group_required_for_household_leader_and_empty_for_grid_leader(db_engine, tmp_path):
    """A 联户长 without 联防组 and a 网格长 with one are both errors."""
    rows = base_rows()
    rows[ROSTER][0]["联防组"] = "第一联防组"
    rows[ROSTER][2]["联防组"] = None
    errors = _reject(db_engine, tmp_path, rows)
    assert "工作表「人员名册」第 2 行「联防组」列：网格长不属于联防组，联防组应留空" in errors
    assert "工作表「人员名册」第 4 行「联防组」列：联户长必须填写联防组" in errors


@pytest.mark.parametrize(
    ("sheet", "index", "column", "message"),
    [
        (ROSTER, 2, "编号", "工作表「人员名册」第 4 行「编号」列：编号 L1 与第 3 行重复"),
        (SELF_REPORT, 2, "编号", "工作表「个人述职」第 4 行「编号」列：与第 3 行重复（L1）"),
        (COMMITTEE, 2, "编号", "工作表「两委打分」第 4 行「季度+评分人+编号」列：与第 3 行重复（1、王建国、L1）"),
        (PLATFORM, 0, "编号", "工作表「平台上报」第 2 行「编号+月份」列：与第 3 行重复（L1、1）"),
    ],
)
def test_duplicate_keys_are_rejected(db_engine, tmp_path, sheet, index, column, message):
    """Duplicate keys per workbook.md: the later row names the earlier one."""
    rows = base_rows()
    rows[sheet][index]["编号"] = "L1"
    rows[sheet][index]["姓名"] = "马忠义"
    if sheet == PLATFORM:  # put the duplicate after the original
        rows[PLATFORM].reverse()
        message = "工作表「平台上报」第 3 行「编号+月份」列：与第 2 行重复（L1、1）"
    assert message in _reject(db_engine, tmp_path, rows)


def test_duplicate_prior_grade_is_rejected(db_engine, tmp_path):
    """往年等次 is keyed by 编号+年度."""
    rows = base_rows()
    rows[PRIOR_GRADES].append({"编号": "W1", "姓名": "杨卓玛", "年度": 2023, "等次": "优秀"})
    assert "工作表「往年等次」第 3 行「编号+年度」列：与第 2 行重复（W1、2023）" in _reject(db_engine, tmp_path, rows)


def test_adjustment_points_rules(db_engine, tmp_path):
    """分值 is empty for 一票否决 and required (> 0) for 加分/减分."""
    rows = base_rows()
    rows[ADJUSTMENTS][1]["分值"] = 5
    rows[ADJUSTMENTS][0]["分值"] = None
    errors = _reject(db_engine, tmp_path, rows)
    assert "工作表「加减分」第 2 行「分值」列：分值不能为空（只有一票否决不填分值）" in errors
    assert "工作表「加减分」第 3 行「分值」列：一票否决不填分值，请留空" in errors


def test_narrative_over_2000_characters_is_rejected(db_engine, tmp_path):
    """述职摘要 holds at most 2000 characters."""
    rows = base_rows()
    rows[SELF_REPORT][0]["述职摘要"] = "好" * 2001
    assert "工作表「个人述职」第 2 行「述职摘要」列：述职摘要最多 2000 个字，实际 2001 个字" in _reject(db_engine, tmp_path, rows)


def test_formula_text_in_category_is_rejected(db_engine, tmp_path):
    """A category cell starting with @ is refused like a formula."""
    rows = base_rows()
    rows[ADJUSTMENTS][0]["类型"] = "@加分"
    assert "工作表「加减分」第 2 行「类型」列：以 @ 开头的文本不能作为类型：@加分" in _reject(db_engine, tmp_path, rows)


def test_committee_maximum_comes_from_the_year_scheme(db_engine, tmp_path):
    """With role_max.info = 10 for the year, an info score of 18 is over the maximum."""
    with transaction(db_engine) as s:
        scheme = Scheme.default().replace({"role_max": {"info": 10}})
        s.add(AssessmentYear(year=2024, scheme_json=scheme.to_json()))
    errors = _reject(db_engine, tmp_path, base_rows())
    # base rows give 社情民意信息员 = 18 on all three committee rows (Excel rows 2, 3, 4).
    assert errors == [f"工作表「两委打分」第 {n} 行「社情民意信息员」列：分值 18 超过满分 10" for n in (2, 3, 4)]


def test_import_into_a_closed_year_is_refused(db_engine, tmp_path, capsys):
    """A year in 公示中 takes no import: exit 2 with the reason."""
    with transaction(db_engine) as s:
        s.add(AssessmentYear(year=2024, scheme_json=Scheme.default().to_json(), status=YEAR_PUBLICITY))
    path = write_book(tmp_path / "ok.xlsx", base_rows())
    before = dump(db_engine)
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(db_engine))
    assert code == 2
    assert "年度 2024 已进入公示/定稿，不能导入" in out
    assert dump(db_engine) == before


def test_prior_grade_year_must_be_earlier(db_engine, tmp_path):
    """往年等次 for the imported year itself is refused."""
    rows = base_rows()
    rows[PRIOR_GRADES][0]["年度"] = 2024
    assert "工作表「往年等次」第 2 行「年度」列：往年等次的年度 2024 应早于导入的年度 2024" in _reject(db_engine, tmp_path, rows)


def test_not_an_xlsx_file_is_rejected(db_engine, tmp_path, capsys):
    """A text file named .xlsx gives a clear message and exit 2."""
    path = tmp_path / "fake.xlsx"
    path.write_text("编号,姓名\n", encoding="utf-8")
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(db_engine))
    assert code == 2
    assert "文件无法作为 Excel 工作簿（.xlsx）打开" in out


# --- accepted workbooks --------------------------------------------------------------------


def test_full_width_digits_and_spaces_are_normalised(db_engine, tmp_path):
    """'１７．５' with full-width spaces reads as 17.5; a code with a trailing U+3000 matches."""
    rows = base_rows()
    rows[COMMITTEE][0]["社情民意信息员"] = "\u3000１７．５ "
    rows[BALLOTS][0]["编号"] = "Ｗ1\u3000"
    rows[PLATFORM][0]["上报数"] = "４"
    import_workbook(engine=db_engine, source=write_book(tmp_path / "fw.xlsx", rows), year=2024)
    with read_session(db_engine) as s:
        w1 = s.execute(select(Leader.id).where(Leader.code == "W1")).scalar_one()
        score = s.execute(select(CommitteeScore.info).where(CommitteeScore.leader_id == w1)).scalar_one()
        assert score == 17.5
        marks = s.execute(select(BallotMark.mark).where(BallotMark.leader_id == w1)).scalars().all()
        assert marks == ["优秀"]
        assert s.execute(select(PlatformCount.reports).where(PlatformCount.leader_id == w1)).scalar_one() == 4


def test_extra_column_gives_a_warning(db_engine, tmp_path, capsys):
    """An unknown column is ignored with a printed warning; the import succeeds."""
    path = write_book(tmp_path / "extra.xlsx", base_rows())
    book = openpyxl.load_workbook(path)
    ws = book[BALLOTS]
    ws.cell(row=1, column=ws.max_column + 1, value="备注")
    ws.cell(row=2, column=ws.max_column, value="字迹不清")
    book.save(path)
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(db_engine))
    assert code == 0
    assert "提示：工作表「群众评议」的列「备注」不是规定的列，已忽略" in out


def test_reimport_ballot_sheet_replaces_only_its_ballot_and_leader(loaded, tmp_path):
    """A second book with L1 on ballot B9 adds that mark; L1's B1 and B2, W1's and L2's marks stay."""
    rows = base_rows()
    rows[BALLOTS] = [{"票号": "B9", "评议人类别": "群众代表", "编号": "L1", "姓名": "马忠义", "评价": "不称职"}]
    import_workbook(engine=loaded, source=write_book(tmp_path / "again.xlsx", rows, sheets=[ROSTER, BALLOTS]), year=2024)
    with read_session(loaded) as s:
        marks = s.execute(
            select(Leader.code, BallotMark.ballot_no, BallotMark.mark)
            .join(Leader, Leader.id == BallotMark.leader_id)
            .order_by(Leader.code, BallotMark.ballot_no)
        ).all()
        # before: W1 B1 优秀; L1 B1 称职, B2 优秀; L2 B2 弃权 → plus L1 B9 不称职 (票号+编号 is the unit).
        assert [tuple(m) for m in marks] == [
            ("L1", "B1", "称职"), ("L1", "B2", "优秀"), ("L1", "B9", "不称职"), ("L2", "B2", "弃权"), ("W1", "B1", "优秀"),
        ]
        # Sheets absent from the second book keep their data (3 committee rows).
        assert s.execute(text("select count(*) from committee_score")).scalar_one() == 3
        assert s.get(AssessmentYear, 2024).revision == 2


def test_roster_upsert_updates_name_and_moves_grid(loaded, tmp_path):
    """Re-importing the roster by 编号 renames L2 and moves it to another grid's group."""
    rows = {ROSTER: base_rows()[ROSTER]}
    rows[ROSTER][2].update({"姓名": "扎西多杰", "网格": "第二网格", "联防组": "第四联防组", "状态": "离任"})
    import_workbook(engine=loaded, source=write_book(tmp_path / "move.xlsx", rows), year=2024)
    with read_session(loaded) as s:
        l2 = s.execute(select(Leader).where(Leader.code == "L2")).scalar_one()
        assert (l2.name, l2.status) == ("扎西多杰", "离任")
        assert s.get(Grid, l2.grid_id).name == "第二网格"
        assert s.get(DefenseGroup, l2.group_id).name == "第四联防组"
        assert s.execute(text("select count(*) from leader")).scalar_one() == 3
        # The old data of L2 is kept (ballot B2 弃权); only the roster changed.
        assert s.execute(select(BallotMark).where(BallotMark.leader_id == l2.id)).scalar_one().mark == "弃权"


def test_row_with_only_code_and_name_is_skipped(loaded, tmp_path):
    """A template row with just 编号/姓名 on 个人述职 neither errors nor deletes the report."""
    rows = {ROSTER: base_rows()[ROSTER], SELF_REPORT: [{"编号": "L1", "姓名": "马忠义"}]}
    report = import_workbook(engine=loaded, source=write_book(tmp_path / "blank.xlsx", rows), year=2024)
    assert report.counts[SELF_REPORT] == 0
    with read_session(loaded) as s:
        assert s.execute(text("select count(*) from self_report")).scalar_one() == 3


def test_template_round_trip(loaded, tmp_path, capsys):
    """template → fill in with openpyxl → import: the filled values arrive."""
    out_path = tmp_path / "template.xlsx"
    code, out = run_cli(capsys, "template", "--year", "2024", "--out", str(out_path), "--db", url_of(loaded))
    assert code == 0 and "3 人" in out
    book = openpyxl.load_workbook(out_path)
    for name in SHEETS:
        assert [c.value for c in book[name][1]] == list(SHEETS[name].columns)
        assert book[name].freeze_panes == "A2"
    roster = book[ROSTER]
    assert [roster.cell(row=r, column=1).value for r in (2, 3, 4)] == ["W1", "L1", "L2"]
    self_sheet = book[SELF_REPORT]
    assert [self_sheet.cell(row=r, column=2).value for r in (2, 3, 4)] == ["杨卓玛", "马忠义", "扎西才让"]
    # Fill L1's self-report (row 3) with 80 everywhere and one ballot mark.
    for col in range(3, 10):
        self_sheet.cell(row=3, column=col, value=80)
    book[BALLOTS].append(["T1", "群众代表", "L1", "马忠义", "基本称职"])
    book.save(out_path)
    code, out = run_cli(capsys, "import", str(out_path), "--year", "2024", "--db", url_of(loaded))
    assert code == 0, out
    with read_session(loaded) as s:
        l1 = s.execute(select(Leader.id).where(Leader.code == "L1")).scalar_one()
        report = s.execute(select(SelfReport).where(SelfReport.leader_id == l1)).scalar_one()
        assert (report.info, report.unity, report.narrative) == (80, 80, None)
        marks = s.execute(
            select(BallotMark.ballot_no, BallotMark.mark).where(BallotMark.leader_id == l1).order_by(BallotMark.ballot_no)
        ).all()
        # Ballot T1 is added next to the stored B1 and B2 (a ballot row replaces only 票号+编号).
        assert [tuple(m) for m in marks] == [("B1", "称职"), ("B2", "优秀"), ("T1", "基本称职")]
        # W1's self-report (rows left blank in the template) is untouched: 90.
        w1 = s.execute(select(Leader.id).where(Leader.code == "W1")).scalar_one()
        assert s.execute(select(SelfReport.info).where(SelfReport.leader_id == w1)).scalar_one() == 90


def test_import_writes_an_audit_event(loaded):
    """The import is recorded in the audit trail with its counts."""
    with read_session(loaded) as s:
        row = s.execute(text("select action, year, new_value from audit_event")).one()
    assert row[0] == "import" and row[1] == 2024
    assert json.loads(row[2])["群众评议"] == {"新增": 4, "修改": 0, "不变": 0, "删除": 0}


def test_roster_frame_lists_leaders_with_chinese_columns(loaded, tmp_path):
    """roster_frame: Chinese headers, grid leader first; assessed_in drops 离任 and later appointees."""
    rows = {ROSTER: base_rows()[ROSTER]}
    rows[ROSTER][1]["状态"] = "离任"  # L1 left
    rows[ROSTER][2]["任职日期"] = date(2025, 1, 1)  # L2 appointed after 2024
    import_workbook(engine=loaded, source=write_book(tmp_path / "r.xlsx", rows), year=2024)
    with read_session(loaded) as s:
        frame = roster_frame(s)
        assert list(frame.columns) == ROSTER_COLUMNS
        assert list(frame["编号"]) == ["W1", "L1", "L2"]
        assert frame.loc[0, "县"] == "舟曲县"
        assert list(roster_frame(s, assessed_in=2024)["编号"]) == ["W1"]


def test_bump_revision_counts_every_write(db_engine):
    """ensure_year starts at revision 0 with the default scheme; two bumps make it 2."""
    with transaction(db_engine) as s:
        row = ensure_year(s, 2025)
        assert (row.status, row.revision) == ("录入中", 0)
        assert bump_revision(s, 2025) == 1
        assert bump_revision(s, 2025) == 2
        assert year_scheme(s, 2025) == Scheme.default()
