"""Sign-in and permissions: argon2 password hashes, lockout, session expiry, roles and scope.

Roles: 管理员 admin (everything), 评分员 assessor (enters scores for the villages in
``UserVillage``), 查看 viewer (reads; scoped to ``User.township_id`` when set), 官员 official
(reads, imports and runs the year's workflow; scoped to ``User.township_id`` when set).

Five wrong passwords in a row lock an account for 15 minutes. Every failed sign-in gets the
same answer, whether the name exists or not. Sessions are server-side (``LoginSession``): a
session ends after 8 hours without activity, 12 hours after sign-in, at 退出登录, and when the
account's password is reset, the account is disabled or removed. Every clock reading is
injectable (``now=``) for tests.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, delete, select

from dashboard.data import audit
from models import Grid, Leader, LoginSession, User, UserVillage, Village

ADMIN = "admin"
ASSESSOR = "assessor"
VIEWER = "viewer"
OFFICIAL = "official"
# 本人: a leader's own account, linked to one leader (User.leader_id); sees only his own inputs.
LEADER = "leader"
ROLES = (ADMIN, ASSESSOR, VIEWER, OFFICIAL, LEADER)
ROLE_LABELS = {ADMIN: "管理员", ASSESSOR: "评分员", VIEWER: "查看", OFFICIAL: "官员", LEADER: "本人"}

# Roles that may write score inputs and the roster (each service checks again).
ENTRY_ROLES = (ADMIN, ASSESSOR)
# Roles that may import a data workbook.
IMPORT_ROLES = (ADMIN, ASSESSOR, OFFICIAL)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_IDLE_LIMIT = timedelta(hours=8)
# However active, a session ends this long after sign-in (one working day plus overtime).
SESSION_ABSOLUTE_LIMIT = timedelta(hours=12)
# The browser trades the sign-in ticket for its cookie within this time, or signs in again.
TICKET_LIFETIME = timedelta(seconds=60)
# Activity is written at most this often, so that clicking around is not a write per click.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
SESSION_COOKIE = "lianhu_session"
# The one answer to every failed sign-in: it never tells whether the name exists.
SIGN_IN_FAILED = (
    f"用户名或密码错误，或该账户因连续输错 {MAX_FAILED_LOGINS} 次已锁定"
    f"（{int(LOCKOUT.total_seconds() // 60)} 分钟后自动解锁）"
)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against for unknown user names, so that a wrong name costs as long as a wrong password.

    Made on the first sign-in (before the name is looked up, so that first attempt costs the same
    whatever the name), not at import: every command would otherwise pay one argon2 hash.
    """
    return _hasher.hash("lianhu-no-such-user")


class PermissionDenied(Exception):
    """The signed-in user may not do this; the message (Chinese) is shown as is."""


class AuthError(ValueError):
    """A sign-in or account problem; the message (Chinese) is shown as is."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- passwords ------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash (with its own salt and parameters) of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored argon2 hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to be worth a lockout."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")


# --- signing in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedInUser:
    """What the app keeps about a signed-in user: primitives only (no ORM object)."""

    user_id: int
    username: str
    role: str
    display_name: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


@dataclass(frozen=True)
class SignInResult:
    """The outcome of one sign-in attempt: ``user`` on success, else a Chinese ``message``."""

    user: SignedInUser | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None


def authenticate(
    *, session: Session, username: str, password: str, now: datetime | None = None
) -> SignInResult:
    """Check a user name and password, counting failures and locking after five.

    The caller commits the session whatever the outcome: the failure counter and the lock
    are part of the result.
    """
    now = _aware(now or utcnow())
    _dummy_hash()
    username = (username or "").strip()
    user = session.exec(select(User).where(User.username == username)).first() if username else None
    if user is None or user.disabled_at is not None:
        # An unknown or disabled name costs one hash verification like a known one, and
        # answers the same.
        verify_password(_dummy_hash(), password or "")
        return SignInResult(None, SIGN_IN_FAILED)
    if user.locked_until is not None and _aware(user.locked_until) > now:
        verify_password(_dummy_hash(), password or "")
        return SignInResult(None, SIGN_IN_FAILED)
    if not verify_password(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins = 0
            user.locked_until = now + LOCKOUT
            audit.record(session, username=user.username, action="user.locked", target=user.username,
                         new={"locked_until": user.locked_until},
                         reason=f"密码连续输错 {MAX_FAILED_LOGINS} 次")
        session.add(user)
        return SignInResult(None, SIGN_IN_FAILED)
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(user)
    return SignInResult(_signed(user))


def _signed(user: User) -> SignedInUser:
    return SignedInUser(
        user_id=user.id, username=user.username, role=user.role,
        display_name=user.display_name or user.username,
    )


def session_expired(last_seen: datetime | None, *, now: datetime | None = None) -> bool:
    """True when a signed-in session has been idle longer than SESSION_IDLE_LIMIT."""
    if last_seen is None:
        return True
    return _aware(now or utcnow()) - _aware(last_seen) > SESSION_IDLE_LIMIT


def load_signed_in(*, session: Session, user_id: int) -> SignedInUser | None:
    """The signed-in user again from the database (None when the account is gone)."""
    user = session.get(User, user_id)
    return None if user is None else _signed(user)


# --- server-side sessions --------------------------------------------------------------------


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a cookie token or ticket is stored; the value never is."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ResumedSession:
    """A valid session found again: its row id and user; or why there is none (``ended``)."""

    session_id: int | None
    user: SignedInUser | None
    ended: str = ""  # "timeout" when a limit ran out, "revoked", or "" (no such session)
    stale: bool = False  # activity is due to be recorded (touch_session)

    @property
    def ok(self) -> bool:
        return self.user is not None


def start_session(*, session: Session, user_id: int, now: datetime | None = None) -> tuple[int, str]:
    """A new session for a signed-in user: (row id, one-time ticket for the cookie route).

    Sessions past the absolute limit are deleted on the way (they can never be used again).
    """
    now = _aware(now or utcnow())
    session.exec(delete(LoginSession).where(LoginSession.created_at < now - SESSION_ABSOLUTE_LIMIT))
    ticket = secrets.token_urlsafe(32)
    row = LoginSession(user_id=user_id, ticket_hash=hash_token(ticket), ticket_expires_at=now + TICKET_LIFETIME,
                       created_at=now, last_seen_at=now)
    session.add(row)
    session.flush()
    return row.id, ticket


def issue_cookie_token(*, session: Session, ticket: str, now: datetime | None = None) -> str | None:
    """Trade a sign-in ticket (once, within TICKET_LIFETIME) for the session's cookie token.

    Returns the new random token (only its hash is stored), or None when the ticket is
    unknown, used, expired, or its session has ended.
    """
    now = _aware(now or utcnow())
    if not ticket:
        return None
    row = session.exec(select(LoginSession).where(LoginSession.ticket_hash == hash_token(ticket))).first()
    if row is None:
        return None
    row.ticket_hash = None  # single use, whatever follows
    session.add(row)
    if row.ticket_expires_at is None or _aware(row.ticket_expires_at) < now or _check(session, row, now).user is None:
        return None
    token = secrets.token_urlsafe(32)
    row.token_hash = hash_token(token)
    row.ticket_expires_at = None
    return token


def resume_session(
    *, session: Session, token: str | None = None, session_id: int | None = None, now: datetime | None = None
) -> ResumedSession:
    """The session of a cookie token (a new browser tab or a reload) or of a row id (a running tab).

    Checks revocation, the idle and absolute limits and the account; reads only, so that a
    page run is no write: ``stale`` says when to record the activity with touch_session.
    """
    now = _aware(now or utcnow())
    row = None
    if token:
        row = session.exec(select(LoginSession).where(LoginSession.token_hash == hash_token(token))).first()
    elif session_id is not None:
        row = session.get(LoginSession, session_id)
    if row is None:
        return ResumedSession(None, None)
    return _check(session, row, now)


def _check(session: Session, row: LoginSession, now: datetime) -> ResumedSession:
    if row.revoked_at is not None:
        return ResumedSession(row.id, None, "revoked")
    if session_expired(row.last_seen_at, now=now) or now - _aware(row.created_at) > SESSION_ABSOLUTE_LIMIT:
        return ResumedSession(row.id, None, "timeout")
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return ResumedSession(row.id, None, "revoked")
    return ResumedSession(row.id, _signed(user), stale=now - _aware(row.last_seen_at) >= LAST_SEEN_RESOLUTION)


def touch_session(*, session: Session, session_id: int, now: datetime | None = None) -> None:
    """Record activity on an open session (the idle limit counts from here)."""
    row = session.get(LoginSession, session_id)
    if row is not None and row.revoked_at is None:
        row.last_seen_at = _aware(now or utcnow())
        session.add(row)


def end_session(
    *, session: Session, token: str | None = None, session_id: int | None = None, now: datetime | None = None
) -> bool:
    """退出登录: revoke the session of a cookie token or row id; True when one was open."""
    now = _aware(now or utcnow())
    query = select(LoginSession).where(LoginSession.revoked_at.is_(None))
    if token:
        query = query.where(LoginSession.token_hash == hash_token(token))
    elif session_id is not None:
        query = query.where(LoginSession.id == session_id)
    else:
        return False
    row = session.exec(query).first()
    if row is None:
        return False
    row.revoked_at = now
    row.ticket_hash = None
    session.add(row)
    return True


def revoke_user_sessions(*, session: Session, user_id: int, now: datetime | None = None) -> int:
    """End every open session of an account (password reset, disabling); returns how many."""
    now = _aware(now or utcnow())
    rows = session.exec(
        select(LoginSession).where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = now
        row.ticket_hash = None
        session.add(row)
    return len(rows)


# --- permissions and scope ------------------------------------------------------------------


def require_role(user: User, roles: Iterable[str], *, action: str) -> None:
    """Raise PermissionDenied unless the user has one of the roles."""
    roles = tuple(roles)
    if user is None or user.role not in roles:
        label = ROLE_LABELS.get(getattr(user, "role", ""), "未登录")
        allowed = "、".join(ROLE_LABELS[r] for r in roles)
        raise PermissionDenied(f"您的角色（{label}）无权{action}；只有{allowed}可以")


def village_scope(*, session: Session, user: User) -> set[int] | None:
    """The village ids a user may see or change; None means every village."""
    if user.role == ADMIN:
        return None
    if user.role == LEADER:  # his own inputs only, through services/leader_self.py
        return set()
    if user.role == ASSESSOR:
        rows = session.exec(select(UserVillage.village_id).where(UserVillage.user_id == user.id))
        return set(rows.all())
    if user.township_id is None:
        return None
    rows = session.exec(select(Village.id).where(Village.township_id == user.township_id))
    return set(rows.all())


def leader_village_id(*, session: Session, leader: Leader) -> int:
    grid = session.get(Grid, leader.grid_id)
    return grid.village_id


def in_scope(scope: set[int] | None, village_id: int) -> bool:
    return scope is None or village_id in scope


def write_refusal(
    scope: set[int] | None,
    *,
    stored_village: int | None = None,
    stored_place: str | None = None,
    new_village: int | None = None,
    new_place: str | None = None,
) -> str | None:
    """The one scope rule of every write; None when allowed, else why not (Chinese).

    A scoped user may touch a leader only when the leader's stored village and the village the
    write gives it are both in scope; creating a leader needs the new village in scope. Pass
    the stored place for an existing leader and the new place for a roster write (a village
    that does not exist yet has no id and is never in a scope). The caller names the row.
    """
    if scope is None:
        return None
    if stored_place is not None and (stored_village is None or stored_village not in scope):
        return f"现属 {stored_place}，不在您负责的村内"
    if new_place is not None and (new_village is None or new_village not in scope):
        return f"{new_place} 不在您负责的村内"
    return None
