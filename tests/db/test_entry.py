"""Entry services: stored values, role and village scope, validation, one transaction, revision."""

from __future__ import annotations

from datetime import date

import pytest
from factories import YEAR, build_world
from sqlalchemy import func
from sqlmodel import select

from dashboard.data.db import read_session, transaction
from dashboard.domain import DUTIES
from dashboard.scoring.scheme import Scheme
from dashboard.services.auth import PermissionDenied
from dashboard.services.entry import EntryError
from dashboard.services.inputs import (
    add_adjustment,
    delete_adjustment,
    save_ballot_sheet,
    save_ballot_tallies,
    save_committee_sheet,
    save_platform_counts,
    save_self_report,
)
from dashboard.services.roster import ROSTER_COLUMNS, retire_leader, roster_table, save_leader
from models import (
    Adjustment,
    AssessmentYear,
    AuditEvent,
    BallotMark,
    CommitteeScore,
    Leader,
    PlatformCount,
    SelfReport,
)
from models import User as _User

NAMES = list(DUTIES.values())  # 社情民意信息员 … 民族团结示范员
FULL = dict(zip(NAMES, [20, 15, 10, 20, 10, 15, 10], strict=True))  # the default rubric maxima


@pytest.fixture
def world(db_engine):
    return build_world(db_engine)


def _run(engine, username, service, **kwargs):
    with transaction(engine) as s:
        user = s.exec(select(_User).where(_User.username == username)).one()
        return service(session=s, user=user, **kwargs)



def _count(engine, table) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(table)).one()


def _revision(engine) -> int:
    with read_session(engine) as s:
        return s.get(AssessmentYear, YEAR).revision


def _committee_row(code, name=None, **scores):
    row = {"编号": code, "姓名": name}
    row.update(scores)
    return row


# --- committee sheet ---------------------------------------------------------------------


def test_committee_sheet_saves_scores_in_scope(world):
    """An assessor's sheet for 南峪村 stores each duty score, bumps the revision and audits."""
    engine = world.engine
    scores = dict(zip(NAMES, [17.5, 12, 8, 18.25, 9, 13, 10], strict=True))
    result = _run(engine, "assessor", save_committee_sheet, year=YEAR, quarter=2, rater="张书记",
                  rows=[_committee_row("NY-H1", "马小军", **scores), _committee_row("NY-H2")])
    assert (result.saved, result.cleared, result.revision) == (1, 0, 1)
    with read_session(engine) as s:
        row = s.exec(select(CommitteeScore)).one()
        assert (row.quarter, row.rater, row.info, row.mediation, row.unity) == (2, "张书记", 17.5, 18.25, 10)
        # 17.5 + 12 + 8 + 18.25 + 9 + 13 + 10 = 87.75 (the quarter total with default maxima)
        assert sum(getattr(row, k) for k in DUTIES) == 87.75
        assert s.exec(select(AuditEvent.action).where(AuditEvent.action.like("committee%"))).all() == ["committee.save"]
    assert _revision(engine) == 1


def test_committee_sheet_resave_updates_and_empty_row_clears(world):
    """Saving the same member and quarter again updates the row; an all-empty row removes it."""
    engine = world.engine
    _run(engine, "admin", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
         rows=[_committee_row("NY-H1", **FULL), _committee_row("NY-H2", **FULL)])
    half = dict(zip(NAMES, [10, 7.5, 5, 10, 5, 7.5, 5], strict=True))
    result = _run(engine, "admin", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
                  rows=[_committee_row("NY-H1", **half), _committee_row("NY-H2")])
    assert (result.saved, result.cleared) == (1, 1)
    with read_session(engine) as s:
        rows = s.exec(select(CommitteeScore)).all()
        assert len(rows) == 1
        # 10 + 7.5 + 5 + 10 + 5 + 7.5 + 5 = 50
        assert (sum(getattr(rows[0], k) for k in DUTIES), rows[0].version) == (50, 2)
    assert _revision(engine) == 2


def test_committee_score_over_max_refused_nothing_saved(world):
    """信息员 25 > its maximum 20 is refused naming row and column; no row and no revision."""
    engine = world.engine
    bad = {**FULL, "社情民意信息员": 25}
    with pytest.raises(EntryError) as err:
        _run(engine, "assessor", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
             rows=[_committee_row("NY-H1", **FULL), _committee_row("NY-H2", **bad)])
    [cell] = err.value.errors
    assert (cell.row, cell.column) == (2, "社情民意信息员")
    assert "超过满分 20" in cell.reason
    assert _count(engine, CommitteeScore) == 0
    assert _revision(engine) == 0


def test_committee_name_in_number_cell_refused(world):
    """A name typed into a score cell is refused in Chinese; the valid first row is not saved."""
    engine = world.engine
    bad = {**FULL, "治安联防巡逻员": "马小军"}
    with pytest.raises(EntryError) as err:
        _run(engine, "assessor", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
             rows=[_committee_row("NY-H1", **FULL), _committee_row("NY-H2", **bad)])
    [cell] = err.value.errors
    assert (cell.sheet, cell.row, cell.column) == ("两委打分", 2, "治安联防巡逻员")
    assert cell.reason == "应为分值，实际为「马小军」"
    assert _count(engine, CommitteeScore) == 0


def test_committee_formula_text_refused(world):
    """=1+1 in a score cell is refused like the importer does."""
    with pytest.raises(EntryError) as err:
        _run(world.engine, "admin", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
             rows=[_committee_row("NY-H1", **{**FULL, "便民事项办理员": "=1+1"})])
    assert "以 = 开头" in err.value.errors[0].reason


def test_committee_code_from_other_village_refused_for_assessor(world):
    """An assessor of 南峪村 cannot score JP-H1 of 江盘村, even calling the service directly."""
    engine = world.engine
    with pytest.raises(PermissionDenied) as err:
        _run(engine, "assessor", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
             rows=[_committee_row("NY-H1", **FULL), _committee_row("JP-H1", **FULL)])
    assert "第 2 行「编号」列" in str(err.value)
    assert "江盘村" in str(err.value) and "不在您负责的村内" in str(err.value)
    assert _count(engine, CommitteeScore) == 0
    assert _revision(engine) == 0


def test_committee_name_mismatch_refused(world):
    """A 姓名 that is not the roster's for the 编号 (score on the wrong line) is refused."""
    with pytest.raises(EntryError) as err:
        _run(world.engine, "admin", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
             rows=[_committee_row("NY-H1", "才让草", **FULL)])
    assert err.value.errors[0].column == "姓名"
    assert "马小军" in err.value.errors[0].reason


@pytest.mark.parametrize("username", ["viewer", "official"])
def test_committee_refused_for_read_only_roles(world, username):
    """Viewers and officials may not enter committee scores."""
    with pytest.raises(PermissionDenied, match="无权录入两委打分"):
        _run(world.engine, username, save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
             rows=[_committee_row("NY-H1", **FULL)])
    assert _count(world.engine, CommitteeScore) == 0


def test_entry_refused_when_year_not_open(world):
    """Once the year is 公示中, a save is refused and nothing changes."""
    engine = world.engine
    with transaction(engine) as s:
        s.get(AssessmentYear, YEAR).status = "公示中"
    with pytest.raises(EntryError, match="只有「录入中」的年度"):
        _run(engine, "admin", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
             rows=[_committee_row("NY-H1", **FULL)])
    assert _count(engine, CommitteeScore) == 0


def test_committee_uses_the_years_role_max(world):
    """With role_max.info raised to 30 in the year's scheme, 25 is accepted."""
    engine = world.engine
    with transaction(engine) as s:
        s.get(AssessmentYear, YEAR).scheme_json = Scheme.from_dict({"role_max": {"info": 30}}).to_json()
    _run(engine, "admin", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
         rows=[_committee_row("NY-H1", **{**FULL, "社情民意信息员": 25})])
    with read_session(engine) as s:
        assert s.exec(select(CommitteeScore.info)).one() == 25


# --- self-report ---------------------------------------------------------------------------


def test_self_report_saved_and_replaced(world):
    """A self-report stores seven scores and the narrative; saving again replaces it (version 2)."""
    engine = world.engine
    scores = dict(zip(NAMES, [90, 85, 80, 95, 70, 88, 100], strict=True))
    _run(engine, "assessor", save_self_report, year=YEAR, code="NY-G1", scores=scores, narrative="  全年走访 120 户。 ")
    _run(engine, "assessor", save_self_report, year=YEAR, code="NY-G1",
         scores={**scores, "环境卫生监督员": 75.5}, narrative="全年走访 120 户。")
    with read_session(engine) as s:
        report = s.exec(select(SelfReport)).one()
        assert (report.info, report.sanitation, report.unity) == (90, 75.5, 100)
        assert (report.narrative, report.version, report.updated_by) == ("全年走访 120 户。", 2, "assessor")
    assert _revision(engine) == 2


def test_self_report_refusals(world):
    """Over 100, text in a score, another village's leader, and a viewer are all refused."""
    engine = world.engine
    scores = dict.fromkeys(NAMES, 80)
    with pytest.raises(EntryError) as err:
        _run(engine, "assessor", save_self_report, year=YEAR, code="NY-G1",
             scores={**scores, "社情民意信息员": 101, "便民事项办理员": "八十"})
    assert [(e.column, e.reason) for e in err.value.errors] == [
        ("社情民意信息员", "分值 101 超过满分 100"),
        ("便民事项办理员", "应为分值，实际为「八十」"),
    ]
    with pytest.raises(PermissionDenied):
        _run(engine, "assessor", save_self_report, year=YEAR, code="JP-G1", scores=scores)
    with pytest.raises(PermissionDenied):
        _run(engine, "viewer", save_self_report, year=YEAR, code="NY-G1", scores=scores)
    with pytest.raises(EntryError) as err:
        _run(engine, "admin", save_self_report, year=YEAR, code="NY-G1", scores=scores, narrative="字" * 2001)
    assert err.value.errors[0].column == "述职摘要"
    assert _count(engine, SelfReport) == 0
    assert _revision(engine) == 0


# --- ballots -------------------------------------------------------------------------------


def test_ballot_sheet_saved_and_blank_mark_skipped(world):
    """A ballot sheet stores one mark per filled leader with its number and rater type."""
    engine = world.engine
    result = _run(engine, "assessor", save_ballot_sheet, year=YEAR, ballot_no="B-001", rater_type="群众代表",
                  rows=[{"编号": "NY-G1", "评价": "优秀"}, {"编号": "NY-H1", "评价": " 称职 "},
                        {"编号": "NY-H2", "评价": None}])
    assert result.saved == 2
    with read_session(engine) as s:
        marks = {(m.ballot_no, m.rater_type, m.mark) for m in s.exec(select(BallotMark)).all()}
    assert marks == {("B-001", "群众代表", "优秀"), ("B-001", "群众代表", "称职")}


def test_ballot_sheet_refusals_write_nothing(world):
    """An unknown mark, a formula-like rater type, a reserved 汇总- number, another village, a viewer: refused."""
    engine = world.engine
    with pytest.raises(EntryError) as err:
        _run(engine, "assessor", save_ballot_sheet, year=YEAR, ballot_no="B-1", rater_type="群众代表",
             rows=[{"编号": "NY-G1", "评价": "优秀"}, {"编号": "NY-H1", "评价": "很好"}])
    assert [(e.row, e.column) for e in err.value.errors] == [(2, "评价")]
    assert "「很好」不是有效的评价" in err.value.errors[0].reason
    with pytest.raises(EntryError) as err:
        _run(engine, "admin", save_ballot_sheet, year=YEAR, ballot_no="B-2", rater_type="=HYPERLINK(1)",
             rows=[{"编号": "NY-G1", "评价": "优秀"}])
    assert [(e.column, e.reason) for e in err.value.errors] == [
        ("评议人类别", "以 = 开头的文本不能作为评议人类别：=HYPERLINK(1)")]
    with pytest.raises(EntryError, match="留给汇总票数"):
        _run(engine, "admin", save_ballot_sheet, year=YEAR, ballot_no="汇总-X", rater_type="群众代表",
             rows=[{"编号": "NY-G1", "评价": "优秀"}])
    with pytest.raises(PermissionDenied):
        _run(engine, "assessor", save_ballot_sheet, year=YEAR, ballot_no="B-1", rater_type="群众代表",
             rows=[{"编号": "DC-G1", "评价": "优秀"}])
    with pytest.raises(PermissionDenied):
        _run(engine, "viewer", save_ballot_sheet, year=YEAR, ballot_no="B-1", rater_type="群众代表",
             rows=[{"编号": "NY-G1", "评价": "优秀"}])
    assert _count(engine, BallotMark) == 0
    assert _revision(engine) == 0


def test_ballot_tallies_generate_numbered_marks(world):
    """Tallies 3 优秀 + 2 称职 + 1 弃权 become 6 marks 汇总-NY-H1-1 … -6; re-entry replaces them."""
    engine = world.engine
    _run(engine, "assessor", save_ballot_tallies, year=YEAR, rater_type="群众代表",
         rows=[{"编号": "NY-H1", "优秀": 3, "称职": 2, "弃权": 1}, {"编号": "NY-H2"}])
    with read_session(engine) as s:
        marks = sorted((m.ballot_no, m.mark) for m in s.exec(select(BallotMark)).all())
    assert marks == [
        ("汇总-NY-H1-1", "优秀"), ("汇总-NY-H1-2", "优秀"), ("汇总-NY-H1-3", "优秀"),
        ("汇总-NY-H1-4", "称职"), ("汇总-NY-H1-5", "称职"), ("汇总-NY-H1-6", "弃权"),
    ]
    # a second rater type keeps the first one's marks and numbers on after them
    _run(engine, "assessor", save_ballot_tallies, year=YEAR, rater_type="党员代表",
         rows=[{"编号": "NY-H1", "不称职": 2}])
    # re-entering 群众代表 replaces its 6 marks by 1
    _run(engine, "assessor", save_ballot_tallies, year=YEAR, rater_type="群众代表",
         rows=[{"编号": "NY-H1", "基本称职": 1}])
    with read_session(engine) as s:
        marks = sorted((m.rater_type, m.mark) for m in s.exec(select(BallotMark)).all())
    # 2 党员代表 不称职 + 1 群众代表 基本称职
    assert marks == [("党员代表", "不称职"), ("党员代表", "不称职"), ("群众代表", "基本称职")]
    assert _revision(engine) == 3


def test_ballot_tallies_refuse_negative_and_text(world):
    """A negative count and a name in a count cell are refused; nothing is written."""
    engine = world.engine
    with pytest.raises(EntryError) as err:
        _run(engine, "admin", save_ballot_tallies, year=YEAR, rater_type="群众代表",
             rows=[{"编号": "NY-H1", "优秀": -1}, {"编号": "NY-H2", "称职": "马小军"}])
    assert [(e.row, e.column) for e in err.value.errors] == [(1, "优秀"), (2, "称职")]
    assert _count(engine, BallotMark) == 0


# --- platform counts -------------------------------------------------------------------------


def test_platform_counts_grid_saved_and_blank_removes(world):
    """Month cells become records; 0 is a record, an empty cell removes the month."""
    engine = world.engine
    _run(engine, "assessor", save_platform_counts, year=YEAR,
         rows=[{"编号": "NY-G1", "1月": 4, "2月": 0, "3月": "５"}])
    _run(engine, "assessor", save_platform_counts, year=YEAR,
         rows=[{"编号": "NY-G1", "1月": 6, "2月": None, "3月": 5}])
    with read_session(engine) as s:
        stored = sorted((p.month, p.reports) for p in s.exec(select(PlatformCount)).all())
    assert stored == [(1, 6), (3, 5)]
    assert _revision(engine) == 2


def test_platform_counts_refusals(world):
    """A fraction, a negative, a name, and another village's leader are refused; nothing saved."""
    engine = world.engine
    with pytest.raises(EntryError) as err:
        _run(engine, "admin", save_platform_counts, year=YEAR,
             rows=[{"编号": "NY-G1", "1月": 2.5, "2月": -1, "12月": "杨卓玛"}])
    assert [(e.row, e.column) for e in err.value.errors] == [(1, "1月"), (1, "2月"), (1, "12月")]
    with pytest.raises(PermissionDenied):
        _run(engine, "assessor", save_platform_counts, year=YEAR, rows=[{"编号": "JP-G1", "1月": 3}])
    with pytest.raises(PermissionDenied):
        _run(engine, "official", save_platform_counts, year=YEAR, rows=[{"编号": "NY-G1", "1月": 3}])
    assert _count(engine, PlatformCount) == 0


# --- adjustments -----------------------------------------------------------------------------


def test_adjustments_added_and_deleted(world):
    """加分 with points, 一票否决 without; deleting one leaves the other; each bumps the revision."""
    engine = world.engine
    _run(engine, "assessor", add_adjustment, year=YEAR, code="NY-H1", kind="加分", points="2.5", reason="抢险救灾")
    _run(engine, "assessor", add_adjustment, year=YEAR, code="NY-H1", kind="一票否决", points=None, reason="严重违纪")
    with read_session(engine) as s:
        rows = s.exec(select(Adjustment).order_by(Adjustment.id)).all()
        assert [(a.kind, a.points, a.reason) for a in rows] == [("加分", 2.5, "抢险救灾"), ("一票否决", None, "严重违纪")]
        first = rows[0].id
    _run(engine, "assessor", delete_adjustment, year=YEAR, adjustment_id=first)
    with read_session(engine) as s:
        assert s.exec(select(Adjustment.kind)).all() == ["一票否决"]
    assert _revision(engine) == 3


def test_adjustment_refusals(world):
    """No reason, points on a veto, zero points, text points, other village, viewer: all refused."""
    engine = world.engine
    cases = [
        dict(code="NY-H1", kind="减分", points=1, reason="  "),
        dict(code="NY-H1", kind="一票否决", points=3, reason="违纪"),
        dict(code="NY-H1", kind="加分", points=0, reason="表扬"),
        dict(code="NY-H1", kind="加分", points="两分", reason="表扬"),
        dict(code="NY-H1", kind="奖励", points=1, reason="表扬"),
    ]
    columns = []
    for case in cases:
        with pytest.raises(EntryError) as err:
            _run(engine, "assessor", add_adjustment, year=YEAR, **case)
        columns.append(err.value.errors[0].column)
    assert columns == ["事由", "分值", "分值", "分值", "类型"]
    with pytest.raises(PermissionDenied):
        _run(engine, "assessor", add_adjustment, year=YEAR, code="JP-H1", kind="加分", points=1, reason="表扬")
    with pytest.raises(PermissionDenied):
        _run(engine, "viewer", add_adjustment, year=YEAR, code="NY-H1", kind="加分", points=1, reason="表扬")
    assert _count(engine, Adjustment) == 0
    assert _revision(engine) == 0


# --- roster ----------------------------------------------------------------------------------

NEW_LEADER = {"编号": "NY-H3", "姓名": "丁 国 梁", "性别": "男", "民族": "回族", "职务": "联户长",
              "网格": "第一网格", "联防组": "三组", "联系电话": "13800000000", "任职日期": "2024年3月1日",
              "状态": ""}


def test_roster_add_edit_and_retire(world):
    """Add a 联户长 in a new group, edit the phone, then mark 离任; each bumps the revision."""
    engine = world.engine
    village = world.village_ids["南峪乡/南峪村"]
    _run(engine, "assessor", save_leader, village_id=village, fields=NEW_LEADER)
    _run(engine, "assessor", save_leader, village_id=village, code="NY-H3",
         fields={**NEW_LEADER, "联系电话": "13900000000"})
    _run(engine, "assessor", retire_leader, code="NY-H3")
    with read_session(engine) as s:
        leader = s.exec(select(Leader).where(Leader.code == "NY-H3")).one()
        assert (leader.name, leader.ethnicity, leader.phone, leader.appointed_on, leader.status) == (
            "丁国梁", "回族", "13900000000", date(2024, 3, 1), "离任")
    assert _revision(engine) == 3


def test_roster_table_lists_the_scope_with_the_retired(world):
    """The assessor's 人员名册 table: 南峪村's three people, NY-H2 离任 too, the 网格长's 联防组 empty ("")."""
    engine = world.engine
    _run(engine, "assessor", retire_leader, code="NY-H2")
    table = _run(engine, "assessor", roster_table)
    assert list(table.columns) == [*ROSTER_COLUMNS, "village_id"]
    shown = table[["编号", "姓名", "职务", "乡镇", "村", "网格", "联防组", "状态"]].values.tolist()
    assert shown == [
        ["NY-G1", "杨卓玛", "网格长", "南峪乡", "南峪村", "第一网格", "", "在任"],
        ["NY-H1", "马小军", "联户长", "南峪乡", "南峪村", "第一网格", "一组", "在任"],
        ["NY-H2", "才让草", "联户长", "南峪乡", "南峪村", "第一网格", "二组", "离任"],
    ]
    assert set(table["village_id"]) == {world.village_ids["南峪乡/南峪村"]}


def test_roster_refusals(world):
    """A 联户长 without group, a taken 编号, another village, a viewer: refused; roster unchanged."""
    engine = world.engine
    ny, jp = world.village_ids["南峪乡/南峪村"], world.village_ids["南峪乡/江盘村"]
    with pytest.raises(EntryError) as err:
        _run(engine, "assessor", save_leader, village_id=ny, fields={**NEW_LEADER, "联防组": "", "编号": "NY-H1"})
    assert sorted(e.column for e in err.value.errors) == ["编号", "联防组"]
    with pytest.raises(PermissionDenied):
        _run(engine, "assessor", save_leader, village_id=jp, fields=NEW_LEADER)
    with pytest.raises(PermissionDenied):
        _run(engine, "assessor", retire_leader, code="JP-H1")
    with pytest.raises(PermissionDenied):
        _run(engine, "viewer", save_leader, village_id=ny, fields=NEW_LEADER)
    assert _count(engine, Leader) == 6
    assert _revision(engine) == 0


# --- a value is saved as typed or refused, never changed ------------------------------------


@pytest.mark.parametrize(
    ("column", "typed", "reason"),
    [
        ("社情民意信息员", "105", "分值 105 超过满分 20"),
        ("法制政策宣传员", "13.5", "分值 13.5 超过满分 10"),
        ("便民事项办理员", "-3", "分值 -3 不能为负数"),
        ("便民事项办理员", "abc", "应为分值，实际为「abc」"),
        ("环境卫生监督员", "7.125", "分值 7.125 最多两位小数"),
    ],
)
def test_committee_refusal_names_leader_and_column(world, column, typed, reason):
    """A bad cell typed as text is refused with 姓名, 编号 and the full duty name; nothing is stored."""
    engine = world.engine
    with pytest.raises(EntryError) as err:
        _run(engine, "assessor", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
             rows=[_committee_row("NY-H1", **FULL), _committee_row("NY-H2", **{**FULL, column: typed})])
    [cell] = err.value.errors
    assert (cell.row, cell.column, cell.reason, cell.who) == (2, column, reason, "才让草（编号 NY-H2）")
    assert str(cell) == f"工作表「两委打分」第 2 行（才让草（编号 NY-H2））「{column}」列：{reason}"
    assert _count(engine, CommitteeScore) == 0
    assert _revision(engine) == 0


def test_committee_two_bad_cells_give_two_messages(world):
    """105 under 信息员 and 13.5 under 宣传员 on one row are two messages, one per cell."""
    bad = {**FULL, "社情民意信息员": "105", "法制政策宣传员": 13.5}
    with pytest.raises(EntryError) as err:
        _run(world.engine, "assessor", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
             rows=[_committee_row("NY-H1", **bad)])
    assert [(e.column, e.reason) for e in err.value.errors] == [
        ("社情民意信息员", "分值 105 超过满分 20"), ("法制政策宣传员", "分值 13.5 超过满分 10")]
    assert _count(world.engine, CommitteeScore) == 0


def test_committee_text_scores_saved_as_typed(world):
    """Scores arriving as grid text ("17.25", "10") are stored as those numbers."""
    engine = world.engine
    typed = dict(zip(NAMES, ["17.25", "10", "8", "0", "9.5", "15", "10"], strict=True))
    _run(engine, "assessor", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
         rows=[_committee_row("NY-H1", **typed)])
    with read_session(engine) as s:
        row = s.exec(select(CommitteeScore)).one()
    assert (row.info, row.service, row.mediation, row.sanitation) == (17.25, 10, 0, 9.5)


def test_self_report_bad_value_names_field_nothing_stored(world):
    """105 in one self-score (max 100) is refused naming 姓名, 编号 and the duty; nothing is stored."""
    engine = world.engine
    scores = {**dict.fromkeys(NAMES, "90"), "治安联防巡逻员": "105"}
    with pytest.raises(EntryError) as err:
        _run(engine, "assessor", save_self_report, year=YEAR, code="NY-H1", scores=scores, narrative="好")
    [cell] = err.value.errors
    assert (cell.column, cell.reason, cell.who) == ("治安联防巡逻员", "分值 105 超过满分 100", "马小军（编号 NY-H1）")
    assert _count(engine, SelfReport) == 0
