"""Roster services (人员名册): add or edit a leader, mark one 离任, and the edit form's fields.

A roster change is refused while the roster is frozen (a year in 公示/定稿) and bumps every year's
data revision, since the roster feeds every year's results.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.data.validation import (
    FieldError,
    parse_code,
    parse_date,
    parse_gender,
    parse_name,
    parse_role,
    parse_status,
    parse_text,
)
from dashboard.data.years import bump_revision, roster_frozen
from dashboard.domain import ACTIVE, GRID_LEADER, HOUSEHOLD_LEADER, RETIRED
from dashboard.scoring.scheme import Scheme
from dashboard.services.auth import (
    ENTRY_ROLES,
    PermissionDenied,
    in_scope,
    require_role,
    village_scope,
    write_refusal,
)
from dashboard.services.entry import (
    SHEET_ROSTER,
    EntryContext,
    EntryError,
    SaveResult,
    leader_refusal,
    leaders_by_code,
    scope_leaders,
)
from models import AssessmentYear, DefenseGroup, Grid, Leader, Village

ROSTER_FIELDS = ("编号", "姓名", "性别", "民族", "职务", "网格", "联防组", "联系电话", "任职日期", "状态")


def _parse_leader_fields(ctx: EntryContext, fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def take(column: str, parse) -> None:
        try:
            out[column] = parse(fields.get(column))
        except FieldError as exc:
            ctx.field_error(exc, 1, column)

    take("编号", parse_code)
    take("姓名", parse_name)
    take("性别", parse_gender)
    take("民族", lambda v: parse_text(v, what="民族", required=False, max_len=32, field="民族"))
    take("职务", parse_role)
    take("网格", lambda v: parse_text(v, what="网格", max_len=64, field="网格"))
    take("联防组", lambda v: parse_text(v, what="联防组", required=False, max_len=64, field="联防组"))
    take("联系电话", lambda v: parse_text(v, what="联系电话", required=False, max_len=32, field="联系电话"))
    take("任职日期", lambda v: parse_date(v, field="任职日期", what="任职日期"))
    take("状态", parse_status)
    role, group = out.get("职务"), out.get("联防组")
    if role == HOUSEHOLD_LEADER and "联防组" in out and group is None:
        ctx.error(1, "联防组", "联户长必须填写所在联防组")
    if role == GRID_LEADER and group is not None:
        ctx.error(1, "联防组", "网格长不属于联防组，联防组应留空")
    return out


def _roster_context(session: Session, user, action: str) -> EntryContext:
    require_role(user, ENTRY_ROLES, action=action)
    return EntryContext(user=user, year=0, scheme=Scheme.default(),
                    scope=village_scope(session=session, user=user), sheet=SHEET_ROSTER)


def _place(session: Session, village_id: int, grid: str, group: str | None) -> tuple[int, int | None]:
    grid_row = session.exec(select(Grid).where(Grid.village_id == village_id, Grid.name == grid)).first()
    if grid_row is None:
        grid_row = Grid(village_id=village_id, name=grid)
        session.add(grid_row)
        session.flush()
    if group is None:
        return grid_row.id, None
    group_row = session.exec(
        select(DefenseGroup).where(DefenseGroup.grid_id == grid_row.id, DefenseGroup.name == group)
    ).first()
    if group_row is None:
        group_row = DefenseGroup(grid_id=grid_row.id, name=group)
        session.add(group_row)
        session.flush()
    return grid_row.id, group_row.id


def _refuse_frozen_roster(session: Session) -> None:
    frozen = roster_frozen(session)
    if frozen is not None:
        raise EntryError(frozen)


def _bump_all_years(session: Session) -> None:
    # The roster feeds every year's results: any cached year must be recomputed.
    for year in session.exec(select(AssessmentYear.year)).all():
        bump_revision(session, year)


def _who(name: str | None, code: str | None) -> str | None:
    """How a roster form's errors name the person: 姓名（编号 X）, or what of it was typed."""
    if name and code:
        return f"{name}（编号 {code}）"
    return name or (f"编号 {code}" if code else None)


def save_leader(
    *, session: Session, user, village_id: int, fields: Mapping[str, Any], code: str | None = None
) -> SaveResult:
    """Add a leader (``code`` None) or edit the leader with that 编号, in a village of the user's scope.

    ``fields`` uses the 人员名册 column names (编号, 姓名, 性别, 民族, 职务, 网格, 联防组,
    联系电话, 任职日期, 状态); a grid or joint-defense group named for the first time is created.
    """
    ctx = _roster_context(session, user, "修改人员名册" if code else "添加人员")
    values = _parse_leader_fields(ctx, fields)
    village = session.get(Village, village_id)
    if village is None:
        ctx.error(1, "村", "所选的村不存在")
    existing = None
    if code is not None:
        ref = leaders_by_code(session, [code]).get(code)
        if ref is None:
            raise EntryError(f"编号 {code} 不在人员名册中")
        if refusal := leader_refusal(ctx.scope, ref, village):
            raise PermissionDenied(refusal)
        existing = session.get(Leader, ref.id)
    elif village is not None and (refusal := write_refusal(ctx.scope, new_village=village.id, new_place=village.name)):
        shown = values.get("姓名") or values.get("编号") or "新人员"
        raise PermissionDenied(f"添加「{shown}」：{refusal}")
    _refuse_frozen_roster(session)
    new_code = values.get("编号")
    if new_code is not None and new_code != code:
        if session.exec(select(Leader.id).where(Leader.code == new_code)).first() is not None:
            ctx.error(1, "编号", f"编号 {new_code} 已被其他人员使用")
    ctx.name_leader(_who(values.get("姓名") or (existing.name if existing else None), new_code or code))
    ctx.raise_if_any("人员名册")
    grid_id, group_id = _place(session, village.id, values["网格"], values["联防组"])
    leader = existing or Leader(code=new_code, name="", gender="男", role=values["职务"],
                                appointed_on=values["任职日期"], grid_id=grid_id)
    old = None if existing is None else {k: getattr(existing, k) for k in
                                         ("code", "name", "gender", "ethnicity", "role", "phone",
                                          "appointed_on", "status", "grid_id", "group_id")}
    leader.code = new_code
    leader.name = values["姓名"]
    leader.gender = values["性别"]
    leader.ethnicity = values["民族"]
    leader.role = values["职务"]
    leader.phone = values["联系电话"]
    leader.appointed_on = values["任职日期"]
    leader.status = values["状态"]
    leader.grid_id = grid_id
    leader.group_id = group_id
    session.add(leader)
    session.flush()
    _bump_all_years(session)
    audit.record(session, username=user.username, action="leader.save", target=f"{leader.code} {leader.name}",
                 old=old, new={k: values[k] for k in ROSTER_FIELDS})
    verb = "修改" if existing else "添加"
    return SaveResult(saved=1, message=f"已{verb} {leader.name}（{leader.code}）")


def retire_leader(*, session: Session, user, code: str, retired: bool = True) -> SaveResult:
    """Mark a leader 离任 (stays in the roster, gets no result row), or back to 在任."""
    ctx = _roster_context(session, user, "修改人员名册")
    ref = leaders_by_code(session, [code]).get(code)
    if ref is None:
        raise EntryError(f"编号 {code} 不在人员名册中")
    if refusal := leader_refusal(ctx.scope, ref):
        raise PermissionDenied(refusal)
    _refuse_frozen_roster(session)
    leader = session.get(Leader, ref.id)
    old = leader.status
    leader.status = RETIRED if retired else ACTIVE
    session.add(leader)
    session.flush()
    _bump_all_years(session)
    audit.record(session, username=user.username, action="leader.save", target=f"{ref.code} {ref.name}",
                 old={"status": old}, new={"status": leader.status})
    return SaveResult(saved=1, message=f"{ref.name}（{ref.code}）已标记为{leader.status}")


def leader_fields(*, session: Session, user, code: str) -> dict[str, Any]:
    """One leader's roster fields (人员名册 column names), for the edit form; scope checked."""
    ref = leaders_by_code(session, [code]).get(code)
    if ref is None:
        raise EntryError(f"编号 {code} 不在人员名册中")
    if not in_scope(village_scope(session=session, user=user), ref.village_id):
        raise PermissionDenied(f"编号 {code}（{ref.name}）属于 {ref.township}/{ref.village}，不在您的范围内")
    leader = session.get(Leader, ref.id)
    return {
        "编号": leader.code, "姓名": leader.name, "性别": leader.gender, "民族": leader.ethnicity,
        "职务": leader.role, "乡镇": ref.township, "村": ref.village, "网格": ref.grid,
        "联防组": ref.group, "联系电话": leader.phone, "任职日期": leader.appointed_on,
        "状态": leader.status,
    }


ROSTER_COLUMNS = ["编号", "姓名", "职务", "乡镇", "村", "网格", "联防组", "任职日期", "状态"]


def roster_table(*, session: Session, user) -> pd.DataFrame:
    """Every leader the user may see, in office and 离任, as 人员名册 lists them (by place, role, code).

    Empty cells (a 网格长 has no 联防组) are "" so that the table shows them empty, not "None";
    the extra column village_id is the leader's village (for the edit tab, never shown).
    """
    refs = scope_leaders(session=session, user=user, active_only=False)
    frame = pd.DataFrame(
        [[r.code, r.name, r.role, r.township, r.village, r.grid, r.group, r.appointed_on, r.status, r.village_id]
         for r in refs],
        columns=[*ROSTER_COLUMNS, "village_id"],
    )
    shown = frame[ROSTER_COLUMNS].astype(object)
    frame[ROSTER_COLUMNS] = shown.where(shown.notna(), "")
    return frame
