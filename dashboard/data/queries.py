"""Assess a year from the database: aggregate the inputs in SQL, then run the pure engine.

The database computes count, sum, min and max per leader (and quarter) with GROUP BY, so
millions of committee rows and ballot marks never travel to Python (works on SQLite and
PostgreSQL). `assess_year` is what the app, the command line and the exports call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, column, func, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.sql.expression import TableClause

from dashboard.domain import BONUS, DEDUCTION, DUTY_KEYS, GRADES, VETO, YEAR_FINAL
from dashboard.scoring import YearInputs, score_year
from dashboard.scoring.engine import ScoringResult
from dashboard.scoring.explain import Explanation, LeaderRawRows, explain_result
from dashboard.scoring.inputs import COMMITTEE_AGG_COLUMNS, MARK_COLUMNS
from dashboard.scoring.scheme import Scheme


def _table(name: str, *columns: str) -> TableClause:
    return table(name, *(column(c) for c in columns))


# The columns the assessment reads, as lightweight Core tables: `assess` does not need the ORM
# models (importing SQLModel and models.tables costs about 0.3 s at every start of the
# command line). tests/db/test_migrations.py checks them against the models.
AssessmentYear = _table("assessment_year", "year", "scheme_json", "status")
County = _table("county", "id", "name")
Township = _table("township", "id", "county_id", "name")
Village = _table("village", "id", "township_id", "name")
Grid = _table("grid", "id", "village_id", "name")
DefenseGroup = _table("defense_group", "id", "grid_id", "name")
Leader = _table("leader", "id", "code", "name", "role", "appointed_on", "status", "grid_id", "group_id")
PriorGrade = _table("prior_grade", "leader_id", "year", "grade")
ResultSnapshot = _table("result_snapshot", "id", "year", "results_json", "created_at")
SelfReport = _table("self_report", "year", "leader_id", *DUTY_KEYS)
CommitteeScore = _table("committee_score", "year", "quarter", "rater", "leader_id", *DUTY_KEYS)
BallotMark = _table("ballot_mark", "year", "ballot_no", "rater_type", "leader_id", "mark")
PlatformCount = _table("platform_count", "year", "leader_id", "month", "reports")
Adjustment = _table("adjustment", "year", "leader_id", "kind", "points", "reason")
CORE_TABLES = (
    AssessmentYear, County, Township, Village, Grid, DefenseGroup, Leader, PriorGrade, ResultSnapshot,
    SelfReport, CommitteeScore, BallotMark, PlatformCount, Adjustment,
)

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


def _stored_scheme_text(engine: Engine, year: int) -> str:
    with engine.connect() as conn:
        text = conn.execute(select(AssessmentYear.c.scheme_json).where(AssessmentYear.c.year == year)).scalar()
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
            Leader.c.id, Leader.c.code, Leader.c.name, Leader.c.role, County.c.name, Township.c.name, Village.c.name,
            Grid.c.name, DefenseGroup.c.name, Leader.c.appointed_on, Leader.c.status,
        )
        .join(Grid, Grid.c.id == Leader.c.grid_id)
        .join(Village, Village.c.id == Grid.c.village_id)
        .join(Township, Township.c.id == Village.c.township_id)
        .join(County, County.c.id == Township.c.county_id)
        .outerjoin(DefenseGroup, DefenseGroup.c.id == Leader.c.group_id)
        .order_by(Leader.c.id)
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
        select(PriorGrade.c.leader_id, PriorGrade.c.grade).where(PriorGrade.c.year == year - 1),
        ("leader_id", "grade"),
    )
    with engine.connect() as conn:
        status = conn.execute(select(AssessmentYear.c.status).where(AssessmentYear.c.year == year - 1)).scalar()
        snapshot = None
        if status == YEAR_FINAL:
            snapshot = conn.execute(
                select(ResultSnapshot.c.results_json)
                .where(ResultSnapshot.c.year == year - 1)
                .order_by(ResultSnapshot.c.created_at.desc(), ResultSnapshot.c.id.desc())
                .limit(1)
            ).scalar()
    if not snapshot:
        return prior
    rows = json.loads(snapshot)
    final = pd.DataFrame(
        [(str(r["code"]), r["grade"]) for r in rows if r.get("grade") in GRADES], columns=["code", "grade"]
    )
    codes = q.frame(select(Leader.c.id, Leader.c.code), ("leader_id", "code"))
    final = final.merge(codes, on="code", how="inner")[["leader_id", "grade"]]
    rest = prior.loc[~prior["leader_id"].isin(final["leader_id"])]
    return pd.concat([final, rest], ignore_index=True)


def committee_inputs(engine: Engine, year: int) -> pd.DataFrame:
    """Committee sheets per leader and quarter: count, and sum, min, max per duty (3.2 inputs)."""
    stats = []
    for d in DUTY_KEYS:
        col = CommitteeScore.c[d]
        stats += [func.sum(col), func.min(col), func.max(col)]
    committee = _Query(engine).frame(
        select(CommitteeScore.c.leader_id, CommitteeScore.c.quarter, func.count(), *stats)
        .where(CommitteeScore.c.year == year)
        .group_by(CommitteeScore.c.leader_id, CommitteeScore.c.quarter),
        COMMITTEE_AGG_COLUMNS,
    )
    for col in COMMITTEE_AGG_COLUMNS[1:]:
        committee[col] = pd.to_numeric(committee[col]).astype("float64")
    return committee


def load_year_inputs(engine: Engine, year: int) -> YearInputs:
    """The engine's inputs for a year, aggregated in SQL (GROUP BY per leader / quarter / mark)."""
    q = _Query(engine)
    self_scores = q.frame(
        select(SelfReport.c.leader_id, *(SelfReport.c[d] for d in DUTY_KEYS)).where(SelfReport.c.year == year),
        ("leader_id", *DUTY_KEYS),
    )
    committee = committee_inputs(engine, year)
    # One row per leader, a count per mark: the covering index (year, leader_id, mark) gives the
    # groups in order (no temporary B-tree, no table reads) and no pivot is needed in Python.
    mass = q.frame(
        select(
            BallotMark.c.leader_id,
            *(func.sum(case((BallotMark.c.mark == m, 1), else_=0)) for m in MARK_COLUMNS),
        )
        .where(BallotMark.c.year == year)
        .group_by(BallotMark.c.leader_id),
        ("leader_id", *MARK_COLUMNS),
    )
    for col in MARK_COLUMNS:
        mass[col] = pd.to_numeric(mass[col]).astype("int64")
    platform = q.frame(
        select(PlatformCount.c.leader_id, func.sum(PlatformCount.c.reports))
        .where(PlatformCount.c.year == year)
        .group_by(PlatformCount.c.leader_id),
        ("leader_id", "reports"),
    )
    adjustments = q.frame(
        select(
            Adjustment.c.leader_id,
            func.coalesce(func.sum(case((Adjustment.c.kind == BONUS, Adjustment.c.points), else_=0)), 0),
            func.coalesce(func.sum(case((Adjustment.c.kind == DEDUCTION, Adjustment.c.points), else_=0)), 0),
            func.sum(case((Adjustment.c.kind == VETO, 1), else_=0)),
        )
        .where(Adjustment.c.year == year)
        .group_by(Adjustment.c.leader_id),
        ("leader_id", "bonus_total", "deduction_total", "veto_count"),
    )
    for frame in (committee, adjustments):
        for col in frame.columns[1:]:
            frame[col] = pd.to_numeric(frame[col]).astype("float64")
    return YearInputs(
        year=year,
        leaders=load_leaders(engine),
        self_scores=self_scores,
        committee=committee,
        mass=mass,
        platform=platform,
        adjustments=adjustments,
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
        select(*(SelfReport.c[d] for d in DUTY_KEYS)).where(
            SelfReport.c.year == year, SelfReport.c.leader_id == leader_id
        ),
        DUTY_KEYS,
    )
    committee = q.frame(
        select(CommitteeScore.c.quarter, CommitteeScore.c.rater, *(CommitteeScore.c[d] for d in DUTY_KEYS))
        .where(CommitteeScore.c.year == year, CommitteeScore.c.leader_id == leader_id),
        ("quarter", "rater", *DUTY_KEYS),
    )
    ballots = q.frame(
        select(BallotMark.c.ballot_no, BallotMark.c.rater_type, BallotMark.c.mark).where(
            BallotMark.c.year == year, BallotMark.c.leader_id == leader_id
        ),
        ("ballot_no", "rater_type", "mark"),
    )
    platform = q.frame(
        select(PlatformCount.c.month, PlatformCount.c.reports).where(
            PlatformCount.c.year == year, PlatformCount.c.leader_id == leader_id
        ),
        ("month", "reports"),
    )
    adjustments = q.frame(
        select(Adjustment.c.kind, Adjustment.c.points, Adjustment.c.reason).where(
            Adjustment.c.year == year, Adjustment.c.leader_id == leader_id
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


# --- command line `assess` ------------------------------------------------------------------


class AssessCommandError(Exception):
    """A refused `assess` invocation (unknown year, invalid scheme, bad output name …)."""


OUT_SUFFIXES = (".json", ".csv", ".xlsx")


def terminal_table(frame: pd.DataFrame, limit: int | None = None) -> str:
    """A short Chinese table of the results for the terminal."""
    header = f"{'编号':<10}{'姓名':<8}{'职务':<6}{'乡镇':<8}{'最终得分':>8}  {'等次':<6}{'乡镇排名':>6}  备注"
    lines = [header]
    rows = frame if limit is None else frame.head(limit)
    for r in rows.itertuples(index=False):
        notes = []
        if r.award:
            notes.append("表彰")
        if r.adjustment:
            notes.append("建议调整")
        if not r.complete:
            notes.append("数据不完整")
        lines.append(
            f"{r.code:<10}{r.name:<8}{r.role:<6}{r.township:<8}{r.final:>8.2f}  {r.grade:<6}"
            f"{r.township_rank:>6}  {'、'.join(notes)}"
        )
    counts = frame["grade"].value_counts()
    lines.append(
        f"共 {len(frame)} 人：" + "，".join(f"{g} {int(counts.get(g, 0))} 人" for g in GRADES)
        + f"；表彰 {int(frame['award'].sum())} 人，建议调整 {int(frame['adjustment'].sum())} 人。"
    )
    return "\n".join(lines)


def write_results(assessment: Assessment, path: str) -> None:
    """Write the result rows to .json / .csv / .xlsx (interfaces.md) via dashboard.data.export."""
    from dashboard.data import export

    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    writers = {
        ".json": export.write_results_json,
        ".csv": export.write_results_csv,
        ".xlsx": export.write_results_xlsx,
    }
    if suffix not in writers:
        raise AssessCommandError(f"输出文件 {path} 的扩展名应为 .json、.csv 或 .xlsx")
    writers[suffix](assessment.results, path)


def assess_for_command(engine: Engine, *, year: int, scheme_file: str | None = None) -> Assessment:
    """assess_year for `assess` and `awards`: a bad scheme file or year becomes AssessCommandError."""
    from dashboard.scoring.scheme import SchemeError, SchemeFileError

    try:
        scheme = Scheme.load(scheme_file) if scheme_file else None
        return assess_year(engine, year, scheme)
    except SchemeError as exc:
        raise AssessCommandError(f"方案无效：{exc}") from exc
    except (SchemeFileError, YearNotFoundError) as exc:
        raise AssessCommandError(str(exc)) from exc


def run_assess(
    engine: Engine, *, year: int, scheme_file: str | None = None, out: str | None = None,
    explain: str | None = None,
) -> str:
    """`assess`: compute the year's results; write them, explain one leader, or show a table."""
    if out and not out.lower().endswith(OUT_SUFFIXES):
        raise AssessCommandError(f"输出文件 {out} 的扩展名应为 .json、.csv 或 .xlsx")
    assessment = assess_for_command(engine, year=year, scheme_file=scheme_file)
    parts = []
    if out:
        write_results(assessment, out)
        parts.append(f"已写出 {len(assessment.results)} 条考评结果：{out}")
    if explain:
        try:
            explanation = explain_leader(engine, year, explain, assessment=assessment)
        except LeaderNotFoundError as exc:
            raise AssessCommandError(str(exc)) from exc
        parts.append("\n".join(explanation.lines))
    if not out and not explain:
        parts.append(terminal_table(assessment.results))
    return "\n".join(parts)
