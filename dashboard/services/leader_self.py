"""个人述职 by the leader himself (role 本人), confirmed or returned by his village's assessor.

A leader's own report is stored as 待确认 and does not count until an assessor (or admin)
of the village confirms it; a returned one (已退回) carries the assessor's note and can be
changed and sent again. Everything here stays within the year's workflow (require_open) and
is in the audit trail. A 本人 account reaches nothing but its own leader's rows.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.data.inputs import next_version, replace_rows
from dashboard.data.validation import FieldError, parse_narrative, parse_score
from dashboard.data.years import bump_revision, get_year, require_open
from dashboard.domain import (
    DUTIES,
    DUTY_KEYS,
    SELF_CONFIRMED,
    SELF_PENDING,
    SELF_RETURNED,
    YEAR_OPEN,
)
from dashboard.services.auth import (
    ADMIN,
    ASSESSOR,
    LEADER,
    PermissionDenied,
    leader_village_id,
    require_role,
    village_scope,
)
from models import Grid, Leader, SelfReport, Village

REVIEW_ROLES = (ADMIN, ASSESSOR)


class SelfReportError(ValueError):
    """A self-report that cannot be saved or reviewed as asked; message in Chinese."""


def own_leader(*, session: Session, user) -> Leader:
    """The one leader a 本人 account belongs to."""
    require_role(user, (LEADER,), action="填写本人述职")
    leader = session.get(Leader, user.leader_id) if user.leader_id else None
    if leader is None:
        raise PermissionDenied("本账号没有对应的网格长或联户长，请联系管理员")
    return leader


def _fields(row: SelfReport | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        **{DUTIES[k]: getattr(row, k) for k in DUTY_KEYS}, "述职摘要": row.narrative or "",
        "状态": row.status, "退回意见": row.review_note or "", "版本": row.version,
    }


def own_self_report(*, session: Session, user, year: int) -> dict[str, Any] | None:
    """The leader's own report of the year (scores, narrative, status, note), or None."""
    leader = own_leader(session=session, user=user)
    row = session.exec(select(SelfReport).where(SelfReport.year == year, SelfReport.leader_id == leader.id)).first()
    return _fields(row)


def submit_own_self_report(*, session: Session, user, year: int, scores: dict[str, Any], narrative: Any) -> str:
    """Save the leader's own report as 待确认 (it counts once the assessor confirms it)."""
    leader = own_leader(session=session, user=user)
    require_open(session, year)
    values: dict[str, float] = {}
    problems: list[str] = []
    for key in DUTY_KEYS:
        try:
            values[key] = parse_score(scores.get(DUTIES[key], scores.get(key)), max_value=100, field=DUTIES[key])
        except FieldError as exc:
            problems.append(f"{DUTIES[key]}：{exc.reason}")
    try:
        text = parse_narrative(narrative)
    except FieldError as exc:
        problems.append(f"述职摘要：{exc.reason}")
    if problems:
        raise SelfReportError("个人述职未提交：" + "；".join(problems))
    row = session.exec(select(SelfReport).where(SelfReport.year == year, SelfReport.leader_id == leader.id)).first()
    old = _fields(row)
    replace_rows(
        session, SelfReport, year=year, remove=[] if row is None else [row.id], username=user.username,
        add=[{
            "leader_id": leader.id, **values, "narrative": text, "status": SELF_PENDING, "review_note": None,
            "version": next_version([] if row is None else [row.version]),
        }],
    )
    bump_revision(session, year)  # a confirmed report replaced by a pending one stops counting
    audit.record(session, username=user.username, action="self_report.submit", year=year,
                 target=f"{leader.code} {leader.name}", old=old, new={**values, "narrative": text})
    return f"已提交 {year} 年度个人述职，等待村评分员确认"


def pending_self_reports(*, session: Session, user, year: int) -> list[dict[str, Any]]:
    """Leaders' own reports waiting (待确认) in the user's villages."""
    require_role(user, REVIEW_ROLES, action="确认个人述职")
    scope = village_scope(session=session, user=user)
    query = (
        select(SelfReport, Leader.code, Leader.name, Leader.role, Village.name)
        .join(Leader, Leader.id == SelfReport.leader_id).join(Grid, Grid.id == Leader.grid_id)
        .join(Village, Village.id == Grid.village_id)
        .where(SelfReport.year == year, SelfReport.status == SELF_PENDING)
        .order_by(Village.name, Leader.code)
    )
    if scope is not None:
        query = query.where(Village.id.in_(sorted(scope) or [-1]))
    return [
        {"编号": code, "姓名": name, "职务": role, "村": vname, **_fields(row)}
        for row, code, name, role, vname in session.exec(query).all()
    ]


def review_self_report(*, session: Session, user, year: int, code: str, confirm: bool, note: str = "") -> str:
    """Confirm (it counts from now on) or return (with a note) one leader's pending own report."""
    require_role(user, REVIEW_ROLES, action="确认个人述职")
    require_open(session, year)
    leader = session.exec(select(Leader).where(Leader.code == code)).first()
    if leader is None:
        raise SelfReportError(f"编号 {code} 不存在")
    scope = village_scope(session=session, user=user)
    if scope is not None and leader_village_id(session=session, leader=leader) not in scope:
        raise PermissionDenied(f"{leader.code} {leader.name} 不在您负责的村内")
    row = session.exec(select(SelfReport).where(SelfReport.year == year, SelfReport.leader_id == leader.id)).first()
    if row is None or row.status != SELF_PENDING:
        raise SelfReportError(f"{leader.name} 没有待确认的个人述职")
    note = (note or "").strip()
    if not confirm and not note:
        raise SelfReportError("退回时请填写退回意见，告诉本人需要修改什么")
    if len(note) > 500:
        raise SelfReportError("退回意见最多 500 个字")
    row.status = SELF_CONFIRMED if confirm else SELF_RETURNED
    row.review_note = None if confirm else note
    session.add(row)
    bump_revision(session, year)
    audit.record(session, username=user.username, action="self_report.confirm" if confirm else "self_report.return",
                 year=year, target=f"{leader.code} {leader.name}", old={"状态": SELF_PENDING},
                 new={"状态": row.status}, reason=note or None)
    return f"已{'确认' if confirm else '退回'} {leader.name} 的个人述职"


def own_record_year_open(*, session: Session, user, year: int) -> bool:
    """True when the leader may see his 述职档案 of the year: from 公示 on, never while 录入中."""
    own_leader(session=session, user=user)
    row = get_year(session, year)
    return row is not None and row.status != YEAR_OPEN
