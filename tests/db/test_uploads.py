"""The app's workbook round trip: scoped template, every error before writing, scoped import."""

from __future__ import annotations

import io

import openpyxl
import pytest
from factories import YEAR, build_world
from sqlalchemy import func
from sqlmodel import select

from dashboard.data.db import read_session
from dashboard.data.workbook import WorkbookRejected, build_workbook, template_rows
from dashboard.domain import DUTIES
from dashboard.services.auth import PermissionDenied
from dashboard.services.uploads import check_upload, import_upload, template_for_user
from models import CommitteeScore, User

FULL = dict(zip(DUTIES.values(), [20, 15, 10, 20, 10, 15, 10], strict=True))


def _user(engine, username) -> User:
    with read_session(engine) as s:
        return s.exec(select(User).where(User.username == username)).one()


def _workbook(engine, committee_rows) -> bytes:
    """The roster of the whole test world plus the given 两委打分 rows, as .xlsx bytes."""
    with read_session(engine) as s:
        rows = template_rows(s, year=YEAR)
    rows["两委打分"] = committee_rows
    buffer = io.BytesIO()
    build_workbook(rows).save(buffer)
    return buffer.getvalue()


def _committee_count(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(CommitteeScore)).one()


def test_template_holds_only_the_users_villages(db_engine):
    """The assessor's template lists the 3 leaders of 南峪村; the admin's all 6."""
    build_world(db_engine)
    for username, codes in [("assessor", ["NY-G1", "NY-H1", "NY-H2"]),
                            ("admin", ["DC-G1", "JP-G1", "JP-H1", "NY-G1", "NY-H1", "NY-H2"])]:
        with read_session(db_engine) as s:
            data = template_for_user(session=s, user=_user(db_engine, username), year=YEAR)
        book = openpyxl.load_workbook(io.BytesIO(data))
        header = [c.value for c in book["人员名册"][1]]
        got = sorted(r[header.index("编号")] for r in book["人员名册"].iter_rows(min_row=2, values_only=True))
        assert got == codes


def test_viewer_may_not_import_or_download(db_engine):
    """A viewer gets PermissionDenied for the template and for checking an upload."""
    build_world(db_engine)
    viewer = _user(db_engine, "viewer")
    with read_session(db_engine) as s, pytest.raises(PermissionDenied):
        template_for_user(session=s, user=viewer, year=YEAR)
    with pytest.raises(PermissionDenied):
        check_upload(engine=db_engine, user=viewer, data=_workbook(db_engine, []), year=YEAR)


def test_assessor_upload_outside_scope_lists_rows_and_writes_nothing(db_engine):
    """Rows for 江盘村 (roster and 两委打分) are errors for the 南峪村 assessor; nothing is written."""
    build_world(db_engine)
    data = _workbook(db_engine, [
        {"季度": 1, "评分人": "张书记", "编号": "NY-H1", "姓名": "马小军", **FULL},
        {"季度": 1, "评分人": "张书记", "编号": "JP-H1", "姓名": "王芳", **FULL},
    ])
    check = check_upload(engine=db_engine, user=_user(db_engine, "assessor"), data=data, year=YEAR)
    scope_errors = [e for e in check.errors if "不在您负责的村内" in e.reason]
    # the roster sheet lists JP-G1, JP-H1 (江盘村) and DC-G1 (大川镇/南峪村), each stored outside
    # the scope: 3 rows, plus the 两委打分 row 3 for JP-H1
    assert sorted((e.sheet, e.column) for e in scope_errors) == [
        ("两委打分", "编号"), ("人员名册", "编号"), ("人员名册", "编号"), ("人员名册", "编号"),
    ]
    assert [e.row for e in scope_errors if e.sheet == "两委打分"] == [3]
    with pytest.raises(WorkbookRejected):
        import_upload(engine=db_engine, user=_user(db_engine, "assessor"), data=data, year=YEAR)
    assert _committee_count(db_engine) == 0


def test_admin_upload_checked_then_imported(db_engine):
    """An over-maximum score is listed before writing; the corrected workbook imports 2 rows."""
    build_world(db_engine)
    admin = _user(db_engine, "admin")
    bad = _workbook(db_engine, [{"季度": 1, "评分人": "张书记", "编号": "NY-H1", "姓名": "马小军",
                                 **{**FULL, "社情民意信息员": 21}}])
    check = check_upload(engine=db_engine, user=admin, data=bad, year=YEAR)
    assert [(e.sheet, e.row, e.column) for e in check.errors] == [("两委打分", 2, "社情民意信息员")]
    assert _committee_count(db_engine) == 0
    good = _workbook(db_engine, [
        {"季度": 1, "评分人": "张书记", "编号": "NY-H1", "姓名": "马小军", **FULL},
        {"季度": 1, "评分人": "张书记", "编号": "JP-H1", "姓名": "王芳", **FULL},
    ])
    steps: list[str] = []
    report = import_upload(engine=db_engine, user=admin, data=good, year=YEAR, progress=steps.append)
    assert report.counts["两委打分"] == 2
    assert steps == ["正在检查工作簿…", "正在写入数据库（一次事务）…"]
    assert _committee_count(db_engine) == 2


def test_template_prefills_committee_sheet_and_import_reads_it_back(db_engine):
    """The assessor's template for 第 2 季度 and 「张 书记」 has one 两委打分 row per leader of 南峪村
    (评分人 without spaces); scores typed on one row import that row, the two untouched rows are skipped."""
    build_world(db_engine)
    assessor = _user(db_engine, "assessor")
    with read_session(db_engine) as s:
        data = template_for_user(session=s, user=assessor, year=YEAR, quarter=2, rater="张 书记")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["两委打分"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[header.index("季度")], r[header.index("评分人")], r[header.index("编号")]) for r in rows] == [
        (2, "张书记", "NY-G1"), (2, "张书记", "NY-H1"), (2, "张书记", "NY-H2")]
    target = next(i for i, r in enumerate(rows, start=2) if r[header.index("编号")] == "NY-H1")
    for name, value in FULL.items():
        sheet.cell(row=target, column=header.index(name) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    check = check_upload(engine=db_engine, user=assessor, data=buffer.getvalue(), year=YEAR)
    assert check.errors == []
    import_upload(engine=db_engine, user=assessor, data=buffer.getvalue(), year=YEAR)
    with read_session(db_engine) as s:
        stored = s.exec(select(CommitteeScore)).all()
    assert [(r.quarter, r.rater, r.info, r.unity) for r in stored] == [(2, "张书记", 20, 10)]
