"""两委成员 and 草稿: the committee members of a village per year (the raters of 两委打分), and a
member's partly filled sheet saved as a draft.

Members are data: the page picks the rater from the list. Names are compared without spaces
(``parse_name``), so 「测试 委员 丙」 and 「测试委员丙」 are one member.

A draft (committee_draft) holds whatever cells were typed, each checked like a saved score
(range, 2 decimals) but allowed empty. It lives in its own table, so no result query reads it;
it counts only when the sheet is saved complete with ``save_committee_sheet``, which removes the
member's draft for that quarter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.data.validation import (
    FieldError,
    is_blank,
    parse_name,
    parse_quarter,
    parse_score,
    parse_text,
)
from dashboard.domain import COMMITTEE_POSTS, DUTIES, DUTY_KEYS
from dashboard.services.auth import PermissionDenied, village_scope
from dashboard.services.entry import (
    SHEET_COMMITTEE,
    EntryContext,
    EntryError,
    SaveResult,
    duty_value,
    entry_context,
    finish_save,
    resolve_rows,
    sheet_rows_by_leader,
)
from models import CommitteeDraft, CommitteeMember, Grid, Leader, Village

POSTS = COMMITTEE_POSTS


def _check_village(session: Session, user, village_id: int) -> Village:
    village = session.get(Village, village_id)
    if village is None:
        raise EntryError("没有这个村")
    scope = village_scope(session=session, user=user)
    if scope is not None and village_id not in scope:
        raise PermissionDenied(f"{village.name}不在您负责的村内")
    return village


def committee_members(*, session: Session, user, year: int, village_id: int) -> list[dict[str, str]]:
    """The village's members of the year as {姓名, 职务}, 书记 and 主任 first."""
    _check_village(session, user, village_id)
    rows = session.exec(
        select(CommitteeMember).where(CommitteeMember.year == year, CommitteeMember.village_id == village_id)
    ).all()
    order = {post: i for i, post in enumerate(POSTS)}
    rows = sorted(rows, key=lambda m: (order.get(m.post, len(POSTS)), m.name))
    return [{"姓名": m.name, "职务": m.post} for m in rows]


def add_committee_member(
    *, session: Session, user, year: int, village_id: int, name: Any, post: Any = "委员"
) -> SaveResult:
    """Add a member to the village's list of the year; the name is stored without spaces."""
    ctx = entry_context(session, user, year, "两委成员", "维护两委成员")
    village = _check_village(session, user, village_id)
    try:
        name = parse_name(name)
    except FieldError as exc:
        ctx.field_error(exc, None, "姓名")
    try:
        post = parse_text(post, what="职务", max_len=16, field="职务")
    except FieldError as exc:
        ctx.field_error(exc, None, "职务")
    ctx.raise_if_any("两委成员")
    exists = session.exec(
        select(CommitteeMember.id).where(
            CommitteeMember.year == year, CommitteeMember.village_id == village_id, CommitteeMember.name == name
        )
    ).first()
    if exists is not None:
        raise EntryError(f"{village.name} {year} 年度的两委成员中已有「{name}」")
    session.add(CommitteeMember(year=year, village_id=village_id, name=name, post=post))
    revision = finish_save(session, ctx, action="committee.member_add", target=f"{village.name} {name}",
                           new={"姓名": name, "职务": post})
    return SaveResult(saved=1, revision=revision, message=f"已添加两委成员 {name}（{post}）")


def remove_committee_member(*, session: Session, user, year: int, village_id: int, name: Any) -> SaveResult:
    """Remove a member from the list; the scores the member gave stay (they are the year's inputs)."""
    ctx = entry_context(session, user, year, "两委成员", "维护两委成员")
    village = _check_village(session, user, village_id)
    name = parse_name(name)
    row = session.exec(
        select(CommitteeMember).where(
            CommitteeMember.year == year, CommitteeMember.village_id == village_id, CommitteeMember.name == name
        )
    ).first()
    if row is None:
        raise EntryError(f"{village.name} {year} 年度的两委成员中没有「{name}」")
    session.delete(row)
    revision = finish_save(session, ctx, action="committee.member_remove", target=f"{village.name} {name}",
                           new=None, old={"姓名": name, "职务": row.post})
    return SaveResult(cleared=1, revision=revision, message=f"已移除两委成员 {name}")


def committee_drafts(session: Session, *, year: int, quarter: int, rater: str) -> dict[int, CommitteeDraft]:
    """One member's draft for one quarter, by leader id."""
    return sheet_rows_by_leader(session, CommitteeDraft, year=year, quarter=quarter, rater=rater)


def clear_committee_draft(session: Session, *, year: int, quarter: int, rater: str) -> None:
    """The sheet was saved complete: its draft is done."""
    session.exec(delete(CommitteeDraft).where(
        CommitteeDraft.year == year, CommitteeDraft.quarter == quarter, CommitteeDraft.rater == rater))


def committee_sheet_header(ctx: EntryContext, quarter: Any, rater: Any) -> tuple[Any, Any]:
    """A 两委打分 sheet's 季度 and 评分人, checked; a bad one is recorded on `ctx` (no row)."""
    try:
        quarter = parse_quarter(quarter)
    except FieldError as exc:
        ctx.field_error(exc, None, "季度")
    try:
        rater = parse_name(rater, field="评分人")
    except FieldError as exc:
        ctx.field_error(FieldError(exc.reason.replace("姓名", "评分人")), None, "评分人")
    return quarter, rater


def save_committee_draft(
    *, session: Session, user, year: int, quarter: Any, rater: Any, rows: Iterable[Mapping[str, Any]]
) -> SaveResult:
    """Save a partly filled sheet as a draft (草稿): typed cells are checked, empty cells allowed.

    The draft replaces the member's earlier draft of that quarter and counts in no result.
    """
    rows = list(rows)
    ctx = entry_context(session, user, year, SHEET_COMMITTEE, "录入两委打分")
    quarter, rater = committee_sheet_header(ctx, quarter, rater)
    resolved = resolve_rows(ctx, session, rows)
    drafts = []
    for (number, ref), row in zip(resolved, rows, strict=True):
        values: dict[str, float | None] = {}
        for key in DUTY_KEYS:
            value = duty_value(row, key)
            if is_blank(value):
                values[key] = None
                continue
            try:
                values[key] = parse_score(value, max_value=ctx.scheme.role_max[key], field=DUTIES[key])
            except FieldError as exc:
                ctx.field_error(exc, number, DUTIES[key], ref)
        if ref is not None and any(v is not None for v in values.values()):
            drafts.append((ref, values))
    ctx.raise_if_any("两委打分草稿")
    clear_committee_draft(session, year=year, quarter=quarter, rater=rater)
    now = datetime.now(UTC)
    for ref, values in drafts:
        session.add(CommitteeDraft(year=year, quarter=quarter, rater=rater, leader_id=ref.id, **values,
                                   updated_at=now, updated_by=user.username))
    session.flush()
    # A draft changes no result: no revision bump, only the audit trail.
    audit.record(session, username=user.username, action="committee.draft", year=year,
                 target=f"第{quarter}季度 评分人 {rater}", old=None,
                 new={ref.code: values for ref, values in drafts}, reason=None)
    filled = sum(v is not None for _, values in drafts for v in values.values())
    return SaveResult(saved=len(drafts), message=f"已保存 {rater} 第 {quarter} 季度的草稿（{len(drafts)} 人，"
                                                 f"{filled} 格）；草稿不计入任何结果，填完后请点「保存打分」")


def draft_count(session: Session, *, year: int, village_id: int | None = None) -> dict[tuple[int, str], int]:
    """(quarter, rater) → number of leaders in a draft, for the completion overview."""
    query = select(CommitteeDraft.quarter, CommitteeDraft.rater, CommitteeDraft.leader_id).where(
        CommitteeDraft.year == year)
    if village_id is not None:
        query = (query.join(Leader, Leader.id == CommitteeDraft.leader_id)
                 .join(Grid, Grid.id == Leader.grid_id).where(Grid.village_id == village_id))
    out: dict[tuple[int, str], int] = {}
    for quarter, rater, _ in session.exec(query).all():
        out[(quarter, rater)] = out.get((quarter, rater), 0) + 1
    return out


def committee_draft_cells(
    *, session: Session, user, year: int, quarter: int, rater: str, village_id: int
) -> dict[str, dict[str, float | None]]:
    """The member's draft of a quarter for the village's leaders: 编号 → {duty name: value}."""
    _check_village(session, user, village_id)
    drafts = committee_drafts(session, year=year, quarter=quarter, rater=rater)
    if not drafts:
        return {}
    leaders = session.exec(
        select(Leader.id, Leader.code).join(Grid, Grid.id == Leader.grid_id).where(
            Grid.village_id == village_id, Leader.id.in_(list(drafts)))
    ).all()
    return {code: {DUTIES[k]: getattr(drafts[lid], k) for k in DUTY_KEYS} for lid, code in leaders}
