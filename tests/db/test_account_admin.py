"""Account management from the app: the admin-only services behind the 账户管理 page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import PASSWORD, build_world
from sqlmodel import select

from dashboard.data.db import read_session, transaction
from dashboard.services import accounts
from dashboard.services.auth import (
    AuthError,
    PermissionDenied,
    authenticate,
    start_session,
    utcnow,
)
from models import AuditEvent, LoginSession, User


def _user(s, name: str) -> User:
    return s.exec(select(User).where(User.username == name)).one()


def _events(s, target: str) -> list[AuditEvent]:
    return s.exec(select(AuditEvent).where(AuditEvent.target == target).order_by(AuditEvent.id)).all()


def test_admin_creates_an_assessor_with_the_cli_rules(db_engine):
    """create_account makes an assessor for two villages, audited with the admin as actor."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        accounts.create_account(session=s, user=_user(s, "admin"), username=" clerk ", password="long-secret-9",
                                role="assessor", villages=["江盘村", "南峪乡/南峪村"], display_name="王文书")
    with read_session(db_engine) as s:
        clerk = _user(s, "clerk")
        assert clerk.display_name == "王文书"
        assert accounts.user_villages(session=s, user_id=clerk.id) == ["南峪乡/南峪村", "南峪乡/江盘村"]
        [event] = _events(s, "clerk")
        assert (event.username, event.action) == ("admin", "user.create")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short", "role": "viewer"}, "密码至少 8 个字符"),
        ({"password": "long-secret-9", "role": "assessor"}, "评分员至少要负责一个村"),
        ({"password": "long-secret-9", "role": "assessor", "villages": ["南峪村"]}, "在多个乡镇中都有"),
        ({"password": "long-secret-9", "role": "viewer", "villages": ["江盘村"]}, "查看不能指定村"),
        ({"password": "long-secret-9", "role": "viewer", "township": "无此乡"}, "找不到乡镇「无此乡」"),
    ],
)
def test_create_account_refuses_like_the_cli(db_engine, fields, message):
    """The page's create goes through create_user: the same Chinese refusals, nothing written."""
    build_world(db_engine)
    with pytest.raises(AuthError, match=message), transaction(db_engine) as s:
        accounts.create_account(session=s, user=_user(s, "admin"), username="clerk", **fields)
    with read_session(db_engine) as s:
        assert s.exec(select(User).where(User.username == "clerk")).first() is None
        assert _events(s, "clerk") == []


def test_only_an_admin_manages_accounts(db_engine):
    """An official may neither list nor create accounts."""
    build_world(db_engine)
    with read_session(db_engine) as s, pytest.raises(PermissionDenied):
        accounts.list_accounts(session=s, user=_user(s, "official"))
    with pytest.raises(PermissionDenied), transaction(db_engine) as s:
        accounts.create_account(session=s, user=_user(s, "official"), username="x", password="long-secret-9",
                                role="viewer")


def test_list_shows_scope_status_and_last_sign_in(db_engine):
    """The list names each scope, marks a locked and a disabled account, and the last sign-in."""
    build_world(db_engine)
    now = utcnow()
    with transaction(db_engine) as s:
        _user(s, "viewer").locked_until = now + timedelta(minutes=10)
        _user(s, "official").disabled_at = now
        start_session(session=s, user_id=_user(s, "admin").id, now=now)
    with read_session(db_engine) as s:
        rows = {r.username: r for r in accounts.list_accounts(session=s, user=_user(s, "admin"), now=now)}
    assert [rows[n].status for n in ("admin", "assessor", "viewer", "official")] == ["启用", "启用", "锁定", "停用"]
    assert rows["assessor"].scope == "南峪乡/南峪村"
    assert rows["viewer"].scope == "南峪乡"
    assert rows["official"].scope == "全部"
    assert rows["admin"].last_login is not None and rows["assessor"].last_login is None


def test_reset_password_returns_a_new_one_and_ends_sessions(db_engine):
    """The generated password signs in, the old one no longer does, open sessions are revoked, audited."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        start_session(session=s, user_id=_user(s, "assessor").id)
    with transaction(db_engine) as s:
        new = accounts.reset_password(session=s, user=_user(s, "admin"), username="assessor")
    assert len(new) == accounts.GENERATED_PASSWORD_LENGTH
    with transaction(db_engine) as s:
        assert not authenticate(session=s, username="assessor", password=PASSWORD).ok
        assert authenticate(session=s, username="assessor", password=new).ok
    with read_session(db_engine) as s:
        assert all(r.revoked_at is not None for r in s.exec(select(LoginSession)).all())
        event = _events(s, "assessor")[-1]
        assert event.username == "admin" and new not in (event.new_value or "")


def test_unlock_lifts_the_lock(db_engine):
    """A locked account is 启用 again after unlock, with an audit row saying 解锁."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        target = _user(s, "viewer")
        target.locked_until, target.failed_logins = utcnow() + timedelta(minutes=10), 3
    with transaction(db_engine) as s:
        accounts.unlock_account(session=s, user=_user(s, "admin"), username="viewer")
    with transaction(db_engine) as s:
        assert accounts.account_status(_user(s, "viewer")) == "启用"
        assert authenticate(session=s, username="viewer", password=PASSWORD).ok
        assert _events(s, "viewer")[-1].reason == "解锁"


def test_disable_ends_sessions_and_enable_restores(db_engine):
    """Disabling stops sign-in and revokes sessions; enabling lets the account in again; both audited."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        start_session(session=s, user_id=_user(s, "viewer").id)
    with transaction(db_engine) as s:
        accounts.set_account_disabled(session=s, user=_user(s, "admin"), username="viewer", disabled=True)
    with transaction(db_engine) as s:
        assert not authenticate(session=s, username="viewer", password=PASSWORD).ok
        assert s.exec(select(LoginSession)).one().revoked_at is not None
    with transaction(db_engine) as s:
        accounts.set_account_disabled(session=s, user=_user(s, "admin"), username="viewer", disabled=False)
    with transaction(db_engine) as s:
        assert authenticate(session=s, username="viewer", password=PASSWORD).ok
        assert len(_events(s, "viewer")) == 3  # create, disable, enable


def test_last_admin_cannot_be_disabled_or_demoted(db_engine):
    """With one admin, disabling or demoting it is refused; with a second admin it is allowed."""
    build_world(db_engine)
    for change in (
        lambda s: accounts.set_account_disabled(session=s, user=_user(s, "admin"), username="admin", disabled=True),
        lambda s: accounts.set_role_and_scope(session=s, user=_user(s, "admin"), username="admin", role="viewer"),
    ):
        with pytest.raises(AuthError, match="最后一个可用的管理员"), transaction(db_engine) as s:
            change(s)
    with transaction(db_engine) as s:
        accounts.create_account(session=s, user=_user(s, "admin"), username="admin2", password="long-secret-9",
                                role="admin")
    with transaction(db_engine) as s:
        accounts.set_role_and_scope(session=s, user=_user(s, "admin2"), username="admin", role="viewer")
    with read_session(db_engine) as s:
        assert _user(s, "admin").role == "viewer"


def test_set_role_and_scope_moves_an_assessor_to_viewer(db_engine):
    """An assessor becomes a viewer of 大川镇: villages dropped, township set, sessions ended, audited."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        start_session(session=s, user_id=_user(s, "assessor").id)
    with transaction(db_engine) as s:
        accounts.set_role_and_scope(session=s, user=_user(s, "admin"), username="assessor", role="viewer",
                                    township="大川镇")
    with read_session(db_engine) as s:
        rows = {r.username: r for r in accounts.list_accounts(session=s, user=_user(s, "admin"))}
        assert (rows["assessor"].role, rows["assessor"].scope) == ("viewer", "大川镇")
        assert s.exec(select(LoginSession)).one().revoked_at is not None
        event = _events(s, "assessor")[-1]
        assert "南峪乡/南峪村" in event.old_value and "大川镇" in event.new_value


def test_remove_demo_accounts_from_the_app(db_engine):
    """A real admin removes the four demo accounts in one audited step; a demo admin may not."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        accounts.create_demo_accounts(s)
    with pytest.raises(AuthError, match="演示账户登录"), transaction(db_engine) as s:
        accounts.remove_demo_accounts(session=s, user=_user(s, "demo-admin"))
    with transaction(db_engine) as s:
        assert accounts.remove_demo_accounts(session=s, user=_user(s, "admin")) == 4
    with read_session(db_engine) as s:
        assert not accounts.has_demo_accounts(session=s)
        event = _events(s, "演示账户")[-1]
        assert event.username == "admin" and "demo-viewer" in event.old_value


def test_remove_demo_accounts_keeps_an_admin(db_engine):
    """When the demo admin is the only admin, removing the demo accounts is refused."""
    build_world(db_engine, users=False)
    with transaction(db_engine) as s:
        accounts.create_demo_accounts(s)
        accounts.create_user(session=s, username="boss", password="long-secret-9", role="official")
        boss = _user(s, "boss")
        boss.role = "admin"
        boss.disabled_at = utcnow()
    with pytest.raises(AuthError, match="最后一个可用的管理员"), transaction(db_engine) as s:
        accounts.remove_demo_accounts(session=s, user=_user(s, "boss"))
