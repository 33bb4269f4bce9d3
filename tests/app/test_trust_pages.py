"""The publicity, workflow and audit pages and the committee-sheet conflict, under AppTest."""

from __future__ import annotations

from datetime import date

import pytest
from factories import build_year, make_user
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import read_session, transaction
from dashboard.domain import DUTIES, DUTY_KEYS
from dashboard.services import workflow
from dashboard.services.committee import add_committee_member
from dashboard.services.inputs import save_committee_sheet
from dashboard.ui.navigation import pages_for_role
from models import AssessmentYear, CommitteeScore, Leader, User, Village

APP = str(PROJECT_ROOT / "streamlit_app.py")
PASSWORD = "password123"  # factories.make_user


@pytest.fixture
def app_db(sqlite_engine, monkeypatch):
    """The tiny township year on a temp SQLite file, with one account per role."""
    build_year(sqlite_engine)
    for role in ("admin", "assessor", "viewer", "official"):
        make_user(sqlite_engine, role, role, villages=("南峪村",) if role == "assessor" else ())
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    return sqlite_engine


def _sign_in(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def _run(at: AppTest) -> AppTest:
    # Under AppTest a page opened with switch_page runs without the frame's sidebar, so the
    # year selector's state is dropped after one run; keep the selected year as the frame would.
    at.session_state["year"] = 2024
    at.run()
    assert not at.exception, at.exception
    return at


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return _run(at)


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.error, *at.warning, *at.success, *at.info, *at.caption, *at.markdown)]
    return "\n".join(str(p) for p in parts)


def test_official_publishes_on_the_workflow_page(app_db):
    """An official confirms and publishes; the year is 公示中 and finalising early is refused."""
    at = _sign_in("official")
    _open(at, "pages/workflow.py")
    assert not at.exception
    at.checkbox(key="workflow_confirm_publish").check()
    _run(at)
    at.button(key="workflow_publish").click()
    _run(at)
    assert not at.exception
    assert "已发布公示：冻结 7 人的结果" in _texts(at)
    with read_session(app_db) as s:
        assert s.get(AssessmentYear, 2024).status == "公示中"
    at.button(key="workflow_finalize").click()
    _run(at)
    assert "公示期满后才能定稿" in _texts(at)
    # an official never gets the reopen control
    with pytest.raises(KeyError):
        at.button(key="workflow_reopen")


def test_publicity_page_shows_the_award_list_and_takes_objections(app_db):
    """After publishing, every role sees the award list; an official records an objection."""

    workflow.publish_year(engine=app_db, user=make_user(app_db, "o2", "official"), year=2024,
                          start=date(2025, 1, 6), end=date(2025, 1, 12))
    viewer = _sign_in("viewer")
    _open(viewer, "pages/publicity.py")
    assert not viewer.exception
    awards = viewer.dataframe[0].value
    assert list(awards["编号"]) == ["H1"] and list(awards["姓名"]) == ["马海军"]
    with pytest.raises(KeyError):
        viewer.text_area(key="publicity_objection_text")  # viewers only read

    official = _sign_in("official")
    _open(official, "pages/publicity.py")
    official.selectbox(key="publicity_objection_code").select("H1")
    official.text_input(key="publicity_objection_by").input("村民王某")
    official.text_area(key="publicity_objection_text").input("票数有误")
    official.button[-1].click()
    _run(official)  # the form's submit button
    assert not official.exception
    table = official.dataframe[1].value
    assert list(table["异议人"]) == ["村民王某"] and list(table["异议内容"]) == ["票数有误"]


def test_viewer_and_assessor_cannot_open_workflow_or_audit(app_db):
    """The workflow and audit pages are not registered for a viewer or an assessor."""
    for role in ("viewer", "assessor"):
        at = _sign_in(role)
        for page in ("pages/workflow.py", "pages/audit.py"):
            with pytest.raises(ValueError):
                at.switch_page(page)


def test_audit_page_lists_and_filters_events(app_db):
    """The audit page shows the publish event; filtering by another action empties the table."""
    workflow.publish_year(engine=app_db, user=make_user(app_db, "o3", "official"), year=2024)
    at = _sign_in("admin")
    _open(at, "pages/audit.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["操作名称"]) == ["发布公示"] and list(table["用户"]) == ["o3"]
    at.selectbox(key="audit_action").select("import")
    _run(at)
    assert at.dataframe[0].value.empty


def test_second_clerk_saving_a_stale_committee_sheet_sees_the_conflict(app_db):
    """A clerk opens a sheet; another saves it meanwhile; the clerk's save is refused, showing those values."""
    with read_session(app_db) as s:
        nanyu = s.exec(select(Village.id).where(Village.name == "南峪村")).one()
    with transaction(app_db) as s:  # the member is on the village's list, the rater is picked from it
        admin = s.exec(select(User).where(User.username == "admin")).one()
        add_committee_member(session=s, user=admin, year=2024, village_id=nanyu, name="李委员")
    at = _sign_in("admin")
    _open(at, "pages/committee.py")
    at.selectbox(key="committee_village").select(nanyu)
    _run(at)
    at.selectbox(key="committee_quarter").select(2)
    _run(at)
    at.selectbox(key="committee_rater").select("李委员")
    _run(at)
    assert not at.exception
    # Meanwhile the assessor saves the same member's quarter-2 sheet in another session.
    with transaction(app_db) as s:
        assessor = s.exec(select(User).where(User.username == "assessor")).one()
        save_committee_sheet(session=s, user=assessor, year=2024, quarter=2, rater="李委员",
                             rows=[{"编号": "G1", **{DUTIES[k]: 8.0 for k in DUTY_KEYS}}])
    at.button(key="committee_save").click()
    _run(at)
    assert not at.exception
    assert "已被其他用户修改（assessor）" in _texts(at)
    shown = at.dataframe[-1].value  # the other user's stored values
    assert list(shown["编号"]) == ["G1"] and list(shown[DUTIES["info"]]) == [8.0]
    with read_session(app_db) as s:
        stored = s.exec(select(CommitteeScore).where(CommitteeScore.quarter == 2)).all()
    assert [(x.info, x.updated_by) for x in stored] == [(8.0, "assessor")]


MARKUP_NAME = "**粗体**<b>x</b>"


def test_markup_in_names_is_never_rendered_as_markdown(app_db):
    """A leader named with Markdown/HTML appears on no page inside a Markdown-rendering element.

    Tables, select boxes and st.text show text as text; titles, captions, messages and
    st.markdown would render it. Every page an admin can open is visited, with the year
    published so that the publicity page shows its lists as well.
    """

    with transaction(app_db) as s:
        leader = s.exec(select(Leader).where(Leader.code == "H1")).one()
        leader.name = MARKUP_NAME
    at = _sign_in("admin")
    rendered = []
    for publish in (False, True):
        if publish:
            workflow.publish_year(engine=app_db, user=make_user(app_db, "o9", "official"), year=2024,
                                  start=date(2025, 1, 6), end=date(2025, 1, 12))
        for spec in pages_for_role("admin"):
            _open(at, spec.path)
            for kind in ("title", "header", "subheader", "markdown", "caption", "success", "info",
                         "warning", "error"):
                for element in getattr(at, kind):
                    if "粗体" in str(element.value):
                        rendered.append((spec.path, kind, element.value))
            if publish and spec.path == "pages/publicity.py":
                # the name is on the page, literally, in the award table
                assert list(at.dataframe[0].value["姓名"]) == [MARKUP_NAME]
    assert rendered == []
