"""What the entry pages show: the stored values of a sheet for the leaders in the user's scope."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from dashboard.domain import DUTIES, DUTY_KEYS, MARKS
from dashboard.services.auth import in_scope, village_scope
from dashboard.services.entry import leaders_by_code, scope_leaders
from dashboard.services.inputs import MONTH_COLUMNS, committee_sheet_scores
from models import Adjustment, BallotMark, CommitteeScore, PlatformCount, SelfReport


def self_report_fields(*, session: Session, user, year: int, code: str) -> dict[str, Any] | None:
    """A leader's stored self-report keyed by the sheet's column names, or None."""
    ref = leaders_by_code(session, [code]).get(code)
    if ref is None or not in_scope(village_scope(session=session, user=user), ref.village_id):
        return None
    report = session.exec(
        select(SelfReport).where(SelfReport.year == year, SelfReport.leader_id == ref.id)
    ).first()
    if report is None:
        return None
    return {**{DUTIES[k]: getattr(report, k) for k in DUTY_KEYS}, "述职摘要": report.narrative}


def committee_raters(*, session: Session, user, year: int, quarter: int, village_id: int) -> list[str]:
    """Names of the committee members who already scored leaders of a village in a quarter."""
    refs = scope_leaders(session=session, user=user, village_id=village_id, active_only=False)
    if not refs:
        return []
    rows = session.exec(
        select(CommitteeScore.rater)
        .where(
            CommitteeScore.year == year,
            CommitteeScore.quarter == quarter,
            CommitteeScore.leader_id.in_([r.id for r in refs]),
        )
        .distinct()
    ).all()
    return sorted(rows)


def committee_sheet_rows(
    *, session: Session, user, year: int, quarter: int, rater: str | None, village_id: int
) -> list[dict[str, Any]]:
    """The grid for one member and quarter: the village's active leaders with stored scores."""
    refs = scope_leaders(session=session, user=user, village_id=village_id)
    stored = {}
    if rater:
        stored = committee_sheet_scores(session, year=year, quarter=quarter, rater=rater)
    out = []
    for ref in refs:
        score = stored.get(ref.id)
        row = {"编号": ref.code, "姓名": ref.name, "职务": ref.role, "网格": ref.grid, "联防组": ref.group}
        for key in DUTY_KEYS:
            row[DUTIES[key]] = None if score is None else getattr(score, key)
        out.append(row)
    return out


def ballot_counts(*, session: Session, user, year: int, village_id: int) -> list[dict[str, Any]]:
    """Per active leader of a village: the number of each mark stored (sheets and tallies)."""
    refs = scope_leaders(session=session, user=user, village_id=village_id)
    counts: dict[int, dict[str, int]] = {r.id: dict.fromkeys(MARKS, 0) for r in refs}
    if refs:
        for leader_id, mark in session.exec(
            select(BallotMark.leader_id, BallotMark.mark).where(
                BallotMark.year == year, BallotMark.leader_id.in_(list(counts))
            )
        ).all():
            counts[leader_id][mark] += 1
    return [
        {"编号": r.code, "姓名": r.name, "职务": r.role, **counts[r.id],
         "有效票": sum(v for k, v in counts[r.id].items() if k in MARKS[:4])}
        for r in refs
    ]


def platform_rows(*, session: Session, user, year: int, village_id: int) -> list[dict[str, Any]]:
    """The month × leader grid of a village with the stored counts."""
    refs = scope_leaders(session=session, user=user, village_id=village_id)
    stored: dict[tuple[int, int], int] = {}
    if refs:
        stored = {
            (p.leader_id, p.month): p.reports
            for p in session.exec(
                select(PlatformCount).where(
                    PlatformCount.year == year, PlatformCount.leader_id.in_([r.id for r in refs])
                )
            ).all()
        }
    return [
        {"编号": r.code, "姓名": r.name, "职务": r.role,
         **{col: stored.get((r.id, m)) for m, col in enumerate(MONTH_COLUMNS, start=1)}}
        for r in refs
    ]


def adjustment_rows(*, session: Session, user, year: int, village_id: int | None = None) -> list[dict[str, Any]]:
    """The year's adjustments of the leaders in scope (id kept for deletion)."""
    refs = {r.id: r for r in scope_leaders(session=session, user=user, village_id=village_id, active_only=False)}
    if not refs:
        return []
    rows = session.exec(
        select(Adjustment)
        .where(Adjustment.year == year, Adjustment.leader_id.in_(list(refs)))
        .order_by(Adjustment.id)
    ).all()
    return [
        {"id": a.id, "编号": refs[a.leader_id].code, "姓名": refs[a.leader_id].name,
         "村": refs[a.leader_id].village, "类型": a.kind, "分值": a.points, "事由": a.reason}
        for a in rows
    ]
