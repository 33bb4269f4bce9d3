"""A leader's own pages and the SMS page under AppTest: 我的述职档案 only after 公示 and only his own."""

from __future__ import annotations

from datetime import date

import pytest
from factories import build_year, make_user
from sqlalchemy import update
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import read_session, transaction
from dashboard.services.auth import hash_password
from dashboard.services.workflow import publish_year
from models import Leader, User

APP = str(PROJECT_ROOT / "streamlit_app.py")


@pytest.fixture
def app_db(sqlite_engine, monkeypatch):
    """The tiny township year, an official, and H1's own account (password already chosen)."""
    ids = build_year(sqlite_engine)
    make_user(sqlite_engine, "official", "official")
    with transaction(sqlite_engine) as s:
        s.add(User(username="H1", password_hash=hash_password("password123"), role="leader",
                   display_name="马海军", leader_id=ids["H1"]))
        s.execute(update(Leader).where(Leader.code == "H1").values(phone="13800000001"))
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    return sqlite_engine


def _sign_in(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input("password123")
    at.button[0].click().run()
    assert not at.exception
    return at


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.session_state["year"] = 2024
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.error, *at.warning, *at.success, *at.info, *at.caption, *at.markdown,
                               *at.subheader, *at.metric)]
    return "\n".join(str(p) for p in parts)


def test_own_record_opens_only_after_publication(app_db):
    """While 录入中 the page waits; after 公示 it shows H1's own 总分 97.22, 等次 优秀, and no one else."""
    at = _open(_sign_in("H1"), "pages/my_record.py")
    assert "公示后才能在这里查看" in _texts(at)
    with read_session(app_db) as s:
        official = s.exec(select(User).where(User.username == "official")).one()
    publish_year(engine=app_db, user=official, year=2024, start=date(2025, 1, 6), end=date(2025, 1, 12))
    at = _open(_sign_in("H1"), "pages/my_record.py")
    text = _texts(at)
    assert "马海军 · 联户长" in text and "97.22" in text and "优秀" in text
    assert not any(name in text for name in ("杨卓玛", "才让东智", "赵德明"))


def test_own_report_page_submits_pending(app_db):
    """H1 submits 90 in every duty on 本人述职: the page says 待确认."""
    at = _open(_sign_in("H1"), "pages/my_self_report.py")
    for i in range(7):
        at.number_input(key=f"my_self_{i}").set_value(90.0)
    at.text_area(key="my_self_narrative").input("本年度走访 80 户")
    at.button(key="FormSubmitter:my_self_form-提交述职").click().run()
    assert not at.exception
    assert "待确认" in _texts(at)


def test_sms_page_lists_leaders_without_a_number(app_db):
    """The official's 短信通知 for March: one reminder (H1 has a number), six leaders listed without one."""
    at = _open(_sign_in("official"), "pages/notices.py")
    at.radio(key="notice_kind").set_value("综治E通上报提醒（按月）")
    at.session_state["year"] = 2024
    at.run()
    at.selectbox(key="notice_month").set_value(3)
    at.button(key="notice_make").click()
    at.session_state["year"] = 2024
    at.run()
    assert not at.exception
    text = _texts(at)
    assert "共 1 条短信" in text and "6 人没有联系电话" in text
