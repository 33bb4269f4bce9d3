"""The year's scheme 考核方案 on the settings page: read, save (admins, year 录入中), JSON import.

A save is one user action: the caller wraps it in `dashboard.data.db.transaction`. It checks the
role and the year's status itself, stores the validated scheme, bumps the data revision (so
cached results are recomputed) and writes an audit event, all in that one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session

from dashboard.data import audit
from dashboard.data.years import YearClosed, closed_message, lock_year
from dashboard.domain import YEAR_OPEN
from dashboard.scoring.scheme import Scheme, SchemeError
from dashboard.services.auth import ADMIN, require_role
from models import AssessmentYear, User

MAX_SCHEME_FILE_BYTES = 64 * 1024


class SchemeSaveError(ValueError):
    """A scheme save refused for a reason other than the role (message in Chinese)."""


@dataclass(frozen=True)
class SchemeSaved:
    """What a save did: the year, its new data revision and whether anything changed."""

    year: int
    revision: int
    changed: bool


def load_scheme(*, session: Session, year: int) -> Scheme:
    """The scheme stored for the year; SchemeSaveError when the year does not exist."""
    row = session.get(AssessmentYear, year)
    if row is None:
        raise SchemeSaveError(f"没有 {year} 年度，请先导入该年度的数据")
    return Scheme.from_json(row.scheme_json) if row.scheme_json.strip() else Scheme.default()


def save_scheme(*, session: Session, user: User, year: int, scheme: Scheme) -> SchemeSaved:
    """Store `scheme` as the year's scheme (admins only, year 录入中) and bump the revision."""
    require_role(user, (ADMIN,), action="修改考核方案")
    if not isinstance(scheme, Scheme):
        raise SchemeSaveError("方案未通过校验，未保存")
    row = lock_year(session, year)
    if row is None:
        raise SchemeSaveError(f"没有 {year} 年度，请先导入该年度的数据")
    if row.status != YEAR_OPEN:
        raise YearClosed(closed_message(year, row.status))
    # Re-validate from the dict so that only a scheme the loader accepts is ever stored.
    checked = Scheme.from_dict(scheme.to_dict())
    old = json.loads(row.scheme_json) if row.scheme_json.strip() else Scheme.default().to_dict()
    new = checked.to_dict()
    if old == new:
        return SchemeSaved(year=year, revision=row.revision, changed=False)
    session.execute(
        update(AssessmentYear)
        .where(AssessmentYear.year == year)
        .values(scheme_json=checked.to_json(), revision=AssessmentYear.revision + 1)
    )
    audit.record(
        session,
        username=user.username,
        action="scheme.save",
        year=year,
        target=f"{year} 年度考核方案",
        old=old,
        new=new,
    )
    session.flush()
    session.refresh(row)
    return SchemeSaved(year=year, revision=row.revision, changed=True)


def scheme_from_upload(data: bytes) -> Scheme:
    """A scheme from an uploaded JSON file (any subset of keys over the defaults); SchemeError if bad."""
    if len(data) > MAX_SCHEME_FILE_BYTES:
        raise SchemeError(
            "（文件）", f"文件过大（超过 {MAX_SCHEME_FILE_BYTES // 1024} KB），不是方案文件"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemeError("（文件）", "不是 UTF-8 编码的 JSON 文本") from exc
    return Scheme.from_json(text)
