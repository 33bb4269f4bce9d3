"""The app's workbook round trip: a template pre-filled with the user's scope, then check and import.

The workbook rules are dashboard.workbook's (the same as the ``import`` command); this module
adds who may do it: admins, assessors and officials, and a scoped user (an assessor, or an
official/viewer limited to a township) only for the villages in scope — every row naming a
leader or a village outside it is an error, with sheet, row and column.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dashboard.auth import IMPORT_ROLES, PermissionDenied, require_role, village_scope
from dashboard.db import read_session
from dashboard.validation import (
    CellError,
    ErrorList,
    FieldError,
    is_blank,
    normalize_cell,
    parse_code,
    strip_text,
)
from dashboard.workbook import (
    ROSTER,
    SHEET_ORDER,
    ImportReport,
    WorkbookRejected,
    build_workbook,
    check_workbook,
    import_workbook,
    read_workbook,
    template_rows,
)
from dashboard.years import year_scheme
from models import Grid, Leader, Township, User, Village


@dataclass(frozen=True)
class UploadCheck:
    """The outcome of checking an upload: the errors (empty when it can be imported).

    At most MAX_LISTED_ERRORS are listed; ``unlisted`` counts the rest.
    """

    errors: list[CellError]
    warnings: list[str]
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


def template_for_user(*, session: Session, user: User, year: int | None) -> bytes:
    """The data workbook template pre-filled with the roster of the user's scope."""
    require_role(user, IMPORT_ROLES, action="下载导入模板")
    rows = template_rows(session, year=year)
    allowed = _scope_names(session, user)
    if allowed is not None:
        roster = [r for r in rows[ROSTER] if (r["乡镇"], r["村"]) in allowed]
        codes = {r["编号"] for r in roster}
        rows = {sheet: [r for r in items if r["编号"] in codes] for sheet, items in rows.items()}
        rows[ROSTER] = roster
    role_max = year_scheme(session, year).role_max if year is not None else None
    buffer = io.BytesIO()
    build_workbook(rows, role_max=role_max).save(buffer)
    return buffer.getvalue()


def _scope_errors(session: Session, user: User, data: bytes) -> list[CellError]:
    """Rows naming a village or a leader outside the user's scope."""
    allowed = _scope_names(session, user)
    if allowed is None:
        return []
    raw = read_workbook(data)
    errors: list[CellError] = []
    places: dict[str, tuple[str, str]] = {
        code: (t, v)
        for code, t, v in session.exec(
            select(Leader.code, Township.name, Village.name)
            .join(Grid, Grid.id == Leader.grid_id)
            .join(Village, Village.id == Grid.village_id)
            .join(Township, Township.id == Village.township_id)
        ).all()
    }
    roster = raw.sheets.get(ROSTER)
    if roster is not None and {"乡镇", "村"} <= roster.header.keys():
        for number, values in roster.rows:
            town = strip_text(values[roster.header["乡镇"]])
            village = strip_text(values[roster.header["村"]])
            if town is None or village is None:
                continue
            code = _code(values, roster.header)
            if code is not None:
                places[code] = (str(town), str(village))
            if (str(town), str(village)) not in allowed:
                errors.append(CellError(ROSTER, number, "村", f"{town}/{village} 不在您负责的范围内"))
    for name in SHEET_ORDER[1:]:
        sheet = raw.sheets.get(name)
        if sheet is None or "编号" not in sheet.header:
            continue
        name_cols = {sheet.header.get("编号"), sheet.header.get("姓名")}
        for number, values in sheet.rows:
            if all(is_blank(values[i]) for i in sheet.header.values() if i not in name_cols):
                continue  # a template row with only 编号 and 姓名: the importer skips it too
            code = _code(values, sheet.header)
            if code is None or code not in places or places[code] in allowed:
                continue
            town, village = places[code]
            errors.append(
                CellError(name, number, "编号", f"编号 {code} 属于 {town}/{village}，不在您负责的范围内")
            )
    return errors


def _code(values: tuple, header: dict[str, int]) -> str | None:
    if "编号" not in header or normalize_cell(values[header["编号"]]) is None:
        return None
    try:
        return parse_code(values[header["编号"]])
    except FieldError:
        return None


def check_upload(*, engine: Engine, user: User, data: bytes, year: int) -> UploadCheck:
    """Every error of an uploaded workbook (the importer's and out-of-scope rows); writes nothing."""
    with read_session(engine) as session:
        require_role(user, IMPORT_ROLES, action="导入数据")
        scope_errors = _scope_errors(session, user, data)
    try:
        parsed = check_workbook(engine=engine, source=data, year=year)
        errors, warnings, unlisted = [], parsed.warnings, 0
    except WorkbookRejected as exc:
        errors, warnings, unlisted = exc.errors, exc.warnings, exc.unlisted
    listed = ErrorList([*errors, *scope_errors])
    return UploadCheck(errors=list(listed), warnings=warnings, unlisted=unlisted + listed.unlisted)


def import_upload(
    *, engine: Engine, user: User, data: bytes, year: int,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Check again, then import the workbook in one transaction (all or nothing).

    Raises WorkbookRejected with every error, or PermissionDenied for a role that may not import.
    """
    say = progress or (lambda _text: None)
    say("正在检查工作簿…")
    check = check_upload(engine=engine, user=user, data=data, year=year)
    if not check.ok:
        raise WorkbookRejected(check.errors, check.warnings, unlisted=check.unlisted)
    say("正在写入数据库（一次事务）…")
    if user.role not in IMPORT_ROLES:  # checked in check_upload too; never import without it
        raise PermissionDenied("无权导入数据")
    return import_workbook(engine=engine, source=data, year=year, username=user.username)
