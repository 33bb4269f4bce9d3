"""Assess a year from the database: aggregate the inputs in SQL, then run the pure engine.

The database computes count, sum, min and max per leader (and quarter) with GROUP BY, so
millions of committee rows and ballot marks never travel to Python (works on SQLite and
PostgreSQL). `assess_year` is what the app and the command line (dashboard.cli.results) call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from dashboard.data.read_tables import (
    adjustment,
    assessment_year,
    ballot_mark,
    committee_score,
    county,
    defense_group,
    grid,
    leader,
    platform_count,
    prior_grade,
    result_snapshot,
    self_report,
    township,
    village,
)
from dashboard.domain import BONUS, DEDUCTION, DUTY_KEYS, GRADES, SELF_CONFIRMED, VETO, YEAR_FINAL
from dashboard.scoring import YearInputs, score_year
from dashboard.scoring.engine import ScoringResult
from dashboard.scoring.explain import Explanation, LeaderRawRows, explain_result
from dashboard.scoring.inputs import COMMITTEE_AGG_COLUMNS, MARK_COLUMNS
from dashboard.scoring.scheme import Scheme

Assessment = ScoringResult


class YearNotFoundError(LookupError):
    """The year has not been set up (no AssessmentYear row)."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"没有 {year} 年度的考评数据（请先导入该年度数据或在系统中创建该年度）")


class LeaderNotFoundError(LookupError):
    def __init__(self, code: str, year: int):
        super().__init__(f"编号 {code} 的人员不在 {year} 年度的考评范围内（不存在、已离任或当年尚未任职）")


@dataclass(frozen=True)
class _Query:
    engine: Engine

    def frame(self, stmt, columns=None) -> pd.DataFrame:
        """The rows of a SELECT as a DataFrame, read straight from the DBAPI cursor.

        Plain tuples (no Row objects, no per-value result processing): the aggregate queries
        return numbers and text only; dates are converted by the caller.
        """
        with self.engine.connect() as conn:
            result = conn.execute(stmt)
            keys = list(result.keys())
            cursor = getattr(result, "cursor", None)
            rows = cursor.fetchall() if cursor is not None else [tuple(r) for r in result.fetchall()]
        frame = pd.DataFrame.from_records(rows, columns=keys, coerce_float=False) if rows else pd.DataFrame(
            columns=keys
        )
        if columns is not None:
            frame.columns = list(columns)
        return frame

    def numbers(self, stmt, columns: dict[str, str]) -> pd.DataFrame:
        """The rows of a SELECT of numbers (no NULL) as a DataFrame of `columns` (name: dtype).

        np.fromiter consumes the DBAPI cursor row by row into typed arrays: no list of a million
        tuples and no object columns to infer (a province has 1.2 million committee groups).
        """
        dtype = np.dtype(list(columns.items()))
        with self.engine.connect() as conn:
            cursor = conn.execute(stmt).cursor
            rows = np.fromiter(cursor, dtype=dtype)
        return pd.DataFrame({name: rows[name] for name in columns})


def _stored_scheme_text(engine: Engine, year: int) -> str:
    with engine.connect() as conn:
        text = conn.execute(select(assessment_year.c.scheme_json).where(assessment_year.c.year == year)).scalar()
    if text is None:
        raise YearNotFoundError(year)
    return text


def year_scheme(engine: Engine, year: int) -> Scheme:
    """The scheme stored for the year (assessment_year.scheme_json); YearNotFoundError if none."""
    text = _stored_scheme_text(engine, year)
    return Scheme.from_json(text) if text.strip() else Scheme.default()


def load_leaders(engine: Engine) -> pd.DataFrame:
    """All leaders with their place in the region tree (engine `leaders` frame)."""
    stmt = (
        select(
            leader.c.id, leader.c.code, leader.c.name, leader.c.role, county.c.name, township.c.name, village.c.name,
            grid.c.name, defense_group.c.name, leader.c.appointed_on, leader.c.status,
        )
        .join(grid, grid.c.id == leader.c.grid_id)
        .join(village, village.c.id == grid.c.village_id)
        .join(township, township.c.id == village.c.township_id)
        .join(county, county.c.id == township.c.county_id)
        .outerjoin(defense_group, defense_group.c.id == leader.c.group_id)
        .order_by(leader.c.id)
    )
    frame = _Query(engine).frame(
        stmt,
        ("leader_id", "code", "name", "role", "county", "township", "village", "grid", "group",
         "appointed_on", "status"),
    )
    # SQLite returns ISO text, PostgreSQL dates: one vectorised conversion for the engine.
    frame["appointed_on"] = pd.to_datetime(frame["appointed_on"].astype(str), format="ISO8601")
    return frame


def previous_grades(engine: Engine, year: int) -> pd.DataFrame:
    """Grades of year − 1: the newest final (已定稿) snapshot, else the imported prior grade."""
    q = _Query(engine)
    prior = q.frame(
        select(prior_grade.c.leader_id, prior_grade.c.grade).where(prior_grade.c.year == year - 1),
        ("leader_id", "grade"),
    )
    with engine.connect() as conn:
        status = conn.execute(select(assessment_year.c.status).where(assessment_year.c.year == year - 1)).scalar()
        snapshot = None
        if status == YEAR_FINAL:
            snapshot = conn.execute(
                select(result_snapshot.c.results_json)
                .where(result_snapshot.c.year == year - 1)
                .order_by(result_snapshot.c.created_at.desc(), result_snapshot.c.id.desc())
                .limit(1)
            ).scalar()
    if not snapshot:
        return prior
    rows = json.loads(snapshot)
    final = pd.DataFrame(
        [(str(r["code"]), r["grade"]) for r in rows if r.get("grade") in GRADES], columns=["code", "grade"]
    )
    codes = q.frame(select(leader.c.id, leader.c.code), ("leader_id", "code"))
    final = final.merge(codes, on="code", how="inner")[["leader_id", "grade"]]
    rest = prior.loc[~prior["leader_id"].isin(final["leader_id"])]
    return pd.concat([final, rest], ignore_index=True)


def committee_inputs(engine: Engine, year: int) -> pd.DataFrame:
    """Committee sheets per leader and quarter: count, and sum, min, max per duty (3.2 inputs)."""
    stats = []
    for d in DUTY_KEYS:
        col = committee_score.c[d]
        stats += [func.sum(col), func.min(col), func.max(col)]
    return _Query(engine).numbers(
        select(committee_score.c.leader_id, committee_score.c.quarter, func.count(), *stats)
        .where(committee_score.c.year == year)
        .group_by(committee_score.c.leader_id, committee_score.c.quarter),
        {"leader_id": "int64", **dict.fromkeys(COMMITTEE_AGG_COLUMNS[1:], "float64")},
    )


def _self_scores(engine: Engine, year: int) -> pd.DataFrame:
    return _Query(engine).numbers(
        select(self_report.c.leader_id, *(self_report.c[d] for d in DUTY_KEYS)).where(
            self_report.c.year == year, self_report.c.status == SELF_CONFIRMED
        ),
        {"leader_id": "int64", **dict.fromkeys(DUTY_KEYS, "float64")},
    )


def _mass(engine: Engine, year: int) -> pd.DataFrame:
    # One row per leader, a count per mark: the covering index (year, leader_id, mark) gives the
    # groups in order (no temporary B-tree, no table reads) and no pivot is needed in Python.
    return _Query(engine).numbers(
        select(
            ballot_mark.c.leader_id,
            *(func.sum(case((ballot_mark.c.mark == m, 1), else_=0)) for m in MARK_COLUMNS),
        )
        .where(ballot_mark.c.year == year)
        .group_by(ballot_mark.c.leader_id),
        {"leader_id": "int64", **dict.fromkeys(MARK_COLUMNS, "int64")},
    )


def _platform(engine: Engine, year: int) -> pd.DataFrame:
    return _Query(engine).numbers(
        select(platform_count.c.leader_id, func.sum(platform_count.c.reports))
        .where(platform_count.c.year == year)
        .group_by(platform_count.c.leader_id),
        {"leader_id": "int64", "reports": "int64"},
    )


def _adjustments(engine: Engine, year: int) -> pd.DataFrame:
    return _Query(engine).numbers(
        select(
            adjustment.c.leader_id,
            func.coalesce(func.sum(case((adjustment.c.kind == BONUS, adjustment.c.points), else_=0)), 0),
            func.coalesce(func.sum(case((adjustment.c.kind == DEDUCTION, adjustment.c.points), else_=0)), 0),
            func.sum(case((adjustment.c.kind == VETO, 1), else_=0)),
        )
        .where(adjustment.c.year == year)
        .group_by(adjustment.c.leader_id),
        {"leader_id": "int64", "bonus_total": "float64", "deduction_total": "float64", "veto_count": "float64"},
    )


def load_year_inputs(engine: Engine, year: int) -> YearInputs:
    """The engine's inputs for a year, aggregated in SQL (GROUP BY per leader / quarter / mark)."""
    platform = _platform(engine, year)
    return YearInputs(
        year=year,
        leaders=load_leaders(engine),
        self_scores=_self_scores(engine, year),
        committee=committee_inputs(engine, year),
        mass=_mass(engine, year),
        platform=platform,
        adjustments=_adjustments(engine, year),
        previous_grades=previous_grades(engine, year),
        platform_in_use=len(platform) > 0,
    )


def assess_year(engine: Engine, year: int, scheme: Scheme | None = None) -> Assessment:
    """The year's results (scoring.md) with the year's stored scheme, or the scheme given."""
    if scheme is None:
        scheme = year_scheme(engine, year)
    else:
        _stored_scheme_text(engine, year)  # the year must exist
    return score_year(load_year_inputs(engine, year), scheme)


def leader_raw_rows(engine: Engine, year: int, leader_id: int) -> LeaderRawRows:
    """The raw input rows of one leader (for the explanation)."""
    q = _Query(engine)
    self_row = q.frame(
        select(*(self_report.c[d] for d in DUTY_KEYS)).where(
            self_report.c.year == year, self_report.c.leader_id == leader_id, self_report.c.status == SELF_CONFIRMED
        ),
        DUTY_KEYS,
    )
    committee = q.frame(
        select(committee_score.c.quarter, committee_score.c.rater, *(committee_score.c[d] for d in DUTY_KEYS))
        .where(committee_score.c.year == year, committee_score.c.leader_id == leader_id),
        ("quarter", "rater", *DUTY_KEYS),
    )
    ballots = q.frame(
        select(ballot_mark.c.ballot_no, ballot_mark.c.rater_type, ballot_mark.c.mark).where(
            ballot_mark.c.year == year, ballot_mark.c.leader_id == leader_id
        ),
        ("ballot_no", "rater_type", "mark"),
    )
    platform = q.frame(
        select(platform_count.c.month, platform_count.c.reports).where(
            platform_count.c.year == year, platform_count.c.leader_id == leader_id
        ),
        ("month", "reports"),
    )
    adjustments = q.frame(
        select(adjustment.c.kind, adjustment.c.points, adjustment.c.reason).where(
            adjustment.c.year == year, adjustment.c.leader_id == leader_id
        ),
        ("kind", "points", "reason"),
    )
    return LeaderRawRows(
        self_scores=None if self_row.empty else {k: float(v) for k, v in self_row.iloc[0].items()},
        committee=committee,
        ballots=ballots,
        platform=platform,
        adjustments=adjustments,
    )


def explain_leader(
    engine: Engine, year: int, code: str, scheme: Scheme | None = None, assessment: Assessment | None = None
) -> Explanation:
    """The explanation of one leader's result (structured data + Chinese lines)."""
    assessment = assessment or assess_year(engine, year, scheme)
    match = assessment.results.loc[assessment.results["code"] == str(code), "leader_id"]
    if match.empty:
        raise LeaderNotFoundError(code, year)
    raw = leader_raw_rows(engine, year, int(match.iloc[0]))
    return explain_result(assessment, str(code), raw)
