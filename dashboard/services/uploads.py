"""The app's workbook round trip: a template pre-filled with the user's scope, then check, preview, import.

The workbook rules are dashboard.data.workbook's (the same as the ``import`` command); this module
adds who may do it: admins, assessors and officials, and a scoped user (an assessor, or an
official/viewer limited to a township) only within the villages in scope, by the one rule of
every write (dashboard.services.auth.write_refusal): a leader's stored village and the village the
workbook gives him must both be in scope. Every refused row is an error with sheet, row and
column. A workbook without errors comes with its preview (dashboard.data.workbook.ImportPlan)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dashboard.data.db import read_session
from dashboard.data.validation import (
    CellError,
    ErrorList,
    FieldError,
    is_blank,
    normalize_cell,
    parse_code,
    parse_name,
    strip_text,
)
from dashboard.data.workbook import (
    LEADER_SHEETS,
    MEMBERS,
    ROSTER,
    ImportPlan,
    ImportReport,
    RawWorkbook,
    WorkbookRejected,
    build_workbook,
    import_raw,
    plan_raw,
    read_workbook,
    template_rows,
)
from dashboard.data.years import year_scheme
from dashboard.services.auth import (
    IMPORT_ROLES,
    require_role,
    village_scope,
    write_refusal,
)
from models import Grid, Leader, Township, User, Village


@dataclass(frozen=True)
class UploadCheck:
    """The outcome of checking an upload: the errors (empty when it can be imported) and,
    when there is none, what the import will do (the preview).

    At most MAX_LISTED_ERRORS are listed; ``unlisted`` counts the rest.
    """

    errors: list[CellError]
    warnings: list[str]
    plan: ImportPlan | None = None
    unlisted: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _scope_names(session: Session, user: User) -> set[tuple[str, str]] | None:
    scope = village_scope(session=session, user=user)
    if scope is None:
        return None
    rows = session.exec(
        select(Township.name, Village.name)
        .join(Village, Village.township_id == Township.id)
        .where(Village.id.in_(sorted(scope) or [-1]))
    ).all()
    return {(t, v) for t, v in rows}


def template_for_user(
    *, session: Session, user: User, year: int | None, quarter: int | None = None, rater: Any = None
) -> bytes:
    """The data workbook template pre-filled with the roster and 两委成员 of the user's scope; with a
    quarter and a committee member, 两委打分 pre-filled with one row per leader of the scope for that member."""
    require_role(user, IMPORT_ROLES, action="下载导入模板")
    if rater is not None and str(rater).strip():
        rater = parse_name(rater, field="评分人")
    else:
        rater = None
    rows = template_rows(session, year=year, quarter=quarter, rater=rater)
    allowed = _scope_names(session, user)
    if allowed is not None:
        roster = [r for r in rows[ROSTER] if (r["乡镇"], r["村"]) in allowed]
        codes = {r["编号"] for r in roster}
        rows = {
            sheet: [r for r in items if (r["乡镇"], r["村"]) in allowed] if sheet == MEMBERS
            else [r for r in items if r["编号"] in codes]
            for sheet, items in rows.items()
        }
        rows[ROSTER] = roster
    role_max = year_scheme(session, year).role_max if year is not None else None
    buffer = io.BytesIO()
    build_workbook(rows, role_max=role_max).save(buffer)
    return buffer.getvalue()


def _scope_errors(session: Session, user: User, raw: RawWorkbook) -> list[CellError]:
    """Rows touching a leader outside the user's scope, by the one rule of every write
    (dashboard.services.auth.write_refusal): the leader's stored village and the village the workbook's
    人员名册 gives it must both be in scope."""
    scope = village_scope(session=session, user=user)
    if scope is None:
        return []
    villages: dict[tuple[str, str], int] = {
        (t, v): vid
        for vid, t, v in session.exec(
            select(Village.id, Township.name, Village.name).join(Township, Township.id == Village.township_id)
        ).all()
    }
    stored: dict[str, tuple[int, str, str]] = {
        code: (vid, f"{t}/{v}", name)
        for code, name, vid, t, v in session.exec(
            select(Leader.code, Leader.name, Village.id, Township.name, Village.name)
            .join(Grid, Grid.id == Leader.grid_id)
            .join(Village, Village.id == Grid.village_id)
            .join(Township, Township.id == Village.township_id)
        ).all()
    }
    written: dict[str, tuple[int | None, str]] = {}
    errors: list[CellError] = []

    def refusal(code: str | None, new: tuple[int | None, str] | None) -> str | None:
        old = stored.get(code) if code is not None else None
        reason = write_refusal(
            scope, stored_village=old and old[0], stored_place=old and old[1],
            new_village=new and new[0], new_place=new and new[1],
        )
        if reason is None:
            return None
        return f"编号 {code}（{old[2]}）：{reason}" if old else (f"编号 {code}：{reason}" if code else reason)

    roster = raw.sheets.get(ROSTER)
    if roster is not None and {"乡镇", "村"} <= roster.header.keys():
        for number, values in roster.rows:
            town = strip_text(values[roster.header["乡镇"]])
            village = strip_text(values[roster.header["村"]])
            if town is None or village is None:
                continue
            code = _code(values, roster.header)
            new = (villages.get((str(town), str(village))), f"{town}/{village}")
            if code is not None:
                written[code] = new
            reason = refusal(code, new)
            if reason is not None:
                column = "编号" if code in stored and stored[code][0] not in scope else "村"
                errors.append(CellError(ROSTER, number, column, reason))
    members = raw.sheets.get(MEMBERS)
    if members is not None:
        # A village's committee list: the village must be in scope (a village not yet stored never is).
        for number, values in members.rows:
            town = strip_text(values[members.header["乡镇"]])
            village = strip_text(values[members.header["村"]])
            if town is None or village is None:
                continue
            place = f"{town}/{village}"
            reason = write_refusal(scope, new_village=villages.get((str(town), str(village))), new_place=place)
            if reason is not None:
                who = strip_text(values[members.header["姓名"]])
                errors.append(CellError(MEMBERS, number, "村", f"两委成员「{who or ''}」：{reason}"))
    for name in LEADER_SHEETS:
        sheet = raw.sheets.get(name)
        if sheet is None or "编号" not in sheet.header:
            continue
        name_cols = {sheet.header.get("编号"), sheet.header.get("姓名")}
        for number, values in sheet.rows:
            if all(is_blank(values[i]) for i in sheet.header.values() if i not in name_cols):
                continue  # a template row with only 编号 and 姓名: the importer skips it too
            code = _code(values, sheet.header)
            if code is None or (code not in stored and code not in written):
                continue
            reason = refusal(code, written.get(code))
            if reason is not None:
                errors.append(CellError(name, number, "编号", reason))
    return errors


def _code(values: tuple, header: dict[str, int]) -> str | None:
    if "编号" not in header or normalize_cell(values[header["编号"]]) is None:
        return None
    try:
        return parse_code(values[header["编号"]])
    except FieldError:
        return None


def check_upload(*, engine: Engine, user: User, data: bytes, year: int) -> UploadCheck:
    """Every error of an uploaded workbook (the importer's and out-of-scope rows); writes nothing.

    The bytes are read once; the scope check runs on the same read rows as the validation.
    """
    with read_session(engine) as session:
        require_role(user, IMPORT_ROLES, action="导入数据")
        raw = read_workbook(data)
        scope_errors = _scope_errors(session, user, raw)
        plan = None
        try:
            _parsed, plan = plan_raw(session, raw, year)
            errors, warnings, unlisted = [], plan.warnings, 0
        except WorkbookRejected as exc:
            errors, warnings, unlisted = exc.errors, exc.warnings, exc.unlisted
    listed = ErrorList([*errors, *scope_errors])
    return UploadCheck(
        errors=list(listed),
        warnings=warnings,
        plan=None if listed else plan,
        unlisted=unlisted + listed.unlisted,
    )


def import_upload(
    *, engine: Engine, user: User, data: bytes, year: int,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import the workbook in one transaction (all or nothing), checked inside that transaction.

    The bytes are read once and validated once, under the year's lock, together with the
    user's scope. Raises WorkbookRejected with every error, or PermissionDenied for a role that
    may not import.
    """
    say = progress or (lambda _text: None)
    require_role(user, IMPORT_ROLES, action="导入数据")
    say("正在检查工作簿…")
    raw = read_workbook(data)
    say("正在写入数据库（一次事务）…")
    return import_raw(
        engine=engine, raw=raw, year=year, username=user.username,
        refuse=lambda session, read: _scope_errors(session, user, read),
    )
