"""The optional workbook sheet 两委成员: parse errors, replace by village, preview, scope, template round trip."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from factories import YEAR, build_world
from sqlalchemy import update
from sqlmodel import select
from test_workbook_import import run_cli, url_of

from dashboard.data.db import read_session, transaction
from dashboard.data.workbook import (
    COMMITTEE,
    MEMBERS,
    WorkbookRejected,
    build_workbook,
    import_workbook,
    preview_workbook,
    template_rows,
)
from dashboard.domain import DUTIES, YEAR_PUBLICITY
from dashboard.services.uploads import check_upload, import_upload, template_for_user
from models import (
    AssessmentYear,
    AuditEvent,
    CommitteeMember,
    CommitteeScore,
    Township,
    User,
    Village,
)

pytestmark = pytest.mark.db

FULL = dict(zip(DUTIES.values(), [20, 15, 10, 20, 10, 15, 10], strict=True))
NANYU = ("南峪乡", "南峪村")
JIANGPAN = ("南峪乡", "江盘村")


def _member(place, name, post="委员"):
    return {"乡镇": place[0], "村": place[1], "姓名": name, "职务": post}


def _book(engine, members, committee=()) -> bytes:
    """The world's roster, the given 两委成员 rows and 两委打分 rows, as .xlsx bytes (read back by openpyxl)."""
    with read_session(engine) as s:
        rows = template_rows(s)
    rows[MEMBERS] = list(members)
    rows[COMMITTEE] = list(committee)
    buffer = io.BytesIO()
    build_workbook(rows).save(buffer)
    return buffer.getvalue()


def _members(engine) -> list[tuple[str, str, str, str]]:
    with read_session(engine) as s:
        rows = s.exec(
            select(Township.name, Village.name, CommitteeMember.name, CommitteeMember.post)
            .join(Village, Village.id == CommitteeMember.village_id)
            .join(Township, Township.id == Village.township_id)
            .where(CommitteeMember.year == YEAR)
        ).all()
    return sorted(tuple(r) for r in rows)


def _user(engine, username) -> User:
    with read_session(engine) as s:
        return s.exec(select(User).where(User.username == username)).one()


def _import(engine, data: bytes):
    return import_workbook(engine=engine, source=io.BytesIO(data), year=YEAR)


def test_member_sheet_errors_name_row_and_column(db_engine):
    """Empty name, unknown village, a name repeated with spaces, a zero-width character and an empty post
    are five errors at their row and column; nothing is stored."""
    build_world(db_engine)
    data = _book(db_engine, [
        _member(NANYU, "张书记", "书记"),            # row 2: fine
        _member(NANYU, None),                        # row 3: empty name
        _member(("南峪乡", "北山村"), "李四"),       # row 4: no such village
        _member(NANYU, "张 书记", "主任"),           # row 5: 张书记 again once spaces are removed
        _member(NANYU, "王\u200b五"),                # row 6: zero-width space
        _member(JIANGPAN, "赵六", None),             # row 7: empty post
    ])
    with pytest.raises(WorkbookRejected) as info:
        _import(db_engine, data)
    got = [(e.sheet, e.row, e.column) for e in info.value.errors]
    assert got == [(MEMBERS, 3, "姓名"), (MEMBERS, 4, "村"), (MEMBERS, 5, "姓名"), (MEMBERS, 6, "姓名"),
                   (MEMBERS, 7, "职务")]
    reasons = [e.reason for e in info.value.errors]
    assert reasons[0] == "姓名不能为空"
    assert "南峪乡/北山村 不在人员名册中" in reasons[1]
    assert "「张书记」与第 2 行重复" in reasons[2]
    assert "职务不能为空" in reasons[4]
    assert _members(db_engine) == []


def test_member_sheet_replaces_listed_villages_and_keeps_scores_of_a_removed_member(db_engine, tmp_path, capsys):
    """A second import listing only 南峪乡/南峪村 keeps 张书记, changes 李主任's post, adds 新委员 and removes
    王委员 (whose one quarter of scores stays); 江盘村's list is untouched; the preview and --dry-run say so."""
    build_world(db_engine)
    _import(db_engine, _book(db_engine, [
        _member(NANYU, "张书记", "书记"), _member(NANYU, "李主任", "主任"), _member(NANYU, "王委员"),
        _member(JIANGPAN, "赵书记", "书记"),
    ], committee=[{"季度": 1, "评分人": "王委员", "编号": "NY-H1", "姓名": "马小军", **FULL}]))
    second = _book(db_engine, [
        _member(NANYU, "张书记", "书记"), _member(NANYU, "李主任", "委员"), _member(NANYU, "新 委员"),
    ])
    path = tmp_path / "second.xlsx"
    path.write_bytes(second)
    code, out = run_cli(capsys, "import", str(path), "--year", str(YEAR), "--dry-run", "--db", url_of(db_engine))
    assert code == 0, out
    assert "两委成员：新增 1 行，修改 1 行，不变 1 行，删除 1 行" in out
    assert "将删除：两委成员 王委员：南峪乡/南峪村 委员（其已保存 1 个季度的打分保留，仍按原样计入）" in out
    assert len(_members(db_engine)) == 4  # the dry run wrote nothing
    _parsed, plan = preview_workbook(engine=db_engine, source=io.BytesIO(second), year=YEAR)
    assert [(r.sheet, r.code, r.name) for r in plan.removed] == [(MEMBERS, "", "王委员")]
    report = _import(db_engine, second)
    assert report.counts.get(MEMBERS) is None  # the member list is not an input sheet's row count
    assert _members(db_engine) == [
        ("南峪乡", "南峪村", "张书记", "书记"), ("南峪乡", "南峪村", "新委员", "委员"),
        ("南峪乡", "南峪村", "李主任", "委员"), ("南峪乡", "江盘村", "赵书记", "书记"),
    ]
    with read_session(db_engine) as s:
        assert [r.rater for r in s.exec(select(CommitteeScore)).all()] == ["王委员"]
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "import").order_by(AuditEvent.id.desc())).first()
    assert json.loads(event.new_value)[MEMBERS] == {"新增": 1, "修改": 1, "不变": 1, "删除": 1}


def test_rater_missing_from_the_member_list_is_a_warning(db_engine):
    """With 张书记 the only member of 南峪乡/南峪村, two 两委打分 rows by 张 书计 (a typo) import with one warning;
    江盘村 has no list, so its rater is not questioned."""
    build_world(db_engine)
    data = _book(db_engine, [_member(NANYU, "张书记", "书记")], committee=[
        {"季度": 1, "评分人": "张 书计", "编号": "NY-H1", "姓名": "马小军", **FULL},
        {"季度": 1, "评分人": "张书计", "编号": "NY-H2", "姓名": "才让草", **FULL},
        {"季度": 1, "评分人": "张书记", "编号": "NY-G1", "姓名": "杨卓玛", **FULL},
        {"季度": 1, "评分人": "某人", "编号": "JP-H1", "姓名": "王芳", **FULL},
    ])
    report = _import(db_engine, data)
    warnings = [w for w in report.plan.warnings if w.startswith("两委打分：评分人")]
    assert len(warnings) == 1
    assert "「张书计」不在 南峪乡/南峪村 2024 年度的两委成员名单中（2 行，照常导入）" in warnings[0]
    assert report.counts[COMMITTEE] == 4


def test_assessor_member_rows_outside_scope_are_refused_naming_the_row(db_engine):
    """The 南峪乡/南峪村 assessor listing a member of 江盘村 gets an error at that row's 村; nothing is stored."""
    build_world(db_engine)
    assessor = _user(db_engine, "assessor")
    with read_session(db_engine) as s:
        data = template_for_user(session=s, user=assessor, year=YEAR)
    book = openpyxl.load_workbook(io.BytesIO(data))
    for row in (_member(NANYU, "张书记", "书记"), _member(JIANGPAN, "赵书记", "书记")):
        book[MEMBERS].append([row.get(c) for c in ("乡镇", "村", "姓名", "职务")])
    buffer = io.BytesIO()
    book.save(buffer)
    check = check_upload(engine=db_engine, user=assessor, data=buffer.getvalue(), year=YEAR)
    assert [(e.sheet, e.row, e.column, e.reason) for e in check.errors] == [
        (MEMBERS, 3, "村", "两委成员「赵书记」：南峪乡/江盘村 不在您负责的村内")]
    with pytest.raises(WorkbookRejected):
        import_upload(engine=db_engine, user=assessor, data=buffer.getvalue(), year=YEAR)
    assert _members(db_engine) == []


def test_template_prefills_the_scopes_members_and_reads_back_unchanged(db_engine):
    """The assessor's template lists 南峪乡/南峪村's two members (书记 first), not 大川镇's 南峪村 nor 江盘村;
    imported back as it is, 两委成员 is 不变 2 and nothing changes."""
    build_world(db_engine)
    _import(db_engine, _book(db_engine, [
        _member(NANYU, "王委员"), _member(NANYU, "张书记", "书记"), _member(JIANGPAN, "赵书记", "书记"),
        _member(("大川镇", "南峪村"), "钱书记", "书记"),
    ]))
    assessor = _user(db_engine, "assessor")
    with read_session(db_engine) as s:
        data = template_for_user(session=s, user=assessor, year=YEAR)
    sheet = openpyxl.load_workbook(io.BytesIO(data))[MEMBERS]
    assert [c.value for c in sheet[1]] == ["乡镇", "村", "姓名", "职务", "县"]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        ("南峪乡", "南峪村", "张书记", "书记", "舟曲县"), ("南峪乡", "南峪村", "王委员", "委员", "舟曲县")]
    check = check_upload(engine=db_engine, user=assessor, data=data, year=YEAR)
    assert check.errors == []
    assert check.plan.sheets[MEMBERS].line() == "两委成员：新增 0 行，修改 0 行，不变 2 行"
    assert not check.plan.changes


def test_member_sheet_refused_when_the_year_is_not_open(db_engine):
    """In 公示 the year takes no import, 两委成员 included: the whole workbook is refused."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        s.execute(update(AssessmentYear).where(AssessmentYear.year == YEAR).values(status=YEAR_PUBLICITY))
    with pytest.raises(WorkbookRejected) as info:
        _import(db_engine, _book(db_engine, [_member(NANYU, "张书记", "书记")]))
    assert "不能导入" in info.value.errors[0].reason
    assert _members(db_engine) == []
