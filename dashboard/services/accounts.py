"""Accounts: create and update users, resolve their villages and township, demo accounts.

A village is named either plainly (``南峪村``, when only one township has a village of that
name) or with its township (``南峪乡/南峪村``). Every problem raises AuthError in Chinese.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.services.auth import (
    ADMIN,
    ASSESSOR,
    ROLE_LABELS,
    ROLES,
    AuthError,
    check_password_strength,
    hash_password,
    require_role,
    revoke_user_sessions,
    utcnow,
)
from models import LoginSession, Township, User, UserVillage, Village

DEMO_TOWNSHIP = "南峪乡"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str


# Fixed, documented in README.md (演示账户). seed-sample creates them; the app shows a
# 演示数据 banner as long as any of them exists.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo-admin", "demo-admin-2024", "admin", "演示管理员"),
    DemoAccount("demo-assessor", "demo-assessor-2024", "assessor", "演示评分员"),
    DemoAccount("demo-viewer", "demo-viewer-2024", "viewer", "演示查看"),
    DemoAccount("demo-official", "demo-official-2024", "official", "演示官员"),
)
# How many of the demo township's villages the demo assessor covers (the first by name).
DEMO_ASSESSOR_VILLAGES = 2


def resolve_township(*, session: Session, name: str) -> Township:
    """The township of that name; an error when there is none or several (other counties)."""
    name = (name or "").strip()
    rows = session.exec(select(Township).where(Township.name == name)).all()
    if not rows:
        raise AuthError(f"找不到乡镇「{name}」")
    if len(rows) > 1:
        raise AuthError(f"有 {len(rows)} 个名为「{name}」的乡镇，无法确定是哪一个")
    return rows[0]


def resolve_village(*, session: Session, name: str, township: str | None = None) -> Village:
    """A village by "乡镇/村" or by its plain name when that name is unique."""
    text = (name or "").strip().replace("／", "/")
    if "/" in text:
        township, text = (part.strip() for part in text.split("/", 1))
    query = select(Village, Township).join(Township, Township.id == Village.township_id)
    query = query.where(Village.name == text)
    if township:
        query = query.where(Township.name == township)
    rows = session.exec(query).all()
    if not rows:
        where = f"乡镇「{township}」中" if township else ""
        raise AuthError(f"找不到{where}村「{text}」")
    if len(rows) > 1:
        towns = "、".join(sorted(t.name for _, t in rows))
        raise AuthError(
            f"村名「{text}」在多个乡镇中都有（{towns}），请写成“乡镇/村”，如“{rows[0][1].name}/{text}”"
        )
    return rows[0][0]


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: str,
    villages: Sequence[str] = (),
    township: str | None = None,
    display_name: str | None = None,
    is_demo: bool = False,
    actor: str = "命令行",
) -> User:
    """Create an account (password hashed with argon2); assessors need at least one village.

    `actor` (who creates it) goes into the audit trail with the account's role and scope.
    """
    username = (username or "").strip()
    if not username:
        raise AuthError("用户名不能为空")
    if len(username) > 64:
        raise AuthError("用户名最多 64 个字符")
    if role not in ROLES:
        raise AuthError(f"角色「{role}」无效，应为 admin、assessor、viewer 或 official")
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise AuthError(f"用户名「{username}」已存在")
    check_password_strength(password)
    if role == ASSESSOR and not villages:
        raise AuthError("评分员至少要负责一个村")
    if role != ASSESSOR and villages:
        raise AuthError(f"只有评分员按村划分范围；{ROLE_LABELS[role]}不能指定村")
    town = resolve_township(session=session, name=township) if township else None
    village_rows = [resolve_village(session=session, name=v, township=township) for v in villages]
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        township_id=town.id if town else None,
        is_demo=is_demo,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    for village_id in sorted({v.id for v in village_rows}):
        session.add(UserVillage(user_id=user.id, village_id=village_id))
    session.flush()
    audit.record(session, username=actor, action="user.create", target=username,
                 new={"role": role, "villages": list(villages), "township": township, "demo": is_demo})
    return user


def set_password(*, session: Session, username: str, password: str, actor: str = "命令行") -> User:
    """Give an account a new password, lift any lock and end every session signed in with the old one."""
    user = _existing(session, username)
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    ended = revoke_user_sessions(session=session, user_id=user.id)
    # the password itself is never written to the trail
    audit.record(session, username=actor, action="user.update", target=username,
                 new={"password": "已重置", "ended_sessions": ended})
    return user


def set_disabled(*, session: Session, username: str, disabled: bool, actor: str = "命令行") -> User:
    """Disable an account (it can no longer sign in; its sessions end at once) or enable it again."""
    user = _existing(session, username)
    was = user.disabled_at is not None
    user.disabled_at = utcnow() if disabled else None
    session.add(user)
    ended = revoke_user_sessions(session=session, user_id=user.id) if disabled else 0
    audit.record(session, username=actor, action="user.update", target=username,
                 old={"disabled": was}, new={"disabled": disabled, "ended_sessions": ended})
    return user


def _existing(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise AuthError(f"用户「{username}」不存在")
    return user


def set_villages(
    *, session: Session, username: str, villages: Sequence[str], actor: str = "命令行"
) -> User:
    """Replace the villages an assessor covers."""
    user = _existing(session, username)
    if user.role != ASSESSOR:
        raise AuthError("只有评分员按村划分范围")
    if not villages:
        raise AuthError("评分员至少要负责一个村")
    rows = [resolve_village(session=session, name=v) for v in villages]
    old = user_villages(session=session, user_id=user.id)
    for link in session.exec(select(UserVillage).where(UserVillage.user_id == user.id)).all():
        session.delete(link)
    session.flush()
    for village_id in sorted({v.id for v in rows}):
        session.add(UserVillage(user_id=user.id, village_id=village_id))
    session.flush()
    audit.record(session, username=actor, action="user.update", target=username,
                 old={"villages": old}, new={"villages": user_villages(session=session, user_id=user.id)})
    return user


def user_villages(*, session: Session, user_id: int) -> list[str]:
    """"乡镇/村" names of the villages an assessor covers, sorted."""
    rows = session.exec(
        select(Township.name, Village.name)
        .join(Village, Village.township_id == Township.id)
        .join(UserVillage, UserVillage.village_id == Village.id)
        .where(UserVillage.user_id == user_id)
    ).all()
    return sorted(f"{t}/{v}" for t, v in rows)


def has_demo_accounts(*, session: Session) -> bool:
    """True while any demo account exists (the app then shows the 演示数据 banner)."""
    return session.exec(select(User.id).where(User.is_demo == True)).first() is not None  # noqa: E712


def create_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the documented demo accounts that do not exist yet; returns those created.

    The demo assessor covers the first two villages (by name) of 南峪乡, the viewer sees
    南峪乡, admin and official see everything. Needs the sample township to be loaded.
    """
    town = session.exec(select(Township).where(Township.name == DEMO_TOWNSHIP)).first()
    if town is None:
        raise AuthError(f"演示账户需要示例乡镇「{DEMO_TOWNSHIP}」，请先导入示例数据")
    villages = session.exec(
        select(Village).where(Village.township_id == town.id).order_by(Village.name)
    ).all()[:DEMO_ASSESSOR_VILLAGES]
    created = []
    for demo in DEMO_ACCOUNTS:
        if session.exec(select(User).where(User.username == demo.username)).first() is not None:
            continue
        create_user(
            session=session,
            username=demo.username,
            password=demo.password,
            role=demo.role,
            villages=[f"{DEMO_TOWNSHIP}/{v.name}" for v in villages] if demo.role == ASSESSOR else (),
            township=DEMO_TOWNSHIP if demo.role == "viewer" else None,
            display_name=demo.display_name,
            is_demo=True,
        )
        created.append(demo)
    return created


def delete_demo_accounts(*, session: Session, actor: str = "命令行") -> int:
    """Remove every demo account (before real use); returns how many were removed.

    Their sessions go with them (login_session.user_id cascades on delete).
    """
    users = session.exec(select(User).where(User.is_demo == True)).all()  # noqa: E712
    names = sorted(u.username for u in users)
    for user in users:
        session.delete(user)
    session.flush()
    if names:
        audit.record(session, username=actor, action="user.update", target="演示账户",
                     old={"accounts": names}, new=None, reason="删除演示账户")
    return len(users)


# --- account management in the app (admin only) ----------------------------------------------

STATUS_ENABLED, STATUS_DISABLED, STATUS_LOCKED = "启用", "停用", "锁定"
# Generated passwords avoid letters and digits that look alike on paper (0/O, 1/l/I).
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_PASSWORD_LENGTH = 14


@dataclass(frozen=True)
class AccountRow:
    """One account as the 账户管理 page lists it."""

    username: str
    display_name: str
    role: str
    scope: str
    status: str
    last_login: datetime | None
    is_demo: bool


def generate_password() -> str:
    """A random password of GENERATED_PASSWORD_LENGTH characters, shown once to the admin."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH))


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def account_status(user: User, *, now: datetime | None = None) -> str:
    """启用, 停用 (disabled) or 锁定 (locked after wrong passwords, until the lock ends)."""
    if user.disabled_at is not None:
        return STATUS_DISABLED
    moment = now or utcnow()
    if user.locked_until is not None and _utc(user.locked_until) > _utc(moment):
        return STATUS_LOCKED
    return STATUS_ENABLED


def _scope_label(session: Session, user: User) -> str:
    if user.role == ASSESSOR:
        return "、".join(user_villages(session=session, user_id=user.id)) or "（无）"
    if user.township_id is not None:
        town = session.get(Township, user.township_id)
        return town.name if town else "全部"
    return "全部"


def list_accounts(*, session: Session, user: User, now: datetime | None = None) -> list[AccountRow]:
    """Every account with its role, scope, status and last sign-in, by user name (admins only)."""
    require_role(user, (ADMIN,), action="管理账户")
    query = select(LoginSession.user_id, func.max(LoginSession.created_at)).group_by(LoginSession.user_id)
    last = {user_id: moment for user_id, moment in session.exec(query).all()}
    return [
        AccountRow(
            username=u.username, display_name=u.display_name or "", role=u.role,
            scope=_scope_label(session, u), status=account_status(u, now=now),
            last_login=last.get(u.id), is_demo=bool(u.is_demo),
        )
        for u in session.exec(select(User).order_by(User.username)).all()
    ]


def _enabled_admins(session: Session) -> set[str]:
    rows = session.exec(select(User.username).where(User.role == ADMIN, User.disabled_at.is_(None)))
    return set(rows.all())


def _keep_an_admin(session: Session, *, losing: set[str], what: str) -> None:
    """Refuse a change that would leave no enabled admin account."""
    if not _enabled_admins(session) - losing:
        raise AuthError(f"不能{what}：这是最后一个可用的管理员账号，请先新建或启用另一个管理员")


def create_account(
    *,
    session: Session,
    user: User,
    username: str,
    password: str,
    role: str,
    villages: Sequence[str] = (),
    township: str | None = None,
    display_name: str | None = None,
) -> User:
    """create_user from the app: the same rules as the create-user command, the admin as actor."""
    require_role(user, (ADMIN,), action="新建账号")
    return create_user(
        session=session, username=username, password=password, role=role, villages=villages,
        township=township or None, display_name=(display_name or "").strip() or None, actor=user.username,
    )


def set_role_and_scope(
    *,
    session: Session,
    user: User,
    username: str,
    role: str,
    villages: Sequence[str] = (),
    township: str | None = None,
) -> User:
    """Give an account a role and scope (villages for assessors, else an optional township).

    A role change ends the account's sessions so that its menu is rebuilt at the next sign-in.
    """
    require_role(user, (ADMIN,), action="修改账号")
    target = _existing(session, username)
    if role not in ROLES:
        raise AuthError(f"角色「{role}」无效，应为 admin、assessor、viewer 或 official")
    if target.role == ADMIN and role != ADMIN:
        _keep_an_admin(session, losing={target.username}, what=f"把「{username}」改为{ROLE_LABELS[role]}")
    if role == ASSESSOR and not villages:
        raise AuthError("评分员至少要负责一个村")
    if role != ASSESSOR and villages:
        raise AuthError(f"只有评分员按村划分范围；{ROLE_LABELS[role]}不能指定村")
    town = resolve_township(session=session, name=township) if township and role != ADMIN else None
    rows = [resolve_village(session=session, name=v) for v in villages]
    old = {"role": target.role, "villages": user_villages(session=session, user_id=target.id),
           "township": _scope_label(session, target) if target.role != ASSESSOR else None}
    for link in session.exec(select(UserVillage).where(UserVillage.user_id == target.id)).all():
        session.delete(link)
    session.flush()
    for village_id in sorted({v.id for v in rows}):
        session.add(UserVillage(user_id=target.id, village_id=village_id))
    role_changed = target.role != role
    target.role = role
    target.township_id = town.id if town and role != ASSESSOR else None
    session.add(target)
    session.flush()
    ended = revoke_user_sessions(session=session, user_id=target.id) if role_changed else 0
    audit.record(session, username=user.username, action="user.update", target=username, old=old,
                 new={"role": role, "villages": user_villages(session=session, user_id=target.id),
                      "township": town.name if town else None, "ended_sessions": ended})
    return target


def reset_password(*, session: Session, user: User, username: str) -> str:
    """A new generated password for the account (returned once, never stored in clear); its sessions end."""
    require_role(user, (ADMIN,), action="重置密码")
    password = generate_password()
    set_password(session=session, username=username, password=password, actor=user.username)
    return password


def unlock_account(*, session: Session, user: User, username: str) -> User:
    """Lift a lock left by wrong passwords before it runs out."""
    require_role(user, (ADMIN,), action="解锁账号")
    target = _existing(session, username)
    old = {"locked_until": target.locked_until, "failed_logins": target.failed_logins}
    target.failed_logins = 0
    target.locked_until = None
    session.add(target)
    audit.record(session, username=user.username, action="user.update", target=username,
                 old=old, new={"locked_until": None, "failed_logins": 0}, reason="解锁")
    return target


def set_account_disabled(*, session: Session, user: User, username: str, disabled: bool) -> User:
    """Disable (sessions end at once) or enable an account; never the last enabled admin."""
    require_role(user, (ADMIN,), action="停用或启用账号")
    target = _existing(session, username)
    if disabled and target.role == ADMIN:
        _keep_an_admin(session, losing={target.username}, what=f"停用「{username}」")
    return set_disabled(session=session, username=username, disabled=disabled, actor=user.username)


def remove_demo_accounts(*, session: Session, user: User) -> int:
    """Remove the demo accounts from the app; refused while the admin signed in is one of them,
    or when no other enabled admin would remain."""
    require_role(user, (ADMIN,), action="删除演示账户")
    if user.is_demo:
        raise AuthError("您正用演示账户登录。请先新建自己的管理员账号，用它登录后再删除演示账户")
    demos = set(session.exec(select(User.username).where(User.is_demo == True)).all())  # noqa: E712
    _keep_an_admin(session, losing=demos, what="删除演示账户")
    return delete_demo_accounts(session=session, actor=user.username)


def scope_choices(*, session: Session, user: User) -> tuple[list[str], list[str]]:
    """The "乡镇/村" names of every village and the names of every township, sorted (admins only)."""
    require_role(user, (ADMIN,), action="管理账户")
    villages = session.exec(
        select(Township.name, Village.name).join(Village, Village.township_id == Township.id)
    ).all()
    towns = session.exec(select(Township.name)).all()
    return sorted(f"{t}/{v}" for t, v in villages), sorted(set(towns))
