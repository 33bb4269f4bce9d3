"""What every entry service shares (dashboard.services.inputs, .roster): the refusal with every bad
cell, the save's result, the year and scope checks, and the leaders a user may see.

Every entry service:
- takes keyword-only arguments ``session``, ``user`` (the signed-in ``models.User``) and the
  input; the caller opens ONE transaction (``dashboard.data.db.transaction``) per user action,
  so an error anywhere leaves nothing written;
- checks the user's role and village scope itself (``PermissionDenied``), however it is
  called — a hidden page or a disabled widget is not a permission;
- validates every cell with ``dashboard.data.validation`` (the importer's rules and messages) and
  raises ``EntryError`` listing every bad cell (表格, 行, 列, 原因) before writing anything;
- refuses when the year is not 录入中, bumps the year's data revision and writes an audit event.

Rows come from the page's grid as mappings keyed by the workbook's column names (编号,
姓名, 社情民意信息员, …, 评价, 1月 … 12月); row numbers in messages count the grid's rows
from 1. A 姓名, when given, must match the roster for the 编号 (it catches a score typed on
the wrong line), as in the importer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.data.validation import CellError, FieldError, is_blank, parse_code, parse_name
from dashboard.data.years import bump_revision, lock_year
from dashboard.domain import ACTIVE, DUTIES, GRID_LEADER, YEAR_OPEN
from dashboard.scoring.scheme import Scheme
from dashboard.services.auth import (
    ENTRY_ROLES,
    PermissionDenied,
    require_role,
    village_scope,
    write_refusal,
)
from models import AssessmentYear, DefenseGroup, Grid, Leader, Township, Village

SHEET_ROSTER = "人员名册"
SHEET_SELF = "个人述职"
SHEET_COMMITTEE = "两委打分"
SHEET_BALLOTS = "群众评议"
SHEET_PLATFORM = "平台上报"
SHEET_ADJUSTMENTS = "加减分"

class EntryError(ValueError):
    """Input refused before anything was written: a summary and every bad cell."""

    def __init__(self, summary: str, errors: Iterable[CellError] = ()):
        self.summary = summary
        self.errors = list(errors)
        super().__init__(summary if not self.errors else "\n".join([summary, *map(str, self.errors)]))


@dataclass(frozen=True)
class SaveResult:
    """What a save did, for the page's confirmation message."""

    saved: int = 0
    cleared: int = 0
    revision: int = 0
    message: str = ""


@dataclass(frozen=True)
class LeaderRef:
    """A leader as the services see it: id, code, name and place."""

    id: int
    code: str
    name: str
    role: str
    status: str
    appointed_on: date
    village_id: int
    township: str
    village: str
    grid: str
    group: str | None


def leader_label(ref: LeaderRef) -> str:
    """How a message names a leader: 姓名（编号 X）."""
    return f"{ref.name}（编号 {ref.code}）"


def _open_year(session: Session, year: int) -> tuple[AssessmentYear, Scheme]:
    # The year's row lock: no publish can slip in before the commit, and the version check of
    # a sheet (dashboard.services.concurrency) is race-free.
    row = lock_year(session, year)
    if row is None:
        raise EntryError(f"没有 {year} 考评年度，请先导入该年度的数据工作簿")
    if row.status != YEAR_OPEN:
        raise EntryError(
            f"{year} 年度的状态是「{row.status}」，只有「{YEAR_OPEN}」的年度可以录入或修改数据"
        )
    return row, Scheme.from_json(row.scheme_json)


@dataclass
class EntryContext:
    user: Any
    year: int
    scheme: Scheme
    scope: set[int] | None
    sheet: str
    errors: list[CellError] = field(default_factory=list)
    denied: list[CellError] = field(default_factory=list)

    def error(self, row: int | None, column: str | None, reason: str) -> None:
        self.errors.append(CellError(sheet=self.sheet, row=row, column=column, reason=reason))

    def field_error(
        self, exc: FieldError, row: int | None, column: str | None, ref: LeaderRef | None = None
    ) -> None:
        error = CellError.from_field_error(exc, sheet=self.sheet, row=row, column=column)
        if ref is not None:
            error = replace(error, who=leader_label(ref))
        self.errors.append(error)

    def name_leader(self, who: str | None) -> None:
        """A one-person form: every error so far is about this person (姓名（编号 X）)."""
        if who:
            self.errors[:] = [e if e.who else replace(e, who=who) for e in self.errors]

    def raise_if_any(self, summary: str) -> None:
        if self.denied:
            shown = "；".join(str(e) for e in self.denied[:5])
            more = f"（共 {len(self.denied)} 处）" if len(self.denied) > 5 else ""
            raise PermissionDenied(f"{shown}{more}")
        if self.errors:
            raise EntryError(f"{summary}：发现 {len(self.errors)} 处错误，没有保存任何数据", self.errors)


def entry_context(session: Session, user, year: int, sheet: str, action: str) -> EntryContext:
    require_role(user, ENTRY_ROLES, action=action)
    _, scheme = _open_year(session, year)
    return EntryContext(
        user=user, year=year, scheme=scheme, scope=village_scope(session=session, user=user), sheet=sheet
    )


def _leader_query():
    return (
        select(Leader, Grid.name, Village.id, Village.name, Township.name, DefenseGroup.name)
        .join(Grid, Grid.id == Leader.grid_id)
        .join(Village, Village.id == Grid.village_id)
        .join(Township, Township.id == Village.township_id)
        .outerjoin(DefenseGroup, DefenseGroup.id == Leader.group_id)
    )


def _ref(row) -> LeaderRef:
    leader, grid, village_id, village, township, group = row
    return LeaderRef(
        id=leader.id, code=leader.code, name=leader.name, role=leader.role, status=leader.status,
        appointed_on=leader.appointed_on, village_id=village_id, township=township,
        village=village, grid=grid, group=group,
    )


def leaders_by_code(session: Session, codes: Iterable[str]) -> dict[str, LeaderRef]:
    codes = sorted(set(codes))
    if not codes:
        return {}
    rows = session.exec(_leader_query().where(Leader.code.in_(codes))).all()
    return {r[0].code: _ref(r) for r in rows}


def scope_leaders(
    *, session: Session, user, village_id: int | None = None, active_only: bool = True
) -> list[LeaderRef]:
    """The leaders the user may see (optionally of one village), by place then role then code."""
    scope = village_scope(session=session, user=user)
    query = _leader_query()
    if scope is not None:
        query = query.where(Village.id.in_(sorted(scope) or [-1]))
    if village_id is not None:
        query = query.where(Village.id == village_id)
    if active_only:
        query = query.where(Leader.status == ACTIVE)
    refs = [_ref(r) for r in session.exec(query).all()]
    return sorted(
        refs,
        key=lambda r: (r.township, r.village, r.grid, r.role != GRID_LEADER, r.group or "", r.code),
    )


def scope_villages(*, session: Session, user) -> list[tuple[int, str, str]]:
    """(village id, township, village) of every village in the user's scope, by name."""
    scope = village_scope(session=session, user=user)
    query = select(Village.id, Township.name, Village.name).join(
        Township, Township.id == Village.township_id
    )
    if scope is not None:
        query = query.where(Village.id.in_(sorted(scope) or [-1]))
    return sorted(session.exec(query).all(), key=lambda r: (r[1], r[2]))


def _is_missing(value: Any) -> bool:
    # NaN / pandas NA from a grid's empty cell (NaN is the only value unequal to itself).
    return value is not None and not isinstance(value, str) and (value != value or str(value) == "<NA>")


def _plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A grid row with empty cells (NaN, pandas NA) as None."""
    return {k: (None if _is_missing(v) else v) for k, v in dict(row).items()}


def resolve_rows(
    ctx: EntryContext, session: Session, rows: list[Mapping[str, Any]]
) -> list[tuple[int, LeaderRef | None]]:
    """(row number, leader) per row after checking 编号, 姓名, scope and duplicates."""
    rows[:] = [_plain_row(row) for row in rows]
    parsed: list[tuple[int, str | None, Any]] = []
    for number, row in enumerate(rows, start=1):
        try:
            code = parse_code(row.get("编号"))
        except FieldError as exc:
            ctx.field_error(exc, number, "编号")
            code = None
        parsed.append((number, code, row.get("姓名")))
    refs = leaders_by_code(session, [c for _, c, _ in parsed if c])
    seen: dict[str, int] = {}
    out: list[tuple[int, LeaderRef | None]] = []
    for number, code, name in parsed:
        ref = None
        if code is not None:
            ref = refs.get(code)
            if ref is None:
                ctx.error(number, "编号", f"编号 {code} 不在人员名册中")
            elif refusal := leader_refusal(ctx.scope, ref):
                ctx.denied.append(CellError(sheet=ctx.sheet, row=number, column="编号", reason=refusal))
                ref = None
            elif code in seen:
                ctx.error(number, "编号", f"编号 {code} 与第 {seen[code]} 行重复")
                ref = None
            else:
                seen[code] = number
                if not is_blank(name):
                    try:
                        given = parse_name(name)
                    except FieldError as exc:
                        ctx.field_error(exc, number, "姓名")
                        given = ref.name
                    if given != ref.name:
                        # The importer's wording (dashboard.data.workbook), so both say the same.
                        ctx.error(
                            number, "姓名",
                            f"编号 {code} 在人员名册中的姓名是「{ref.name}」，这里写的是「{given}」",
                        )
        out.append((number, ref))
    return out


def leader_refusal(scope: set[int] | None, ref: LeaderRef, new_village: Village | None = None) -> str | None:
    """The scope rule (dashboard.services.auth.write_refusal) for a stored leader, naming 编号 and 姓名."""
    refusal = write_refusal(
        scope, stored_village=ref.village_id, stored_place=f"{ref.township}/{ref.village}",
        new_village=None if new_village is None else new_village.id,
        new_place=None if new_village is None else new_village.name,
    )
    return None if refusal is None else f"编号 {ref.code}（{ref.name}）{refusal}"


def finish_save(
    session: Session, ctx: EntryContext, *, action: str, target: str, new: Any, old: Any = None,
    reason: str | None = None,
) -> int:
    revision = bump_revision(session, ctx.year)
    audit.record(session, username=ctx.user.username, action=action, year=ctx.year, target=target,
                 old=old, new=new, reason=reason)
    return revision


def duty_value(row: Mapping[str, Any], key: str) -> Any:
    name = DUTIES[key]
    return row[name] if name in row else row.get(key)


def sheet_rows_by_leader(session: Session, model: Any, *, year: int, quarter: int, rater: str) -> dict[int, Any]:
    """One member's rows of one quarter in a committee table (scores or draft), by leader id."""
    rows = session.exec(
        select(model).where(model.year == year, model.quarter == quarter, model.rater == rater)
    ).all()
    return {row.leader_id: row for row in rows}
