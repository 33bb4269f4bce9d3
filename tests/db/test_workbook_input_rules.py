"""Reading a workbook safely: a bounded error list, hidden sheets, macro files, invisible
characters and the two-decimal rule, through the command line, the service and the upload check."""

from __future__ import annotations

import io

import openpyxl
import pytest
from factories import YEAR, build_world
from sqlmodel import select
from test_workbook_import import base_rows, dump, run_cli, url_of, write_book

from dashboard.data.db import read_session, transaction
from dashboard.data.workbook import (
    BALLOTS,
    COMMITTEE,
    ROSTER,
    SELF_REPORT,
    WorkbookRejected,
    import_workbook,
)
from dashboard.services.entry import EntryError
from dashboard.services.inputs import add_adjustment, save_self_report
from dashboard.services.roster import save_leader
from dashboard.services.uploads import check_upload
from models import CommitteeScore, Leader, User

pytestmark = pytest.mark.db


def _duplicate_ballots(n: int) -> dict[str, list[dict]]:
    """The base roster and ``n`` copies of one 群众评议 row: n - 1 duplicate-key errors."""
    rows = base_rows()
    row = {"票号": "B1", "评议人类别": "群众代表", "编号": "W1", "姓名": "杨卓玛", "评价": "优秀"}
    return {ROSTER: rows[ROSTER], BALLOTS: [dict(row) for _ in range(n)]}


def test_cli_lists_500_errors_then_the_exact_count(db_engine, tmp_path, capsys):
    """600 copies of a row: 599 duplicates, rows 3–502 listed, 「另有 99 处错误未列出」, total 599."""
    path = write_book(tmp_path / "dup.xlsx", _duplicate_ballots(600))
    before = dump(db_engine)
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(db_engine))
    lines = out.splitlines()
    assert code == 2
    listed = [line for line in lines if "与第 2 行重复" in line]
    assert len(listed) == 500
    assert listed[0].startswith("工作表「群众评议」第 3 行") and listed[-1].startswith("工作表「群众评议」第 502 行")
    assert lines[-2:] == ["另有 99 处错误未列出", "共 599 处错误，未写入任何数据。"]
    assert dump(db_engine) == before


def test_service_rejection_carries_the_unlisted_count(db_engine, tmp_path):
    """The WorkbookRejected of 600 copies holds 500 errors, unlisted 99, total 599."""
    path = write_book(tmp_path / "dup.xlsx", _duplicate_ballots(600))
    with pytest.raises(WorkbookRejected) as info:
        import_workbook(engine=db_engine, source=path, year=2024)
    assert (len(info.value.errors), info.value.unlisted, info.value.total) == (500, 99, 599)
    assert str(info.value) == "共 599 处错误，未写入任何数据。"


def test_upload_check_is_bounded_too(db_engine):
    """The upload check of 600 copies by the admin lists 500 errors and counts 99 more."""
    world = build_world(db_engine)
    with read_session(db_engine) as s:
        admin = s.exec(select(User).where(User.username == "admin")).one()
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.title = BALLOTS
    book.active.append(["票号", "评议人类别", "编号", "姓名", "评价"])
    for _ in range(600):
        book.active.append(["P1", "群众代表", "NY-H1", "马小军", "称职"])
    roster = book.create_sheet(ROSTER)
    roster.append(["编号", "姓名", "性别", "职务", "乡镇", "村", "网格", "联防组", "任职日期", "状态"])
    book.save(buffer)
    check = check_upload(engine=world.engine, user=admin, data=buffer.getvalue(), year=YEAR)
    assert (len(check.errors), check.unlisted) == (500, 99)


def test_hidden_sheet_is_imported_with_a_warning(db_engine, tmp_path, capsys):
    """A hidden 两委打分 sheet is still data: imported (3 rows) and the CLI names it in a warning."""
    path = write_book(tmp_path / "hidden.xlsx", base_rows())
    book = openpyxl.load_workbook(path)
    book[COMMITTEE].sheet_state = "hidden"
    book.save(path)
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(db_engine))
    assert code == 0, out
    assert "提示：工作表「两委打分」在 Excel 中是隐藏的，其中的数据同样会导入" in out
    with read_session(db_engine) as s:
        assert len(s.exec(select(CommitteeScore)).all()) == 3


def test_very_hidden_sheet_is_refused_and_nothing_written(db_engine, tmp_path, capsys):
    """A veryHidden 个人述职 (invisible in Excel's 取消隐藏) refuses the whole import."""
    path = write_book(tmp_path / "very.xlsx", base_rows())
    book = openpyxl.load_workbook(path)
    book[SELF_REPORT].sheet_state = "veryHidden"
    book.save(path)
    before = dump(db_engine)
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(db_engine))
    assert code == 2
    assert "工作表「个人述职」：工作表被设为“深度隐藏”" in out
    assert dump(db_engine) == before


def test_xlsm_refused_on_the_command_line(db_engine, tmp_path, capsys):
    """A workbook saved as .xlsm is refused in Chinese (exit 2), nothing written."""
    path = write_book(tmp_path / "macro.xlsm", base_rows())
    before = dump(db_engine)
    code, out = run_cli(capsys, "import", str(path), "--year", "2024", "--db", url_of(db_engine))
    assert code == 2
    assert "文件是启用宏的工作簿（.xlsm），为安全起见不接受" in out
    assert dump(db_engine) == before


def test_zero_width_space_in_a_name_is_refused_with_sheet_row_column_and_position(db_engine, tmp_path):
    """马\u200b忠义 in 人员名册 row 3 and 王\u200d建国 as 评分人 on 两委打分 row 2: both located."""
    rows = base_rows()
    rows[ROSTER][1]["姓名"] = "马\u200b忠义"
    rows[COMMITTEE][0]["评分人"] = "王\u200d建国"
    path = write_book(tmp_path / "zw.xlsx", rows)
    with pytest.raises(WorkbookRejected) as info:
        import_workbook(engine=db_engine, source=path, year=2024)
    errors = [str(e) for e in info.value.errors]
    assert "工作表「人员名册」第 3 行「姓名」列：第 2 个字符是不可见字符 U+200B（零宽空格），请删除后重新输入" in errors
    assert "工作表「两委打分」第 2 行「评分人」列：第 2 个字符是不可见字符 U+200D（零宽连字），请删除后重新输入" in errors


def test_third_decimal_in_a_score_is_refused_with_the_place(db_engine, tmp_path):
    """个人述职 90.125 (row 2) and 加减分 2.005 (row 2) are refused; 17.55 on 两委打分 is fine."""
    rows = base_rows()
    rows[SELF_REPORT][0]["社情民意信息员"] = 90.125
    rows["加减分"][0]["分值"] = 2.005
    rows[COMMITTEE][0]["社情民意信息员"] = 17.55
    path = write_book(tmp_path / "dec.xlsx", rows)
    with pytest.raises(WorkbookRejected) as info:
        import_workbook(engine=db_engine, source=path, year=2024)
    assert [str(e) for e in info.value.errors] == [
        "工作表「个人述职」第 2 行「社情民意信息员」列：分值 90.125 最多两位小数",
        "工作表「加减分」第 2 行「分值」列：分值 2.005 最多两位小数",
    ]


# --- the entry services share the rules ----------------------------------------------------


def _run(engine, username, service, **kwargs):
    with transaction(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return service(session=s, user=user, **kwargs)


def test_entry_services_refuse_invisible_characters_and_third_decimals(db_engine):
    """A typed name with U+200B, a 事由 with U+00AD, a self-report 90.125: refused, nothing saved."""
    world = build_world(db_engine)
    village = world.village_ids["南峪乡/南峪村"]
    leader = {"编号": "NY-H9", "姓名": "丁\u200b国梁", "性别": "男", "职务": "联户长", "网格": "第一网格",
              "联防组": "三组", "任职日期": "2024-03-01", "状态": ""}
    with pytest.raises(EntryError) as err:
        _run(db_engine, "assessor", save_leader, village_id=village, fields=leader)
    assert [(e.column, e.reason) for e in err.value.errors] == [
        ("姓名", "第 2 个字符是不可见字符 U+200B（零宽空格），请删除后重新输入")]
    with pytest.raises(EntryError) as err:
        _run(db_engine, "assessor", add_adjustment, year=YEAR, code="NY-H1", kind="加分", points=1,
             reason="抢险\u00ad救灾")
    assert "第 3 个字符是不可见字符 U+00AD（软连字符）" in err.value.errors[0].reason
    scores = dict.fromkeys(["社情民意信息员", "便民事项办理员", "法制政策宣传员", "矛盾纠纷调解员",
                            "环境卫生监督员", "治安联防巡逻员", "民族团结示范员"], 90)
    with pytest.raises(EntryError) as err:
        _run(db_engine, "assessor", save_self_report, year=YEAR, code="NY-G1",
             scores={**scores, "便民事项办理员": 90.125})
    assert [(e.column, e.reason) for e in err.value.errors] == [("便民事项办理员", "分值 90.125 最多两位小数")]
    with read_session(db_engine) as s:
        assert s.exec(select(Leader).where(Leader.code == "NY-H9")).first() is None


def test_invisible_character_in_a_column_title_is_explained(db_engine, tmp_path):
    """A 姓名 header typed 姓\u200b名 is not the column 姓名: the warning says which character hides."""
    path = write_book(tmp_path / "head.xlsx", {ROSTER: base_rows()[ROSTER]})
    book = openpyxl.load_workbook(path)
    book[ROSTER]["B1"] = "姓\u200b名"
    book.save(path)
    with pytest.raises(WorkbookRejected) as info:
        import_workbook(engine=db_engine, source=path, year=2024)
    assert "工作表「人员名册」第 1 行「姓名」列：缺少必需的列" in [str(e) for e in info.value.errors]
    assert info.value.warnings == [
        "工作表「人员名册」的列「姓\u200b名」不是规定的列，已忽略（名称中第 2 个字符是不可见字符 U+200B（零宽空格），请删除后重新输入）"
    ]
