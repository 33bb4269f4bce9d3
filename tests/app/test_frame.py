"""The real frame under AppTest: sign-in gate, pages per role, sidebar, demo banner."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from factories import PASSWORD, build_world
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import read_session, transaction
from dashboard.reports.labels import year_title
from dashboard.scoring.scheme import Scheme
from dashboard.services.accounts import create_demo_accounts, set_disabled, set_password
from dashboard.services.auth import SIGN_IN_FAILED, utcnow
from dashboard.ui.frame import FRAME_ONLY_PATH
from dashboard.ui.navigation import PAGES, pages_for_role
from models import AssessmentYear, LoginSession, User

APP = str(PROJECT_ROOT / "streamlit_app.py")


@pytest.fixture
def app_db(sqlite_engine, monkeypatch):
    """The frame's database: the small test world on a temp SQLite file."""
    build_world(sqlite_engine)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    return sqlite_engine


def _registered(at: AppTest) -> set[str]:
    # AppTest keeps the pages the last run passed to st.navigation (their titles).
    return {info["page_name"] for info in at._registered_pages.values()}


def _page_files(at: AppTest) -> set[str]:
    # The page files registered (placeholders for other URLs are functions, with no file).
    return {Path(info["script_path"]).name for info in at._registered_pages.values() if info["script_path"]}


def _url_paths(at: AppTest) -> set[str]:
    return {info["url_pathname"] for info in at._registered_pages.values()}


def _through_frame(at: AppTest) -> AppTest:
    # AppTest starts every run with a fresh page registry: asked for the page the last run
    # ended on, it would run that page file alone (the pages/ folder fallback), without the
    # frame. A real server keeps st.navigation's registry, so route the next run through
    # the frame's default page as a browser reload of "/" does.
    at._finished_page_script_hash = ""
    return at


def _sign_in(username: str, password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def test_signed_out_only_sign_in_form(app_db):
    """Signed out, the only page passed to navigation is the sign-in page with its form."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert _registered(at) == {"登录"}
    assert _page_files(at) == set()
    # every page URL is registered to the sign-in form (a deep link shows it, no "not found")
    assert _url_paths(at) == {""} | {spec.url_path for spec in PAGES.values()} | {FRAME_ONLY_PATH}
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    with pytest.raises(ValueError):
        at.switch_page("pages/committee.py")


@pytest.mark.parametrize("role", ["admin", "assessor", "viewer", "official"])
def test_each_role_gets_exactly_its_pages(app_db, role):
    """After sign-in the navigation holds exactly the role's pages from the page table."""
    at = _sign_in(role)
    assert not at.exception
    assert _page_files(at) == {Path(spec.path).name for spec in pages_for_role(role)}
    # the other pages' URLs only lead to the refusal; "/" is the hidden home, /frame the bare frame
    assert _registered(at) - {spec.title for spec in pages_for_role(role)} <= {"无权访问", "首页", "联户考评"}
    assert at.session_state["auth_role"] == role
    # only primitives in session state: no ORM object or Session
    assert all(isinstance(at.session_state[k], int | str | type(None)) for k in
               ("auth_user_id", "auth_username", "auth_role", "year"))


def test_viewer_cannot_switch_to_an_entry_page(app_db):
    """The committee page is not registered for a viewer, so it cannot be opened."""
    at = _sign_in("viewer")
    with pytest.raises(ValueError):
        at.switch_page("pages/committee.py")


def test_wrong_password_shows_error_and_stays_signed_out(app_db):
    """A wrong password shows the Chinese error and keeps only the sign-in page."""
    at = _sign_in("admin", "wrong-password")
    assert at.error[0].value == SIGN_IN_FAILED
    assert _registered(at) == {"登录"}


def test_unknown_name_gets_the_same_answer_as_a_wrong_password(app_db):
    """An unknown user name and a known one with a wrong password show the same single message."""
    known = _sign_in("admin", "wrong-password")
    unknown = _sign_in("no-such-user", "wrong-password")
    assert [e.value for e in known.error] == [e.value for e in unknown.error] == [SIGN_IN_FAILED]


def test_sidebar_year_and_sign_out(app_db):
    """The sidebar offers the years (2024), shows the user, and 退出登录 signs out."""
    at = _sign_in("admin")
    assert at.sidebar.selectbox(key="sidebar_year").value == 2024
    assert at.sidebar.selectbox(key="sidebar_year").options == ["2024 年度"]
    session_id = at.session_state["auth_session_id"]
    at.sidebar.button(key="sidebar_logout").click()
    _through_frame(at).run()
    assert _registered(at) == {"登录"}
    assert "auth_user_id" not in at.session_state
    with read_session(app_db) as s:
        assert s.get(LoginSession, session_id).revoked_at is not None


def test_demo_banner_only_with_demo_accounts(app_db):
    """No demo account: no 演示数据 banner; after creating the demo accounts it appears."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not any("演示数据" in w.value for w in at.warning)
    with transaction(app_db) as s:
        created = create_demo_accounts(s)
    assert [d.role for d in created] == ["admin", "assessor", "viewer", "official"]
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert any("演示数据" in w.value for w in at.warning)


@pytest.mark.parametrize("page_file", sorted(p.name for p in (PROJECT_ROOT / "pages").glob("*.py")))
def test_every_page_run_alone_signed_out_shows_nothing(app_db, page_file):
    """Run without the frame (as Streamlit's pages/ fallback does on a fresh server), a page stops."""
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / page_file), default_timeout=30).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["请先登录"]
    assert len(at.dataframe) == 0 and len(at.button) == 0 and len(at.text_input) == 0


def _age_session(engine, at: AppTest, *, created: timedelta, idle: timedelta) -> None:
    now = utcnow()
    with transaction(engine) as s:
        row = s.get(LoginSession, at.session_state["auth_session_id"])
        row.created_at, row.last_seen_at = now - created, now - idle


def test_idle_session_expires_to_sign_in(app_db):
    """A session idle for 8 h 1 min (signed in 9 h ago) ends on the next run with a notice."""
    at = _sign_in("assessor")
    _age_session(app_db, at, created=timedelta(hours=9), idle=timedelta(hours=8, minutes=1))
    _through_frame(at).run()
    assert _registered(at) == {"登录"}
    assert [i.value for i in at.info] == ["登录已超时，请重新登录"]


def test_session_ends_at_the_absolute_limit_however_active(app_db):
    """Active a minute ago but signed in 12 h 1 min ago: the session ends (absolute limit 12 h)."""
    at = _sign_in("assessor")
    _age_session(app_db, at, created=timedelta(hours=12, minutes=1), idle=timedelta(minutes=1))
    _through_frame(at).run()
    assert _registered(at) == {"登录"}
    assert [i.value for i in at.info] == ["登录已超时，请重新登录"]


def test_active_session_within_limits_stays_signed_in(app_db):
    """Signed in 11 h ago and active 7 h 59 min ago: still signed in on the next run."""
    at = _sign_in("assessor")
    _age_session(app_db, at, created=timedelta(hours=11), idle=timedelta(hours=7, minutes=59))
    _through_frame(at).run()
    assert "完成情况" in _registered(at)
    assert at.session_state["auth_username"] == "assessor"


@pytest.mark.parametrize("change", ["password", "disable", "delete"])
def test_running_tab_ends_when_account_changes(app_db, change):
    """A password reset, disabling or removing the account signs a running tab out on its next run."""
    at = _sign_in("assessor")
    with transaction(app_db) as s:
        if change == "password":
            set_password(session=s, username="assessor", password="a-new-pass-9", actor="admin")
        elif change == "disable":
            set_disabled(session=s, username="assessor", disabled=True, actor="admin")
        else:
            s.delete(s.exec(select(User).where(User.username == "assessor")).one())
    _through_frame(at).run()
    assert _registered(at) == {"登录"}
    assert "auth_user_id" not in at.session_state
    if change != "delete":
        assert [i.value for i in at.info] == ["登录已失效（已在别处退出、密码已重置或账户已停用），请重新登录"]


def test_disabled_account_cannot_sign_in(app_db):
    """A disabled account gets the same failure message as a wrong password, even with the right one."""
    with transaction(app_db) as s:
        set_disabled(session=s, username="viewer", disabled=True, actor="admin")
    at = _sign_in("viewer")
    assert [e.value for e in at.error] == [SIGN_IN_FAILED]
    assert _registered(at) == {"登录"}


def test_sign_in_through_the_frame_runs_the_default_page(app_db):
    """After sign-in the assessor lands on the role's first page with the year in its title."""
    at = _sign_in("assessor")
    assert at.title[0].value == year_title(pages_for_role("assessor")[0].title, 2024)


def test_sidebar_year_choice_is_kept_in_plain_state(app_db):
    """Choosing 2023 in the sidebar sets the plain "year" key, and the page shows 2023."""
    with transaction(app_db) as s:
        s.add(AssessmentYear(year=2023, scheme_json=Scheme.default().to_json()))
    at = _sign_in("admin")
    assert at.sidebar.selectbox(key="sidebar_year").options == ["2024 年度", "2023 年度"]
    at.sidebar.selectbox(key="sidebar_year").set_value(2023)
    _through_frame(at).run()
    assert at.session_state["year"] == 2023
    assert at.title[0].value == year_title(pages_for_role("admin")[0].title, 2023)
