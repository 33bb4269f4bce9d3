"""本人 accounts for a village's leaders, made in bulk with one-time initial passwords.

Each active leader of the village without an account gets one (user name = his 编号) with a
random initial password that exists in clear text only on the printed sheet; the first
sign-in must replace it (User.must_change_password).
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.domain import ACTIVE, GRID_LEADER
from dashboard.services.auth import (
    ADMIN,
    LEADER,
    AuthError,
    PermissionDenied,
    check_password_strength,
    hash_password,
    require_role,
    verify_password,
)
from dashboard.services.rounds import CODE_ALPHABET, public_url
from models import Grid, Leader, LoginSession, Township, User, Village

ACCOUNT_ROLES = (ADMIN,)
INITIAL_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class InitialPassword:
    code: str
    name: str
    role: str
    username: str
    password: str


def create_leader_accounts(*, session: Session, user, village_id: int) -> list[InitialPassword]:
    """An account for every active leader of the village who has none; their initial passwords."""
    require_role(user, ACCOUNT_ROLES, action="批量建立本人账号")
    village = session.get(Village, village_id)
    if village is None:
        raise AuthError("所选的村不存在")
    leaders = session.exec(
        select(Leader).join(Grid, Grid.id == Leader.grid_id)
        .where(Grid.village_id == village_id, Leader.status == ACTIVE).order_by(Leader.code)
    ).all()
    have = set(session.exec(select(User.leader_id).where(User.leader_id.is_not(None))).all())
    taken = set(session.exec(select(User.username)).all())
    made: list[InitialPassword] = []
    for leader in sorted(leaders, key=lambda x: (x.role != GRID_LEADER, x.code)):
        if leader.id in have:
            continue
        if leader.code in taken:
            raise AuthError(f"用户名「{leader.code}」已被其他账号使用，不能为 {leader.name} 建立本人账号")
        password = "".join(secrets.choice(CODE_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH))
        session.add(User(username=leader.code, password_hash=hash_password(password), role=LEADER,
                         display_name=leader.name, leader_id=leader.id, must_change_password=True,
                         created_at=audit.now_utc()))
        made.append(InitialPassword(code=leader.code, name=leader.name, role=leader.role,
                                    username=leader.code, password=password))
    town = session.get(Township, village.township_id)
    audit.record(session, username=user.username, action="user.create", target=f"{town.name}{village.name} 本人账号",
                 new={"角色": "本人", "账号": [m.username for m in made]})
    return made


def change_own_password(*, session: Session, user_id: int, old: str, new: str, keep_session_id: int | None) -> None:
    """The signed-in user replaces his password (required after a printed initial one).

    Every other session of the account ends; the current one stays signed in.
    """
    user = session.get(User, user_id)
    if user is None:
        raise PermissionDenied("账号已不存在，请重新登录")
    if not verify_password(user.password_hash, old or ""):
        raise AuthError("原密码不正确")
    check_password_strength(new or "")
    if new == old:
        raise AuthError("新密码不能与原密码相同")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.add(user)
    others = session.exec(select(LoginSession).where(LoginSession.user_id == user.id,
                                                     LoginSession.revoked_at.is_(None))).all()
    for row in others:
        if row.id != keep_session_id:
            row.revoked_at = audit.now_utc()
            session.add(row)
    audit.record(session, username=user.username, action="user.update", target=user.username,
                 new={"password": "本人已修改"})


def initial_passwords_html(title: str, rows: list[InitialPassword]) -> str:
    """A print-ready A4 sheet, one cut-out slip per leader with his user name and initial password."""
    parts = [
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        f"<title>{html.escape(title)} · 本人账号</title><style>@page {{ size: A4; margin: 10mm; }}"
        "body { font-family: \"Noto Sans CJK SC\", \"Microsoft YaHei\", sans-serif; }"
        ".sheet { display: grid; grid-template-columns: 1fr 1fr; }"
        ".slip { border: 1px dashed #888; padding: 5mm; height: 45mm; break-inside: avoid; }"
        ".slip h2 { font-size: 12pt; margin: 0 0 2mm; } .slip p { margin: 1mm 0; font-size: 10pt; }"
        ".pw { font-family: monospace; font-size: 15pt; font-weight: bold; }</style></head><body>",
        f"<p>{html.escape(title)} · 本人账号 {len(rows)} 个 · 初始密码只能用一次，首次登录后必须修改</p>",
        "<div class=\"sheet\">",
    ]
    for r in rows:
        parts.append(
            f"<div class=\"slip\"><h2>{html.escape(r.name)}（{html.escape(r.role)}）</h2>"
            f"<p>登录网址：{html.escape(public_url())}</p>"
            f"<p>用户名：<span class=\"pw\">{html.escape(r.username)}</span></p>"
            f"<p>初始密码：<span class=\"pw\">{html.escape(r.password)}</span></p>"
            "<p>请妥善保管，不要告诉他人。</p></div>"
        )
    parts.append("</div></body></html>")
    return "".join(parts)


