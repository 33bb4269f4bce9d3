"""The 账户管理 page under AppTest: create an account, reset a password, refusals in Chinese."""

from __future__ import annotations

import pytest
from factories import build_year, make_user
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import read_session
from dashboard.services.accounts import user_villages
from models import User

APP = str(PROJECT_ROOT / "streamlit_app.py")
PASSWORD = "password123"  # trust_data.make_user


@pytest.fixture
def app_db(sqlite_engine, monkeypatch):
    """The tiny township year on a temp SQLite file, with an admin and an official."""
    build_year(sqlite_engine)
    make_user(sqlite_engine, "admin", "admin")
    make_user(sqlite_engine, "official", "official")
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    return sqlite_engine


def _open_as(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("pages/accounts.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_admin_creates_an_assessor_on_the_page(app_db):
    """Filling 新建账号 for an assessor of 南峪村 stores the account and lists it."""
    at = _open_as("admin")
    at.text_input(key="accounts_new_username").input("clerk")
    at.text_input(key="accounts_new_name").input("王文书")
    at.selectbox(key="accounts_new_role").set_value("assessor").run()
    village = at.multiselect(key="accounts_new_villages").options[0]
    at.multiselect(key="accounts_new_villages").set_value([village])
    at.text_input(key="accounts_new_pw").input("long-secret-9")
    at.text_input(key="accounts_new_pw2").input("long-secret-9")
    at.button(key="accounts_create").click().run()
    assert not at.exception, at.exception
    assert any("已新建账号「clerk」（评分员）" in s.value for s in at.success)
    with read_session(app_db) as s:
        clerk = s.exec(select(User).where(User.username == "clerk")).one()
        assert user_villages(session=s, user_id=clerk.id) == [village]
    assert "clerk" in list(at.dataframe[0].value["用户名"])


def test_create_refusal_is_shown_in_chinese(app_db):
    """An assessor without villages is refused with the service's Chinese message; nothing stored."""
    at = _open_as("admin")
    at.text_input(key="accounts_new_username").input("clerk")
    at.selectbox(key="accounts_new_role").set_value("assessor").run()
    at.text_input(key="accounts_new_pw").input("long-secret-9")
    at.text_input(key="accounts_new_pw2").input("long-secret-9")
    at.button(key="accounts_create").click().run()
    assert [e.value for e in at.error] == ["未保存：评分员至少要负责一个村"]
    with read_session(app_db) as s:
        assert s.exec(select(User).where(User.username == "clerk")).first() is None


def test_reset_password_is_shown_once(app_db):
    """重置密码 shows a 14-character password in a code box with the warning; the next run hides it."""
    at = _open_as("admin")
    at.selectbox(key="accounts_edit_user").set_value("official").run()
    at.button(key="accounts_reset").click().run()
    assert not at.exception, at.exception
    assert len(at.code) == 1 and len(at.code[0].value) == 14
    assert any("只显示这一次" in w.value for w in at.warning)
    at.run()
    assert len(at.code) == 0


def test_last_admin_disable_is_refused_on_the_page(app_db):
    """停用 on the only admin shows the Chinese refusal and leaves the account enabled."""
    at = _open_as("admin")
    at.selectbox(key="accounts_edit_user").set_value("admin").run()
    at.button(key="accounts_disable").click().run()
    assert any("最后一个可用的管理员" in e.value for e in at.error)
    with read_session(app_db) as s:
        assert s.exec(select(User).where(User.username == "admin")).one().disabled_at is None


def test_official_cannot_open_the_accounts_page(app_db):
    """The page is not registered for an official, so it cannot be switched to."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_username").input("official")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/accounts.py")
