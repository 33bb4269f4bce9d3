"""Accounts: create-user on the command line, village names, demo accounts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from factories import PASSWORD, build_world
from sqlmodel import select

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import read_session, transaction
from dashboard.services.accounts import (
    DEMO_ACCOUNTS,
    AuthError,
    create_demo_accounts,
    create_user,
    resolve_village,
    user_villages,
)
from dashboard.services.auth import authenticate, verify_password
from models import User


def _cli(url: str, *args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args, "--db", url],
        input=stdin, capture_output=True, text=True, cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, timeout=120,
    )


def test_create_user_cli_reads_password_from_stdin(db_engine):
    """create-user with the password piped in creates an assessor for two villages; it can sign in."""
    build_world(db_engine, users=False)
    url = db_engine.url.render_as_string(hide_password=False)
    done = _cli(url, "create-user", "clerk", "--role", "assessor", "--village", "江盘村",
                "--village", "南峪乡/南峪村", stdin="long-secret-9\n")
    assert done.returncode == 0, done.stderr
    assert "已创建账号 clerk（评分员）" in done.stdout
    with read_session(db_engine) as s:
        user = s.exec(select(User).where(User.username == "clerk")).one()
        assert verify_password(user.password_hash, "long-secret-9")
        assert user_villages(session=s, user_id=user.id) == ["南峪乡/南峪村", "南峪乡/江盘村"]
    with transaction(db_engine) as s:
        assert authenticate(session=s, username="clerk", password="long-secret-9").ok


def test_create_user_cli_ambiguous_village_exit_2(db_engine):
    """A plain 南峪村 exists in two townships: exit 2 with the Chinese hint, no account."""
    build_world(db_engine, users=False)
    url = db_engine.url.render_as_string(hide_password=False)
    done = _cli(url, "create-user", "clerk", "--role", "assessor", "--village", "南峪村", stdin="long-secret-9\n")
    assert done.returncode == 2
    assert "在多个乡镇中都有（南峪乡、大川镇）" in done.stderr
    with read_session(db_engine) as s:
        assert s.exec(select(User)).all() == []


def test_create_user_cli_refuses_short_password_and_duplicate(sqlite_engine):
    """A 5-character password and an existing user name are refused with exit 2."""
    build_world(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    short = _cli(url, "create-user", "someone", "--role", "viewer", stdin="abcde\n")
    assert short.returncode == 2 and "密码至少 8 个字符" in short.stderr
    dup = _cli(url, "create-user", "admin", "--role", "admin", stdin="long-secret-9\n")
    assert dup.returncode == 2 and "用户名「admin」已存在" in dup.stderr


def test_resolve_village_by_township_or_unique_name(sqlite_engine):
    """江盘村 is unique; 大川镇/南峪村 picks the right one; an unknown name is an error."""
    world = build_world(sqlite_engine, users=False)
    with read_session(sqlite_engine) as s:
        assert resolve_village(session=s, name="江盘村").id == world.village_ids["南峪乡/江盘村"]
        assert resolve_village(session=s, name="大川镇/南峪村").id == world.village_ids["大川镇/南峪村"]
        assert resolve_village(session=s, name="南峪村", township="南峪乡").id == world.village_ids["南峪乡/南峪村"]
        with pytest.raises(AuthError, match="找不到村「石门村」"):
            resolve_village(session=s, name="石门村")


def test_assessor_needs_a_village_and_viewer_takes_none(sqlite_engine):
    """An assessor without village and a viewer with villages are refused."""
    build_world(sqlite_engine, users=False)
    with transaction(sqlite_engine) as s:
        with pytest.raises(AuthError, match="至少要负责一个村"):
            create_user(session=s, username="a", password=PASSWORD, role="assessor")
        with pytest.raises(AuthError, match="不能指定村"):
            create_user(session=s, username="v", password=PASSWORD, role="viewer", villages=["江盘村"])


def test_demo_accounts_sign_in_with_documented_passwords(sqlite_engine):
    """Each demo account signs in with its README password; the assessor covers two 南峪乡 villages."""
    build_world(sqlite_engine, users=False)
    with transaction(sqlite_engine) as s:
        assert len(create_demo_accounts(s)) == 4
        assert create_demo_accounts(s) == []  # idempotent
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for demo in DEMO_ACCOUNTS:
        assert f"`{demo.username}`" in readme and f"`{demo.password}`" in readme
        with transaction(sqlite_engine) as s:
            assert authenticate(session=s, username=demo.username, password=demo.password).user.role == demo.role
    with read_session(sqlite_engine) as s:
        assessor = s.exec(select(User).where(User.username == "demo-assessor")).one()
        # the first two villages of 南峪乡 by name: 南峪村 and 江盘村 (sorted by code point)
        assert user_villages(session=s, user_id=assessor.id) == sorted(["南峪乡/南峪村", "南峪乡/江盘村"])
