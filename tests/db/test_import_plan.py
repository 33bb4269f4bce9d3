"""What an import replaces (workbook.md, version 2), its preview, --dry-run, and the roster freeze."""

from __future__ import annotations

import gc
import hashlib
import sqlite3
from contextlib import closing
from datetime import date

import pytest
from sqlalchemy import select, update
from test_workbook_import import (
    DUTY_NAMES,
    _committee_row,
    _roster_row,
    base_rows,
    dump,
    run_cli,
    url_of,
    write_book,
)

from dashboard.data.db import read_session, transaction
from dashboard.data.workbook import (
    ADJUSTMENTS,
    BALLOTS,
    COMMITTEE,
    PLATFORM,
    PRIOR_GRADES,
    ROSTER,
    SELF_REPORT,
    RemovedRow,
    WorkbookRejected,
    import_workbook,
    preview_workbook,
)
from dashboard.domain import YEAR_FINAL, YEAR_PUBLICITY
from dashboard.services import roster
from dashboard.services.auth import hash_password
from dashboard.services.entry import EntryError
from models import (
    Adjustment,
    AssessmentYear,
    BallotMark,
    CommitteeScore,
    Leader,
    PlatformCount,
    PriorGrade,
    SelfReport,
    User,
    Village,
)

pytestmark = pytest.mark.db

ROSTER_ROWS = base_rows()[ROSTER]
Q1_A, Q1_B = (18, 12, 8, 16, 9, 13, 8), (10, 10, 5, 10, 5, 10, 5)
Q2_A, Q2_B = (17, 11, 7, 15, 8, 12, 7), (9, 9, 4, 9, 4, 9, 4)


def _committee(engine) -> list[tuple]:
    with read_session(engine) as s:
        rows = s.execute(
            select(CommitteeScore.quarter, CommitteeScore.rater, Leader.code, CommitteeScore.info,
                   CommitteeScore.service, CommitteeScore.version)
            .join(Leader, Leader.id == CommitteeScore.leader_id)
            .order_by(CommitteeScore.quarter, CommitteeScore.rater, Leader.code)
        ).all()
    return [tuple(r) for r in rows]


def _revision(engine, year: int = 2024) -> int:
    with read_session(engine) as s:
        return s.get(AssessmentYear, year).revision


def _without_audit(engine) -> dict:
    return {name: rows for name, rows in dump(engine).items() if name != "audit_event"}


@pytest.fixture
def two_members(db_engine, tmp_path):
    """L1 scored by 王建国 and 李梅 in Q1 and Q2 (four sheets of one row each)."""
    rows = {
        ROSTER: ROSTER_ROWS,
        COMMITTEE: [
            _committee_row(1, "王建国", "L1", "马忠义", Q1_A),
            _committee_row(1, "李梅", "L1", "马忠义", Q1_B),
            _committee_row(2, "王建国", "L1", "马忠义", Q2_A),
            _committee_row(2, "李梅", "L1", "马忠义", Q2_B),
        ],
    }
    import_workbook(engine=db_engine, source=write_book(tmp_path / "two.xlsx", rows), year=2024)
    return db_engine


def test_one_members_quarter_sheet_replaces_only_that_sheet(two_members, tmp_path):
    """Importing 王建国's Q1 row for L1 (info 20) changes that row; the other three stay exactly."""
    new = _committee_row(1, "王建国", "L1", "马忠义", (20, 12, 8, 16, 9, 13, 8))
    path = write_book(tmp_path / "one.xlsx", {ROSTER: ROSTER_ROWS, COMMITTEE: [new]})
    _parsed, plan = preview_workbook(engine=two_members, source=path, year=2024)
    sheet = plan.sheets[COMMITTEE]
    assert (sheet.added, sheet.changed, sheet.unchanged, sheet.removed) == (0, 1, 0, [])
    assert (plan.sheets[ROSTER].added, plan.sheets[ROSTER].changed, plan.sheets[ROSTER].unchanged) == (0, 0, 3)
    import_workbook(engine=two_members, source=path, year=2024)
    # (quarter, rater, code, info, service, version): only Q1 王建国 changed, its version 1 → 2.
    assert _committee(two_members) == [
        (1, "李梅", "L1", 10, 10, 1), (1, "王建国", "L1", 20, 12, 2),
        (2, "李梅", "L1", 9, 9, 1), (2, "王建国", "L1", 17, 11, 1),
    ]


def test_reimporting_the_same_values_writes_no_data(two_members, tmp_path):
    """Re-importing 王建国's unchanged Q1 row: all rows unchanged, no data row and no revision moves."""
    path = write_book(tmp_path / "same.xlsx", {ROSTER: ROSTER_ROWS,
                                               COMMITTEE: [_committee_row(1, "王建国", "L1", "马忠义", Q1_A)]})
    before, revision = _without_audit(two_members), _revision(two_members)
    report = import_workbook(engine=two_members, source=path, year=2024)
    assert not report.plan.changes
    assert report.lines()[:2] == ["人员名册：新增 0 行，修改 0 行，不变 3 行", "两委打分：新增 0 行，修改 0 行，不变 1 行"]
    assert _without_audit(two_members) == before
    assert _revision(two_members) == revision


def test_rater_names_are_compared_without_spaces(two_members, tmp_path):
    """「王 建国」 with Q1's stored values is 王建国 (unchanged); 「张 强」 is a new member stored as 张强."""
    rows = [_committee_row(1, "王 建国", "L1", "马忠义", Q1_A), _committee_row(1, "张　强", "L1", "马忠义", Q1_B)]
    path = write_book(tmp_path / "spaces.xlsx", {ROSTER: ROSTER_ROWS, COMMITTEE: rows})
    report = import_workbook(engine=two_members, source=path, year=2024)
    sheet = report.plan.sheets[COMMITTEE]
    assert (sheet.added, sheet.changed, sheet.unchanged) == (1, 0, 1)
    assert [r[:3] for r in _committee(two_members)] == [
        (1, "张强", "L1"), (1, "李梅", "L1"), (1, "王建国", "L1"), (2, "李梅", "L1"), (2, "王建国", "L1"),
    ]


@pytest.fixture
def based(db_engine, tmp_path):
    """The base workbook of test_workbook_import imported for 2024."""
    import_workbook(engine=db_engine, source=write_book(tmp_path / "base.xlsx", base_rows()), year=2024)
    return db_engine


def test_each_sheet_replaces_its_unit_only(based, tmp_path):
    """L1's self-report, ballot B1, platform month 1 and W1's 2023 grade replace; everything else stays."""
    rows = {
        ROSTER: ROSTER_ROWS,
        SELF_REPORT: [{"编号": "L1", "姓名": "马忠义", **dict.fromkeys(DUTY_NAMES, 70), "述职摘要": None}],
        BALLOTS: [{"票号": "B1", "评议人类别": "群众代表", "编号": "L1", "姓名": "马忠义", "评价": "不称职"},
                  {"票号": "B3", "评议人类别": "群众代表", "编号": "L2", "姓名": "扎西才让", "评价": "优秀"}],
        PLATFORM: [{"编号": "L1", "姓名": "马忠义", "月份": 1, "上报数": 5},
                   {"编号": "L1", "姓名": "马忠义", "月份": 2, "上报数": 1}],
        PRIOR_GRADES: [{"编号": "W1", "姓名": "杨卓玛", "年度": 2023, "等次": "优秀"},
                       {"编号": "W1", "姓名": "杨卓玛", "年度": 2022, "等次": "称职"}],
    }
    path = write_book(tmp_path / "units.xlsx", rows)
    _parsed, plan = preview_workbook(engine=based, source=path, year=2024)
    counts = {name: (p.added, p.changed, p.unchanged) for name, p in plan.sheets.items()}
    assert counts == {ROSTER: (0, 0, 3), SELF_REPORT: (0, 1, 0), BALLOTS: (1, 1, 0), PLATFORM: (1, 1, 0),
                      PRIOR_GRADES: (1, 1, 0)}
    import_workbook(engine=based, source=path, year=2024)
    with read_session(based) as s:
        selfs = s.execute(select(Leader.code, SelfReport.info, SelfReport.narrative)
                          .join(Leader, Leader.id == SelfReport.leader_id).order_by(Leader.code)).all()
        assert [tuple(r) for r in selfs] == [("L1", 70, None), ("L2", 90, "走访群众"), ("W1", 90, "走访群众")]
        marks = s.execute(select(BallotMark.ballot_no, Leader.code, BallotMark.mark)
                          .join(Leader, Leader.id == BallotMark.leader_id)
                          .order_by(BallotMark.ballot_no, Leader.code)).all()
        assert [tuple(r) for r in marks] == [("B1", "L1", "不称职"), ("B1", "W1", "优秀"), ("B2", "L1", "优秀"),
                                             ("B2", "L2", "弃权"), ("B3", "L2", "优秀")]
        counts = s.execute(select(Leader.code, PlatformCount.month, PlatformCount.reports)
                           .join(Leader, Leader.id == PlatformCount.leader_id)
                           .order_by(Leader.code, PlatformCount.month)).all()
        assert [tuple(r) for r in counts] == [("L1", 1, 5), ("L1", 2, 1), ("W1", 1, 4)]
        grades = s.execute(select(PriorGrade.year, PriorGrade.grade).order_by(PriorGrade.year)).all()
        assert [tuple(r) for r in grades] == [(2022, "称职"), (2023, "优秀")]
        assert (len(s.execute(select(CommitteeScore)).all()), len(s.execute(select(Adjustment)).all())) == (3, 2)


def test_adjustment_sheet_lists_the_rows_it_removes(based, tmp_path):
    """L1's list 「减分 1 迟到」 replaces his 「加分 2 调解纠纷」 (shown as removed); L2's veto stays."""
    rows = {ROSTER: ROSTER_ROWS,
            ADJUSTMENTS: [{"编号": "L1", "姓名": "马忠义", "类型": "减分", "分值": 1, "事由": "迟到"}]}
    path = write_book(tmp_path / "adj.xlsx", rows)
    _parsed, plan = preview_workbook(engine=based, source=path, year=2024)
    sheet = plan.sheets[ADJUSTMENTS]
    assert (sheet.added, sheet.changed, sheet.unchanged) == (1, 0, 0)
    assert sheet.removed == [RemovedRow(ADJUSTMENTS, "L1", "马忠义", "加分 2 分（调解纠纷）")]
    assert "将删除：加减分 编号 L1 马忠义：加分 2 分（调解纠纷）" in plan.lines()
    import_workbook(engine=based, source=path, year=2024)
    with read_session(based) as s:
        left = s.execute(select(Leader.code, Adjustment.kind, Adjustment.points, Adjustment.reason)
                         .join(Leader, Leader.id == Adjustment.leader_id).order_by(Leader.code)).all()
    assert [tuple(r) for r in left] == [("L1", "减分", 1, "迟到"), ("L2", "一票否决", None, "瞒报事故")]


def test_dry_run_prints_the_plan_and_leaves_the_file_byte_identical(sqlite_engine, tmp_path, capsys):
    """--dry-run prints per sheet and the removed row, exits 0 (2 on errors); the SQLite file is unchanged."""
    db_path = sqlite_engine.url.database
    code, out = run_cli(capsys, "import", str(write_book(tmp_path / "b.xlsx", base_rows())), "--year", "2024",
                        "--db", url_of(sqlite_engine))
    assert code == 0 and "群众评议：新增 4 行，修改 0 行，不变 0 行" in out
    digest = _settled_digest(db_path)
    rows = {ROSTER: ROSTER_ROWS,
            ADJUSTMENTS: [{"编号": "L1", "姓名": "马忠义", "类型": "减分", "分值": 1, "事由": "迟到"}]}
    code, out = run_cli(capsys, "import", str(write_book(tmp_path / "adj.xlsx", rows)), "--year", "2024",
                        "--dry-run", "--db", url_of(sqlite_engine))
    assert code == 0, out
    assert "未写入任何数据" in out and "加减分：新增 1 行，修改 0 行，不变 0 行，删除 1 行" in out
    assert "将删除：加减分 编号 L1 马忠义：加分 2 分（调解纠纷）" in out
    bad = {ROSTER: ROSTER_ROWS, ADJUSTMENTS: [{"编号": "L9", "类型": "减分", "分值": 1, "事由": "迟到"}]}
    code, out = run_cli(capsys, "import", str(write_book(tmp_path / "bad.xlsx", bad)), "--year", "2024",
                        "--dry-run", "--db", url_of(sqlite_engine))
    assert code == 2 and "L9" in out
    assert _settled_digest(db_path) == digest


def _settled_digest(db_path: str) -> str:
    """SHA-256 of the SQLite file after every connection closed and the WAL was checkpointed into it
    (so a write by anyone shows in the file's bytes)."""
    gc.collect()  # the command line's engines
    with closing(sqlite3.connect(db_path)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(db_path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


# --- the roster freeze: page and import agree ---------------------------------------------------------


def _set_status(engine, year: int, status: str) -> None:
    with transaction(engine) as s:
        s.execute(update(AssessmentYear).where(AssessmentYear.year == year).values(status=status))


def _admin(engine) -> int:
    with transaction(engine) as s:
        user = User(username="admin", password_hash=hash_password("password123"), role="admin")
        s.add(user)
        s.flush()
        return user.id


def _l2_fields(**change) -> dict:
    fields = {"编号": "L2", "姓名": "扎西才让", "性别": "男", "民族": "藏族", "职务": "联户长", "网格": "第一网格",
              "联防组": "第二联防组", "联系电话": "13800000000", "任职日期": date(2020, 3, 1), "状态": "在任"}
    return {**fields, **change}


def test_roster_page_refused_while_a_year_is_in_publicity(based):
    """With 2024 公示中, editing L2 or marking him 离任 is refused; after 定稿 the edit is saved."""
    admin_id = _admin(based)
    _set_status(based, 2024, YEAR_PUBLICITY)
    before = _without_audit(based)
    with read_session(based) as s:
        village_id = s.execute(select(Village.id).where(Village.name == "南峪村")).scalar_one()
    for call in (
        lambda s, u: roster.save_leader(session=s, user=u, village_id=village_id, fields=_l2_fields(姓名="扎西"),
                                       code="L2"),
        lambda s, u: roster.retire_leader(session=s, user=u, code="L2"),
        lambda s, u: roster.save_leader(session=s, user=u, village_id=village_id,
                                       fields=_l2_fields(编号="L3", 姓名="新人")),
    ):
        with pytest.raises(EntryError, match="2024 年度正在公示，人员名册已冻结"), transaction(based) as s:
            call(s, s.get(User, admin_id))
    assert _without_audit(based) == before
    _set_status(based, 2024, YEAR_FINAL)
    with transaction(based) as s:
        roster.save_leader(session=s, user=s.get(User, admin_id), village_id=village_id,
                          fields=_l2_fields(姓名="扎西"), code="L2")
    with read_session(based) as s:
        assert s.execute(select(Leader.name).where(Leader.code == "L2")).scalar_one() == "扎西"


def test_roster_import_refused_while_a_year_is_in_publicity(based, tmp_path):
    """With 2024 公示中, a 2025 import renaming L2 is refused at 人员名册 row 4; the unchanged roster imports."""
    _set_status(based, 2024, YEAR_PUBLICITY)
    renamed = [dict(r) for r in ROSTER_ROWS]
    renamed[2]["姓名"] = "扎西"
    before = _without_audit(based)
    with pytest.raises(WorkbookRejected) as caught:
        import_workbook(engine=based, source=write_book(tmp_path / "renamed.xlsx", {ROSTER: renamed}), year=2025)
    assert [(e.sheet, e.row, e.column) for e in caught.value.errors] == [(ROSTER, 4, "编号")]
    assert "2024 年度正在公示，人员名册已冻结" in caught.value.errors[0].reason
    assert _without_audit(based) == before
    same = {ROSTER: ROSTER_ROWS, SELF_REPORT: [{"编号": "L1", "姓名": "马忠义", **dict.fromkeys(DUTY_NAMES, 80)}]}
    report = import_workbook(engine=based, source=write_book(tmp_path / "same.xlsx", same), year=2025)
    assert (report.plan.sheets[ROSTER].unchanged, report.plan.sheets[SELF_REPORT].added) == (3, 1)


def test_new_leader_in_the_roster_counts_as_added(based, tmp_path):
    """A fourth roster row L3 is 新增 1; L3's self-report is 新增 too."""
    rows = {ROSTER: [*ROSTER_ROWS, _roster_row("L3", "才让", "联户长", group="第三联防组")],
            SELF_REPORT: [{"编号": "L3", "姓名": "才让", **dict.fromkeys(DUTY_NAMES, 60)}]}
    report = import_workbook(engine=based, source=write_book(tmp_path / "new.xlsx", rows), year=2024)
    assert report.lines()[:2] == ["人员名册：新增 1 行，修改 0 行，不变 3 行", "个人述职：新增 1 行，修改 0 行，不变 0 行"]
