"""Reads behind the result pages: who may see which results, a leader's earlier grades,
imported prior grades for the trend, and who may download the quarterly notice.

Plain functions with keyword-only arguments; the pages call them through dashboard.ui.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, select

from dashboard.domain import GRADES, YEAR_FINAL
from dashboard.scoring.scheme import Scheme
from dashboard.services.auth import ADMIN, ASSESSOR, OFFICIAL, VIEWER, require_role
from models import (
    AssessmentYear,
    Grid,
    Leader,
    PriorGrade,
    ResultSnapshot,
    Township,
    User,
    UserVillage,
    Village,
)

# Who may open which result page (the navigation table registers the same; each read checks).
RESULT_VIEW_ROLES = (ADMIN, OFFICIAL, VIEWER, ASSESSOR)
AWARD_ROLES = (ADMIN, OFFICIAL)
WHATIF_ROLES = (ADMIN, OFFICIAL)
SCHEME_ROLES = (ADMIN,)
QUARTER_NOTICE_ROLES = (ADMIN, OFFICIAL)


@dataclass(frozen=True)
class ResultScope:
    """The results a user may see: every one, one township, or some villages (by name)."""

    township: str | None = None
    villages: frozenset[tuple[str, str]] | None = None  # (township, village)

    @property
    def everything(self) -> bool:
        return self.township is None and self.villages is None

    def label(self) -> str:
        if self.villages is not None:
            return "、".join(f"{t}{v}" for t, v in sorted(self.villages)) or "（无）"
        return self.township or "全部"


def result_scope(*, session: Session, user: User) -> ResultScope:
    """What the user may see: admins everything; viewers and officials their township when set;
    assessors their villages."""
    require_role(user, RESULT_VIEW_ROLES, action="查看考评结果")
    if user.role == ADMIN:
        return ResultScope()
    if user.role == ASSESSOR:
        rows = session.exec(
            select(Township.name, Village.name)
            .join(Village, Village.township_id == Township.id)
            .join(UserVillage, UserVillage.village_id == Village.id)
            .where(UserVillage.user_id == user.id)
        ).all()
        return ResultScope(villages=frozenset((t, v) for t, v in rows))
    if user.township_id is None:
        return ResultScope()
    town = session.get(Township, user.township_id)
    return ResultScope(township=town.name if town else "")


def scope_results(results: pd.DataFrame, scope: ResultScope) -> pd.DataFrame:
    """Only the result rows inside the scope (the frame itself when the scope is everything)."""
    if scope.everything:
        return results
    if scope.villages is not None:
        keys = pd.MultiIndex.from_arrays([results["township"], results["village"]])
        return results.loc[keys.isin(list(scope.villages))]
    return results.loc[results["township"] == scope.township]


def prior_grades(*, session: Session, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Imported 往年等次 with each leader's role and place: code, role, township, village, year, grade."""
    stmt = (
        select(
            Leader.code, Leader.role, Township.name, Village.name, PriorGrade.year, PriorGrade.grade
        )
        .join(Leader, Leader.id == PriorGrade.leader_id)
        .join(Grid, Grid.id == Leader.grid_id)
        .join(Village, Village.id == Grid.village_id)
        .join(Township, Township.id == Village.township_id)
    )
    if codes is not None:
        stmt = stmt.where(Leader.code.in_(list(codes)))
    rows = session.exec(stmt).all()
    return pd.DataFrame(rows, columns=["code", "role", "township", "village", "year", "grade"])


def final_snapshot_grades(*, session: Session, code: str) -> dict[int, str]:
    """A leader's grade in every year whose newest result snapshot is final (已定稿)."""
    years = session.exec(
        select(AssessmentYear.year).where(AssessmentYear.status == YEAR_FINAL)
    ).all()
    out: dict[int, str] = {}
    for year in years:
        text = session.exec(
            select(ResultSnapshot.results_json)
            .where(ResultSnapshot.year == year)
            .order_by(ResultSnapshot.created_at.desc(), ResultSnapshot.id.desc())
            .limit(1)
        ).first()
        if not text:
            continue
        for rec in json.loads(text):
            if str(rec.get("code")) == code and rec.get("grade") in GRADES:
                out[int(year)] = rec["grade"]
    return out


def leader_grade_history(
    *, session: Session, code: str, before: int, computed: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """Grades of the years before `before`, newest first, with where each comes from.

    Precedence per year: the final (定稿) snapshot, then a grade computed by the system for
    that year (`computed`, from the cached assessments of years still open), then 往年等次.
    """
    rows: dict[int, tuple[str, str]] = {}
    imported = prior_grades(session=session, codes=[code])
    for rec in imported.itertuples(index=False):
        rows[int(rec.year)] = (rec.grade, "往年等次（导入）")
    for year, grade in (computed or {}).items():
        rows[int(year)] = (grade, "本系统计算（未定稿）")
    for year, grade in final_snapshot_grades(session=session, code=code).items():
        rows[year] = (grade, "本系统定稿结果")
    out = [{"year": y, "grade": g, "source": s} for y, (g, s) in rows.items() if y < before]
    frame = pd.DataFrame(out, columns=["year", "grade", "source"])
    return frame.sort_values("year", ascending=False).reset_index(drop=True)


def quarter_notice_scope(*, session: Session, user: User) -> ResultScope:
    """The scope of the 季度考评通报 the user may download: officials and admins only."""
    require_role(user, QUARTER_NOTICE_ROLES, action="下载季度考评通报")
    return result_scope(session=session, user=user)


def award_scope_label(scheme: Scheme) -> str:
    """The award scope in words (评选范围)."""
    return {"village": "按村", "township": "按乡镇", "county": "按县"}[scheme.award_scope]
