"""Entry pages under AppTest: each renders for an admin; the self-report form saves; viewers stop."""

from __future__ import annotations

import pytest
from factories import PASSWORD, YEAR, build_world
from sqlalchemy import update
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import read_session, transaction
from dashboard.domain import DUTIES
from models import Adjustment, AssessmentYear, AuditEvent, Leader, SelfReport, User

APP = str(PROJECT_ROOT / "streamlit_app.py")
ENTRY_FILES = ["roster", "self_report", "committee", "ballots", "platform", "adjustments", "data_import", "completion"]


@pytest.fixture
def app_db(sqlite_engine, monkeypatch):
    build_world(sqlite_engine)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    return sqlite_engine


def _open(username: str, page: str) -> AppTest:
    """Sign in through the frame, then run one page (AppTest runs a switched-to page alone)."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    _submit(at)
    # the sidebar year widget lives in the frame; a page run alone reads the chosen year here
    at.session_state["year"] = YEAR
    return at.switch_page(f"pages/{page}.py").run()


def _submit(at: AppTest) -> AppTest:
    # The page runs without the frame here, so its year widget is not rendered and Streamlit
    # drops the "year" key after each run: set it again, as the frame's sidebar would.
    at.session_state["year"] = YEAR
    return at.button[0].click().run()


@pytest.mark.parametrize("page", ENTRY_FILES)
def test_entry_page_renders_for_admin(app_db, page):
    """Each entry page runs without an exception and shows its title for an admin."""
    at = _open("admin", page)
    assert not at.exception
    assert at.title, page


@pytest.mark.parametrize("page", ["self_report", "committee", "ballots", "platform", "adjustments"])
def test_entry_page_stops_for_viewer(app_db, page):
    """Even run directly with a signed-in viewer's session, an entry page refuses and shows no input."""
    with read_session(app_db) as s:
        viewer = s.exec(select(User).where(User.username == "viewer")).one()
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{page}.py"), default_timeout=30)
    at.session_state["auth_user_id"] = viewer.id
    at.session_state["auth_username"] = "viewer"
    at.session_state["auth_role"] = "viewer"
    at.session_state["year"] = YEAR
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] and at.error[0].value.startswith("您的角色（查看）不能")
    assert len(at.number_input) == 0 and len(at.button) == 0 and len(at.text_input) == 0


def test_self_report_form_saves(app_db):
    """Filling the seven scores and the narrative and pressing 保存 stores the report."""
    at = _open("assessor", "self_report")
    assert at.selectbox(key="self_report_leader").value == "NY-G1"
    for i, key in enumerate(DUTIES):
        at.text_input(key=f"self_report_{key}_NY-G1").input(str(80 + i))
    at.text_area(key="self_report_narrative_NY-G1").input("全年走访农户 120 户。")
    _submit(at)
    assert not at.exception
    assert "已保存 杨卓玛 的个人述职" in [s.value for s in at.success]
    with read_session(app_db) as s:
        report = s.exec(select(SelfReport)).one()
    # 80 + i for the seven duties in order: info 80 … unity 86
    assert (report.info, report.unity, report.narrative) == (80.0, 86.0, "全年走访农户 120 户。")


def test_self_report_form_refuses_missing_scores(app_db):
    """Saving with two scores left empty shows the error table and stores nothing."""
    at = _open("assessor", "self_report")
    for key in list(DUTIES)[:5]:
        at.text_input(key=f"self_report_{key}_NY-G1").input("90")
    _submit(at)
    assert at.error and at.error[0].value.startswith("未保存：个人述职：发现 2 处错误")
    with read_session(app_db) as s:
        assert s.exec(select(SelfReport)).all() == []


def test_self_report_bad_value_says_field_and_keeps_others(app_db):
    """105 in 巡逻员 is refused naming the person and the field; the other typed values stay."""
    at = _open("assessor", "self_report")
    for key in DUTIES:
        at.text_input(key=f"self_report_{key}_NY-G1").input("105" if key == "patrol" else "90.5")
    _submit(at)
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("未保存：个人述职：发现 1 处错误")
    assert "杨卓玛（编号 NY-G1）" in message and "「治安联防巡逻员」列：分值 105 超过满分 100" in message
    assert at.text_input(key="self_report_info_NY-G1").value == "90.5"
    assert at.text_input(key="self_report_patrol_NY-G1").value == "105"
    with read_session(app_db) as s:
        assert s.exec(select(SelfReport)).all() == []


def test_self_report_second_click_saves_once(app_db):
    """Submitting the same form twice writes one audit event, the second click only repeats the message."""
    at = _open("assessor", "self_report")
    for key in DUTIES:
        at.text_input(key=f"self_report_{key}_NY-G1").input("90")
    _submit(at)
    _submit(at)
    assert "已保存 杨卓玛 的个人述职" in [s.value for s in at.success]
    with read_session(app_db) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "self_report.save")).all()
    assert len(events) == 1


def test_adjustment_form_saves_veto(app_db):
    """A 一票否决 with a reason is stored without points."""
    at = _open("assessor", "adjustments")
    at.selectbox(key="adjustments_leader").set_value("NY-H1")
    at.radio(key="adjustments_kind").set_value("一票否决")
    at.text_area(key="adjustments_reason").input("发生重大安全事故")
    _submit(at)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    with read_session(app_db) as s:
        row = s.exec(select(Adjustment)).one()
    assert (row.kind, row.points, row.reason) == ("一票否决", None, "发生重大安全事故")


def test_roster_draws_a_form_only_when_its_box_is_open(app_db):
    """人员名册 opens with both boxes closed (no form); 添加人员 opened, its form; 修改 / 离任, the person box."""
    at = _open("assessor", "roster")
    assert not at.exception
    assert [t.key for t in at.text_input] == ["roster_search"] and not at.selectbox
    assert [e.label for e in at.expander] == ["添加人员", "修改 / 离任"]
    at.session_state["roster_add_open"] = True
    at.session_state["year"] = YEAR
    at.run()
    assert "roster_add_code" in [t.key for t in at.text_input]
    assert [s.key for s in at.selectbox] == ["roster_add_village", "roster_add_gender", "roster_add_role"]
    at.session_state["roster_add_open"] = False
    at.session_state["roster_edit_open"] = True
    at.session_state["year"] = YEAR
    at.run()
    assert not at.exception
    assert "roster_add_code" not in [t.key for t in at.text_input]
    # the assessor's first village, 南峪村: its 网格长 first, then the two 联户长
    options = at.selectbox(key="roster_edit_code").options
    assert [o.split(" ")[0] for o in options] == ["NY-G1", "NY-H1", "NY-H2"]
    assert options[0] == "NY-G1 杨卓玛（南峪村 · 网格长 · 在任）"


def test_roster_is_read_only_for_viewer(app_db):
    """A viewer sees the roster of 南峪乡 (5 leaders) but no add/edit form or 离任 button."""
    at = _open("viewer", "roster")
    assert not at.exception
    assert at.caption[0].value == "共 5 人（网格长 2，联户长 3）"  # 南峪村 3 + 江盘村 2
    assert [t.key for t in at.text_input] == ["roster_search"]
    assert len(at.button) == 0 and len(at.tabs) == 0


def test_roster_retire_by_assessor(app_db):
    """The assessor marks NY-H2 离任 from the edit tab; the roster stores it."""
    at = _open("assessor", "roster")
    at.session_state["roster_edit_open"] = True
    at.session_state["year"] = YEAR
    at.run()
    at.selectbox(key="roster_edit_code").set_value("NY-H2")
    at.session_state["year"] = YEAR
    at.run()
    at.session_state["year"] = YEAR
    at.button(key="roster_retire_NY-H2").click().run()
    assert not at.exception
    with read_session(app_db) as s:
        assert s.exec(select(Leader.status).where(Leader.code == "NY-H2")).one() == "离任"


def test_roster_page_shows_the_freeze_while_a_year_is_in_publicity(app_db):
    """With the year 公示中, the assessor sees the roster, the freeze message, and no add/edit form."""
    with transaction(app_db) as s:
        s.execute(update(AssessmentYear).where(AssessmentYear.year == YEAR).values(status="公示中"))
    at = _open("assessor", "roster")
    assert not at.exception
    assert [w.value for w in at.warning] == [
        f"{YEAR} 年度正在公示，人员名册已冻结，不能添加、修改或标记离任；公示结束定稿后再改，或请管理员重新开放录入"
    ]
    assert len(at.tabs) == 0 and len(at.button) == 0
