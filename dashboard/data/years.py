"""Assessment years 考核年度: create with the default scheme, read the scheme, bump the revision.

Every write to a year's data bumps ``AssessmentYear.revision`` so that cached results
(keyed by year and revision) are recomputed.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from dashboard.domain import YEAR_OPEN, YEAR_PUBLICITY
from dashboard.scoring.scheme import Scheme
from models import AssessmentYear


def get_year(session: Session, year: int) -> AssessmentYear | None:
    """The AssessmentYear row of a year, or None."""
    return session.get(AssessmentYear, year)


def ensure_year(session: Session, year: int, *, scheme: Scheme | None = None) -> AssessmentYear:
    """The year's row, created (status 录入中, default scheme unless given) when missing."""
    row = session.get(AssessmentYear, year)
    if row is None:
        row = AssessmentYear(
            year=year,
            scheme_json=(scheme or Scheme.default()).to_json(),
            status=YEAR_OPEN,
            revision=0,
        )
        session.add(row)
        session.flush()
    return row


def year_scheme(session: Session, year: int) -> Scheme:
    """The scheme stored for a year; the default scheme when the year does not exist yet."""
    row = session.get(AssessmentYear, year)
    if row is None:
        return Scheme.default()
    return Scheme.from_json(row.scheme_json)


def bump_revision(session: Session, year: int) -> int:
    """Increment the year's data revision (creating the year if needed); returns the new one."""
    ensure_year(session, year)
    session.execute(
        update(AssessmentYear)
        .where(AssessmentYear.year == year)
        .values(revision=AssessmentYear.revision + 1)
    )
    row = session.get(AssessmentYear, year)
    session.refresh(row)
    return row.revision


# --- the write guard (the year's workflow) -------------------------------------------------------


class YearClosed(ValueError):
    """A write to a year that is not open for entry (公示中 or 已定稿); message in Chinese."""


def lock_year(session: Session, year: int) -> AssessmentYear | None:
    """The year's row, locked for this transaction (PostgreSQL row lock; SQLite: BEGIN IMMEDIATE).

    Every write of a year's data takes this lock first, so a publish cannot slip between a
    save's status check and its commit, and a save's version check is race-free.
    """
    stmt = select(AssessmentYear).where(AssessmentYear.year == year)
    if session.get_bind().dialect.name != "sqlite":
        # FOR NO KEY UPDATE: exclusive among writers, but does not block foreign-key checks.
        stmt = stmt.with_for_update(key_share=True)
    return session.exec(stmt).first()


def closed_message(year: int, status: str) -> str:
    """Why a write to a year that is not 录入中 is refused."""
    if status == YEAR_PUBLICITY:
        return f"{year} 年度正在公示（{status}），数据已冻结，不能修改；如需更正，请管理员重新开放录入"
    return f"{year} 年度已定稿（{status}），数据只读，不能修改；如需更正，请管理员重新开放录入"


def require_open(session: Session, year: int) -> None:
    """Refuse (YearClosed) unless the year is 录入中; a year not created yet counts as open.

    Every write service calls this first, inside its transaction.
    """
    row = lock_year(session, year)
    if row is not None and row.status != YEAR_OPEN:
        raise YearClosed(closed_message(year, row.status))


def roster_frozen(session: Session) -> str | None:
    """Why the roster may not change now, or None: it is frozen while any year is 公示中.

    The published results name each leader with his village, grid and role; a roster change
    during publicity would make the list on the notice board disagree with the system. A final
    year keeps its own snapshot, and the next year's roster must stay editable, so 已定稿
    does not freeze the roster. The 人员名册 page and the workbook import both ask this.
    """
    years = session.exec(
        select(AssessmentYear.year).where(AssessmentYear.status == YEAR_PUBLICITY).order_by(AssessmentYear.year)
    ).all()
    if not years:
        return None
    shown = "、".join(str(y) for y in years)
    return f"{shown} 年度正在公示，人员名册已冻结，不能添加、修改或标记离任；公示结束定稿后再改，或请管理员重新开放录入"
