"""Assessment years 考核年度: create with the default scheme, read the scheme, bump the revision.

Every write to a year's data bumps ``AssessmentYear.revision`` so that cached results
(keyed by year and revision) are recomputed.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from dashboard.domain import YEAR_OPEN
from dashboard.scheme import Scheme
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
