"""Sign-in: argon2 hashes, lockout after five wrong passwords, session expiry, scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from world import PASSWORD, build_world

from dashboard.data.db import read_session, transaction
from dashboard.services.auth import (
    LOCKOUT,
    authenticate,
    hash_password,
    session_expired,
    verify_password,
    village_scope,
)
from models import User

T0 = datetime(2024, 12, 20, 9, 0, tzinfo=UTC)


def test_password_hash_is_argon2_and_verifies():
    """A hash is argon2id, salted (two hashes differ) and verifies only the right password."""
    first, second = hash_password("secret-pass-1"), hash_password("secret-pass-1")
    assert first.startswith("$argon2id$")
    assert first != second
    assert verify_password(first, "secret-pass-1")
    assert not verify_password(first, "secret-pass-2")
    assert not verify_password("not-a-hash", "secret-pass-1")


def _try(engine, password, now):
    with transaction(engine) as s:
        return authenticate(session=s, username="admin", password=password, now=now)


def test_right_password_signs_in_with_role(db_engine):
    """The right password returns the user's id, name and role."""
    build_world(db_engine)
    result = _try(db_engine, PASSWORD, T0)
    assert result.ok
    assert (result.user.username, result.user.role, result.user.role_label) == ("admin", "admin", "管理员")


def test_five_wrong_passwords_lock_for_fifteen_minutes(db_engine):
    """After 5 wrong passwords even the right one is refused until 15 minutes have passed."""
    build_world(db_engine)
    for i in range(4):
        result = _try(db_engine, "wrong", T0 + timedelta(seconds=i))
        assert not result.ok
        # 5 allowed failures − (i + 1) made so far
        assert f"再错 {5 - (i + 1)} 次" in result.message
    fifth = _try(db_engine, "wrong", T0 + timedelta(seconds=4))
    assert "已锁定" in fifth.message
    with read_session(db_engine) as s:
        user = s.exec(select(User).where(User.username == "admin")).one()
        # locked from the 5th failure (T0 + 4 s) for 15 minutes
        assert user.locked_until == T0 + timedelta(seconds=4) + LOCKOUT
    # 14 minutes later: still locked, right password or not
    assert not _try(db_engine, PASSWORD, T0 + timedelta(minutes=14)).ok
    assert "分钟后再试" in _try(db_engine, PASSWORD, T0 + timedelta(minutes=14)).message
    # 15 minutes and 5 seconds after the lock started: open again
    assert _try(db_engine, PASSWORD, T0 + timedelta(minutes=15, seconds=5)).ok


def test_success_resets_failure_count(db_engine):
    """Four failures, a success, then four more failures do not lock the account."""
    build_world(db_engine)
    for i in range(4):
        _try(db_engine, "wrong", T0 + timedelta(seconds=i))
    assert _try(db_engine, PASSWORD, T0 + timedelta(seconds=10)).ok
    for i in range(4):
        _try(db_engine, "wrong", T0 + timedelta(seconds=20 + i))
    assert _try(db_engine, PASSWORD, T0 + timedelta(seconds=30)).ok


def test_unknown_user_gets_the_same_message(db_engine):
    """An unknown user name is refused with the generic message (no hint that it is unknown)."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        result = authenticate(session=s, username="nobody", password=PASSWORD, now=T0)
    assert not result.ok and result.message == "用户名或密码错误"


def test_session_expires_after_eight_idle_hours():
    """A session idle 8 h is still valid; 8 h and 1 s is expired; no timestamp is expired."""
    assert not session_expired(T0, now=T0 + timedelta(hours=8))
    assert session_expired(T0, now=T0 + timedelta(hours=8, seconds=1))
    assert session_expired(None, now=T0)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", None),
        ("assessor", {"南峪乡/南峪村"}),
        ("viewer", {"南峪乡/南峪村", "南峪乡/江盘村"}),
        ("official", None),
    ],
)
def test_village_scope_by_role(sqlite_engine, username, expected):
    """Admin/official see all; the assessor its village; the viewer the villages of 南峪乡."""
    world = build_world(sqlite_engine)
    with read_session(sqlite_engine) as s:
        scope = village_scope(session=s, user=world.user(s, username))
    names = {v: k for k, v in world.village_ids.items()}
    assert (None if scope is None else {names[v] for v in scope}) == expected
