"""Sign-in and permissions: argon2 password hashes, lockout, session expiry, roles and scope.

Roles: 管理员 admin (everything), 评分员 assessor (enters scores for the villages in
``UserVillage``), 查看 viewer (reads; scoped to ``User.township_id`` when set), 官员 official
(reads, imports and runs the year's workflow; scoped to ``User.township_id`` when set).

Five wrong passwords in a row lock an account for 15 minutes; a signed-in session expires
after 8 hours without activity. Every clock reading is injectable (``now=``) for tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, select

from dashboard import audit
from models import Grid, Leader, User, UserVillage, Village

ADMIN = "admin"
ASSESSOR = "assessor"
VIEWER = "viewer"
OFFICIAL = "official"
ROLES = (ADMIN, ASSESSOR, VIEWER, OFFICIAL)
ROLE_LABELS = {ADMIN: "管理员", ASSESSOR: "评分员", VIEWER: "查看", OFFICIAL: "官员"}

# Roles that may write score inputs and the roster (each service checks again).
ENTRY_ROLES = (ADMIN, ASSESSOR)
# Roles that may import a data workbook.
IMPORT_ROLES = (ADMIN, ASSESSOR, OFFICIAL)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_IDLE_LIMIT = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()
# Verified against for unknown user names, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("lianhu-no-such-user")


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
    username = (username or "").strip()
    user = session.exec(select(User).where(User.username == username)).first() if username else None
    if user is None:
        verify_password(_DUMMY_HASH, password or "")
        return SignInResult(None, "用户名或密码错误")
    if user.locked_until is not None and _aware(user.locked_until) > now:
        minutes = max(1, -(-int((_aware(user.locked_until) - now).total_seconds()) // 60))
        return SignInResult(
            None, f"密码连续输错 {MAX_FAILED_LOGINS} 次，账户已锁定，请 {minutes} 分钟后再试"
        )
    if not verify_password(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins = 0
            user.locked_until = now + LOCKOUT
            session.add(user)
            audit.record(session, username=user.username, action="user.locked", target=user.username,
                         new={"locked_until": user.locked_until},
                         reason=f"密码连续输错 {MAX_FAILED_LOGINS} 次")
            return SignInResult(
                None,
                f"密码连续输错 {MAX_FAILED_LOGINS} 次，账户已锁定 "
                f"{int(LOCKOUT.total_seconds() // 60)} 分钟",
            )
        session.add(user)
        left = MAX_FAILED_LOGINS - user.failed_logins
        return SignInResult(None, f"用户名或密码错误（再错 {left} 次将锁定账户）")
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(user)
    return SignInResult(
        SignedInUser(
            user_id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name or user.username,
        )
    )


def session_expired(last_seen: datetime | None, *, now: datetime | None = None) -> bool:
    """True when a signed-in session has been idle longer than SESSION_IDLE_LIMIT."""
    if last_seen is None:
        return True
    return _aware(now or utcnow()) - _aware(last_seen) > SESSION_IDLE_LIMIT


def load_signed_in(*, session: Session, user_id: int) -> SignedInUser | None:
    """The signed-in user again from the database (None when the account is gone)."""
    user = session.get(User, user_id)
    if user is None:
        return None
    return SignedInUser(
        user_id=user.id, username=user.username, role=user.role,
        display_name=user.display_name or user.username,
    )


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
