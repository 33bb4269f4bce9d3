"""Sign-in: argon2 hashes, lockout after five wrong passwords, server-side sessions, scope."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import pytest
from factories import PASSWORD, build_world
from sqlmodel import select
from starlette.applications import Starlette

import dashboard.services.auth as auth
from dashboard.cli.main import main
from dashboard.data.db import read_session, transaction
from dashboard.services.accounts import set_disabled, set_password
from dashboard.services.auth import (
    LOCKOUT,
    SIGN_IN_FAILED,
    authenticate,
    end_session,
    hash_password,
    hash_token,
    issue_cookie_token,
    resume_session,
    session_expired,
    start_session,
    touch_session,
    utcnow,
    verify_password,
    village_scope,
)
from dashboard.ui import web
from models import LoginSession, User

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
        assert not result.ok and result.message == SIGN_IN_FAILED
    fifth = _try(db_engine, "wrong", T0 + timedelta(seconds=4))
    assert fifth.message == SIGN_IN_FAILED
    with read_session(db_engine) as s:
        user = s.exec(select(User).where(User.username == "admin")).one()
        # locked from the 5th failure (T0 + 4 s) for 15 minutes
        assert user.locked_until == T0 + timedelta(seconds=4) + LOCKOUT
    # 14 minutes later: still locked, right password or not
    assert not _try(db_engine, PASSWORD, T0 + timedelta(minutes=14)).ok
    assert _try(db_engine, PASSWORD, T0 + timedelta(minutes=14)).message == SIGN_IN_FAILED
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
    """An unknown name, a wrong password and a locked account all get one message, word for word."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        unknown = authenticate(session=s, username="nobody", password=PASSWORD, now=T0)
    wrong = _try(db_engine, "wrong", T0)
    assert not unknown.ok and not wrong.ok
    assert unknown.message == wrong.message == SIGN_IN_FAILED
    assert "nobody" not in unknown.message and "次将" not in wrong.message


def test_unknown_name_costs_a_hash_verification(db_engine, monkeypatch):
    """An unknown name still verifies one argon2 hash, as a known name does (no timing shortcut)."""
    build_world(db_engine)
    calls = []
    real = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda h, p: calls.append(h) or real(h, p))
    with transaction(db_engine) as s:
        authenticate(session=s, username="nobody", password="wrong", now=T0)
        authenticate(session=s, username="admin", password="wrong", now=T0)
    # one verification each: the dummy hash, then admin's own
    assert len(calls) == 2 and calls[0] == auth._dummy_hash() and calls[1] != auth._dummy_hash()


def test_session_expires_after_eight_idle_hours():
    """A session idle 8 h is still valid; 8 h and 1 s is expired; no timestamp is expired."""
    assert not session_expired(T0, now=T0 + timedelta(hours=8))
    assert session_expired(T0, now=T0 + timedelta(hours=8, seconds=1))
    assert session_expired(None, now=T0)


# --- server-side sessions ---------------------------------------------------------------------


def _open(engine, username="assessor", now=T0):
    with transaction(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return start_session(session=s, user_id=user.id, now=now)


def _cookie(engine, ticket, now=T0 + timedelta(seconds=5)):
    with transaction(engine) as s:
        return issue_cookie_token(session=s, ticket=ticket, now=now)


def _resume(engine, now, **key):
    with transaction(engine) as s:
        resumed = resume_session(session=s, now=now, **key)
        if resumed.stale:
            touch_session(session=s, session_id=resumed.session_id, now=now)
        return resumed


def test_session_stores_only_hashes_of_ticket_and_token(db_engine):
    """The row holds SHA-256 hex digests (64 characters), never the ticket or the cookie token."""
    build_world(db_engine)
    session_id, ticket = _open(db_engine)
    token = _cookie(db_engine, ticket)
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert len(token) >= 43 and token != ticket  # token_urlsafe(32): 43 characters
    with read_session(db_engine) as s:
        row = s.get(LoginSession, session_id)
        stored = {c: getattr(row, c) for c in ("token_hash", "ticket_hash")}
    assert stored == {"token_hash": hash_token(token), "ticket_hash": None}
    assert _resume(db_engine, T0 + timedelta(minutes=1), token=token).user.username == "assessor"


def test_ticket_is_single_use_and_short_lived(db_engine):
    """A ticket gives one cookie token within 60 s; a second try, or one at 61 s, gives none."""
    build_world(db_engine)
    _, ticket = _open(db_engine)
    assert _cookie(db_engine, ticket) is not None
    assert _cookie(db_engine, ticket) is None
    _, late = _open(db_engine)
    assert _cookie(db_engine, late, now=T0 + timedelta(seconds=61)) is None
    assert _cookie(db_engine, "made-up-ticket") is None


def test_idle_limit_counts_from_last_activity(db_engine):
    """Active at +2 h: valid at +10 h (8 h idle), ended at +10 h 1 s (inside the 12 h absolute limit)."""
    build_world(db_engine)
    session_id, _ = _open(db_engine)
    assert _resume(db_engine, T0 + timedelta(hours=2), session_id=session_id).ok
    with read_session(db_engine) as s:
        assert resume_session(session=s, session_id=session_id, now=T0 + timedelta(hours=10)).ok
        ended = resume_session(session=s, session_id=session_id, now=T0 + timedelta(hours=10, seconds=1))
    assert not ended.ok and ended.ended == "timeout"


def test_idle_session_ends_after_eight_hours(db_engine):
    """Signed in at T0 and never active again: valid at +8 h, ended at +8 h 1 s."""
    build_world(db_engine)
    session_id, _ = _open(db_engine)
    with read_session(db_engine) as s:
        assert resume_session(session=s, session_id=session_id, now=T0 + timedelta(hours=8)).ok
        ended = resume_session(session=s, session_id=session_id, now=T0 + timedelta(hours=8, seconds=1))
    assert not ended.ok and ended.ended == "timeout"


def test_absolute_limit_ends_an_active_session_after_twelve_hours(db_engine):
    """Active every 4 h, the session is valid at +12 h and ended at +12 h 1 s all the same."""
    build_world(db_engine)
    session_id, _ = _open(db_engine)
    for hours in (4, 8, 12):
        assert _resume(db_engine, T0 + timedelta(hours=hours), session_id=session_id).ok
    ended = _resume(db_engine, T0 + timedelta(hours=12, seconds=1), session_id=session_id)
    assert not ended.ok and ended.ended == "timeout"


def test_activity_is_written_at_most_once_a_minute(db_engine):
    """A run 30 s after the last write leaves last_seen alone; one 60 s after moves it."""
    build_world(db_engine)
    session_id, _ = _open(db_engine)
    _resume(db_engine, T0 + timedelta(seconds=30), session_id=session_id)
    with read_session(db_engine) as s:
        assert s.get(LoginSession, session_id).last_seen_at == T0
    _resume(db_engine, T0 + timedelta(seconds=60), session_id=session_id)
    with read_session(db_engine) as s:
        assert s.get(LoginSession, session_id).last_seen_at == T0 + timedelta(seconds=60)


@pytest.mark.parametrize("how", ["logout", "password", "disable", "delete"])
def test_session_revoked(db_engine, how):
    """退出登录, a password reset, disabling or removing the account ends the cookie's session."""
    build_world(db_engine)
    session_id, ticket = _open(db_engine)
    token = _cookie(db_engine, ticket)
    other_id, _ = _open(db_engine, username="viewer")
    with transaction(db_engine) as s:
        if how == "logout":
            assert end_session(session=s, token=token, now=T0 + timedelta(minutes=1))
        elif how == "password":
            set_password(session=s, username="assessor", password="new-pass-123", actor="admin")
        elif how == "disable":
            set_disabled(session=s, username="assessor", disabled=True, actor="admin")
        else:
            s.delete(s.exec(select(User).where(User.username == "assessor")).one())
    now = T0 + timedelta(minutes=2)
    assert not _resume(db_engine, now, token=token).ok
    assert not _resume(db_engine, now, session_id=session_id).ok
    # another user's session is untouched
    assert _resume(db_engine, now, session_id=other_id).ok


def test_enabling_again_does_not_revive_old_sessions(db_engine):
    """Disabled then enabled: the account signs in again, but the session from before stays ended."""
    build_world(db_engine)
    session_id, _ = _open(db_engine)
    with transaction(db_engine) as s:
        set_disabled(session=s, username="assessor", disabled=True, actor="admin")
    with transaction(db_engine) as s:
        set_disabled(session=s, username="assessor", disabled=False, actor="admin")
    assert not _resume(db_engine, T0 + timedelta(minutes=1), session_id=session_id).ok
    with transaction(db_engine) as s:
        assert authenticate(session=s, username="assessor", password=PASSWORD, now=T0).ok


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


def test_cli_set_password_and_disable_user_end_sessions(sqlite_engine, capsys, monkeypatch):
    """`set-password` (password piped) and `disable-user` each revoke the open session; `--enable` lets the user in."""

    build_world(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    first, _ = _open(sqlite_engine)
    monkeypatch.setattr("sys.stdin", io.StringIO("another-pass-1\n"))
    assert main(["set-password", "assessor", "--db", url]) == 0
    assert not _resume(sqlite_engine, T0 + timedelta(minutes=1), session_id=first).ok
    second, _ = _open(sqlite_engine)
    assert main(["disable-user", "assessor", "--db", url]) == 0
    assert not _resume(sqlite_engine, T0 + timedelta(minutes=1), session_id=second).ok
    with transaction(sqlite_engine) as s:
        assert not authenticate(session=s, username="assessor", password="another-pass-1", now=T0).ok
    assert main(["disable-user", "assessor", "--enable", "--db", url]) == 0
    with transaction(sqlite_engine) as s:
        assert authenticate(session=s, username="assessor", password="another-pass-1", now=T0).ok
    assert main(["disable-user", "nobody", "--db", url]) == 2
    out = capsys.readouterr()
    assert "已停用账号 assessor" in out.out and "用户「nobody」不存在" in out.err


def _post(app, path: str, *, body: bytes = b"", headers: dict[str, str]) -> tuple[int, list[str]]:
    """One HTTP request straight into the ASGI app; the status and its Set-Cookie headers."""
    scope = {
        "type": "http", "http_version": "1.1", "method": "POST", "scheme": "http", "path": path,
        "raw_path": path.encode(), "root_path": "", "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": ("kaoping.example", 80), "client": ("127.0.0.1", 5000),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return start["status"], [v.decode() for k, v in start["headers"] if k == b"set-cookie"]


@pytest.fixture
def routes_app(sqlite_engine, monkeypatch):
    """The cookie routes under base path "lianhu" on the test database."""

    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    web._engine.cache_clear()
    yield Starlette(routes=web.session_routes("lianhu"))
    web._engine.cache_clear()


SAME_ORIGIN = {"host": "kaoping.example", "origin": "https://kaoping.example", "sec-fetch-site": "same-origin"}


def test_cookie_route_sets_httponly_cookie_once(sqlite_engine, routes_app):
    """The ticket gives an HttpOnly, SameSite=Lax cookie under /lianhu/, Secure behind an https proxy; only once."""
    build_world(sqlite_engine)
    _, ticket = _open(sqlite_engine, now=utcnow())
    headers = {**SAME_ORIGIN, "x-forwarded-proto": "https"}
    status, cookies = _post(routes_app, "/lianhu/lianhu-auth/session", body=ticket.encode(), headers=headers)
    assert status == 204 and len(cookies) == 1
    cookie = cookies[0]
    assert cookie.startswith("lianhu_session=")
    assert all(part in cookie for part in ("HttpOnly", "SameSite=lax", "Path=/lianhu/", "Secure",
                                           "Max-Age=43200"))  # 12 h = 43,200 s
    token = cookie.split(";")[0].split("=", 1)[1]
    with read_session(sqlite_engine) as s:
        assert resume_session(session=s, token=token).ok
    again, none = _post(routes_app, "/lianhu/lianhu-auth/session", body=ticket.encode(), headers=headers)
    assert (again, none) == (403, [])


def test_cookie_routes_refuse_another_site(sqlite_engine, routes_app):
    """A ticket posted from another site (Origin or Sec-Fetch-Site) is refused and sets no cookie."""
    build_world(sqlite_engine)
    _, ticket = _open(sqlite_engine, now=utcnow())
    evil = {"host": "kaoping.example", "origin": "https://evil.example", "sec-fetch-site": "cross-site"}
    assert _post(routes_app, "/lianhu/lianhu-auth/session", body=ticket.encode(), headers=evil) == (403, [])
    no_fetch_site = {"host": "kaoping.example", "origin": "https://evil.example"}
    assert _post(routes_app, "/lianhu/lianhu-auth/session", body=ticket.encode(),
                 headers=no_fetch_site) == (403, [])
    # the ticket was not spent by the refused requests
    status, _ = _post(routes_app, "/lianhu/lianhu-auth/session", body=ticket.encode(), headers=SAME_ORIGIN)
    assert status == 204


def test_logout_route_revokes_and_deletes_the_cookie(sqlite_engine, routes_app):
    """POST logout with the cookie revokes its session and answers with an expired cookie."""
    build_world(sqlite_engine)
    _, ticket = _open(sqlite_engine, now=utcnow())
    _, cookies = _post(routes_app, "/lianhu/lianhu-auth/session", body=ticket.encode(), headers=SAME_ORIGIN)
    token = cookies[0].split(";")[0].split("=", 1)[1]
    status, cleared = _post(routes_app, "/lianhu/lianhu-auth/logout",
                            headers={**SAME_ORIGIN, "cookie": f"lianhu_session={token}"})
    assert status == 204 and "Max-Age=0" in cleared[0] and "Path=/lianhu/" in cleared[0]
    with read_session(sqlite_engine) as s:
        assert resume_session(session=s, token=token).ended == "revoked"
