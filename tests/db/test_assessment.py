"""assess_year on SQLite and PostgreSQL: SQL aggregates equal the pandas ones, hand-worked results."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "unit"))

from scoring_builders import YearBuilder, duties  # noqa: E402

from dashboard.data.db import transaction  # noqa: E402
from dashboard.data.queries import (  # noqa: E402
    YearNotFoundError,
    assess_year,
    explain_leader,
    load_year_inputs,
)
from dashboard.domain import DUTY_KEYS  # noqa: E402
from dashboard.scoring import score_year  # noqa: E402
from dashboard.scoring.scheme import Scheme  # noqa: E402
from models.tables import (  # noqa: E402
    Adjustment,
    AssessmentYear,
    BallotMark,
    CommitteeScore,
    County,
    DefenseGroup,
    Grid,
    Leader,
    PlatformCount,
    PriorGrade,
    ResultSnapshot,
    SelfReport,
    Township,
    Village,
)

pytestmark = pytest.mark.db


def store(engine, b: YearBuilder, *, scheme: Scheme | None = None, years=None) -> dict[int, int]:
    """Write a YearBuilder's leaders and raw rows through the models; returns builder id → db id."""
    ids: dict[int, int] = {}
    with transaction(engine) as s:
        for y in years or [b.year]:
            s.add(AssessmentYear(year=y, scheme_json=(scheme or Scheme.default()).to_json()))
        regions: dict[tuple, int] = {}

        def region(key, make):
            if key not in regions:
                obj = make()
                s.add(obj)
                s.flush()
                regions[key] = obj.id
            return regions[key]

        for ld in b.leaders:
            c = region(("c", ld["county"]), lambda ld=ld: County(name=ld["county"]))
            t = region(("t", ld["county"], ld["township"]), lambda ld=ld, c=c: Township(county_id=c, name=ld["township"]))
            v = region(("v", t, ld["village"]), lambda ld=ld, t=t: Village(township_id=t, name=ld["village"]))
            g = region(("g", v, ld["grid"]), lambda ld=ld, v=v: Grid(village_id=v, name=ld["grid"]))
            grp = None
            if ld["role"] == "联户长":
                grp = region(("d", g, ld["group"]), lambda ld=ld, g=g: DefenseGroup(grid_id=g, name=ld["group"]))
            leader = Leader(code=ld["code"], name=ld["name"], gender="男", role=ld["role"],
                            appointed_on=ld["appointed_on"], status=ld["status"], grid_id=g, group_id=grp)
            s.add(leader)
            s.flush()
            ids[ld["leader_id"]] = leader.id
        y = b.year
        for r in b.self_rows:
            s.add(SelfReport(year=y, leader_id=ids[r["leader_id"]], **{d: r[d] for d in DUTY_KEYS}))
        for r in b.committee_rows:
            s.add(CommitteeScore(year=y, quarter=r["quarter"], rater=r["rater"], leader_id=ids[r["leader_id"]],
                                 **{d: r[d] for d in DUTY_KEYS}))
        for r in b.ballot_rows:
            s.add(BallotMark(year=y, ballot_no=r["ballot_no"], rater_type="群众代表",
                             leader_id=ids[r["leader_id"]], mark=r["mark"]))
        for r in b.platform_rows:
            s.add(PlatformCount(year=y, leader_id=ids[r["leader_id"]], month=r["month"], reports=r["reports"]))
        for r in b.adjustment_rows:
            s.add(Adjustment(year=y, leader_id=ids[r["leader_id"]], kind=r["kind"], points=r["points"], reason="测试"))
        for r in b.previous:
            s.add(PriorGrade(leader_id=ids[r["leader_id"]], year=y - 1, grade=r["grade"]))
    return ids


def sample_year() -> YearBuilder:
    b = YearBuilder()
    a = b.leader("A", village="甲村")
    for i, v in enumerate((12, 14, 15, 16, 18)):
        b.committee(a, 1, f"委员{i}", duties(v, 15, 10, 20, 10, 15, 10))  # info 15 → 95
    b.committee(a, 2, "委员0", duties(20, 15, 10, 20, 10, 15, 5))  # 95
    b.self_report(a, duties(*[90] * 7))
    b.ballots(a, "优秀", "优秀", "称职", "不称职", "弃权", "优秀")
    b.platform(a, 3, 40)
    b.adjustment(a, "加分", 3)
    b.adjustment(a, "加分", 4)
    b.adjustment(a, "减分", 1.5)
    g = b.leader("G", role="网格长", village="乙村")
    b.self_report(g, duties(*[65] * 7))
    b.previous_grade(g, "基本称职")
    b.leader("N")  # no input at all
    b.leader("R", status="离任")
    v = b.leader("V", village="甲村")
    b.adjustment(v, "一票否决")
    b.ballots(v, *["不称职"] * 5)
    return b


def test_assess_year_matches_hand_worked_numbers(db_engine):
    """A: committee 95, mass 93.33, platform 83.33, self 90 → base 92.83 + 5 − 1.5 = 96.33."""
    b = sample_year()
    store(db_engine, b)
    frame = assess_year(db_engine, 2024).results.set_index("code")
    assert "R" not in frame.index and "N" in frame.index
    a = frame.loc["A"]
    # Committee: Q1 (14+15+16)/3 = 15 + 80 = 95; Q2 20+15+10+20+10+15+5 = 95 → 95.
    # Mass: 100,100,80,40,100 → drop 100 and 40 → 280/3 = 93.33. Platform 100×40/48 = 83.33.
    # Base 9 + 28 + 47.5 + 8.333 = 92.833; bonus 7 → 5; final 92.833 + 5 − 1.5 = 96.33.
    assert (a["self"], a["committee"], a["mass"], a["platform"]) == (90.0, 95.0, 93.33, 83.33)
    assert (a["bonus"], a["deduction"], a["final"], a["grade"]) == (5.0, 1.5, 96.33, "优秀")
    assert a["satisfaction"] == 0.8 and a["ballots"] == 5 and a["pay"] == 1008.0
    # G: self 65, platform 0 (in use) → (6.5 + 0) / 0.2 = 32.5 → 不称职, adjustment.
    g = frame.loc["G"]
    assert g["final"] == 32.5 and g["grade"] == "不称职" and g["adjustment"]
    v = frame.loc["V"]
    assert v["grade"] == "不称职" and list(v["flags"]) == ["no_self_report", "no_committee_score", "veto", "mass_veto"]


def test_sql_aggregates_equal_pandas_aggregates(db_engine):
    """load_year_inputs (SQL GROUP BY) gives the same aggregates as the pure pandas helpers."""
    b = sample_year()
    ids = store(db_engine, b)
    loaded = load_year_inputs(db_engine, 2024)
    expected = b.inputs()

    def norm(frame: pd.DataFrame, keys) -> pd.DataFrame:
        frame = frame.copy()
        frame["leader_id"] = frame["leader_id"].astype("int64")
        return frame.sort_values(keys).reset_index(drop=True).astype("float64")

    remap = lambda f: f.assign(leader_id=f["leader_id"].map(ids))  # noqa: E731
    pd.testing.assert_frame_equal(norm(loaded.committee, ["leader_id", "quarter"]),
                                  norm(remap(expected.committee), ["leader_id", "quarter"]), check_dtype=False)
    pd.testing.assert_frame_equal(norm(loaded.mass, ["leader_id"]), norm(remap(expected.mass), ["leader_id"]),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(norm(loaded.platform, ["leader_id"]), norm(remap(expected.platform), ["leader_id"]),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(norm(loaded.adjustments, ["leader_id"]),
                                  norm(remap(expected.adjustments), ["leader_id"]), check_dtype=False)
    assert loaded.uses_platform
    # And the whole result equals the engine on the in-memory inputs.
    db = assess_year(db_engine, 2024).results
    mem = score_year(expected, Scheme.default()).results
    cols = ["code", "self", "mass", "committee", "platform", "final", "grade", "award", "adjustment", "pay"]
    pd.testing.assert_frame_equal(db[cols], mem[cols])


def test_unknown_year_is_refused(db_engine):
    """A year without an AssessmentYear row raises YearNotFoundError with a Chinese message."""
    with pytest.raises(YearNotFoundError, match="没有 2030 年度"):
        assess_year(db_engine, 2030)


def test_previous_grade_from_final_snapshot_beats_imported_grade(db_engine):
    """A 已定稿 snapshot of 2023 grading G 称职 overrides the imported 基本称职: no adjustment."""
    b = sample_year()
    store(db_engine, b, years=[2023, 2024])
    assert assess_year(db_engine, 2024).results.set_index("code").loc["G", "adjustment"]
    # Make G 基本称职 this year (self 65 only, platform weight 0) to see the previous-year rule.
    scheme = Scheme.from_dict({"weights": {"platform": 0}})
    assert assess_year(db_engine, 2024, scheme).results.set_index("code").loc["G", "adjustment"]
    with transaction(db_engine) as s:
        year = s.get(AssessmentYear, 2023)
        year.status = "已定稿"
        s.add(ResultSnapshot(year=2023, created_at=datetime(2024, 1, 10, tzinfo=UTC), created_by="admin",
                             scheme_json="{}", results_json=json.dumps([{"code": "G", "grade": "称职"}])))
    g = assess_year(db_engine, 2024, scheme).results.set_index("code").loc["G"]
    assert g["grade"] == "基本称职" and g["previous_grade"] == "称职" and not g["adjustment"]


def test_snapshot_of_unfinished_year_is_ignored(db_engine):
    """A 公示中 snapshot is not the final record: the imported prior grade still applies."""
    b = sample_year()
    store(db_engine, b, years=[2023, 2024])
    with transaction(db_engine) as s:
        s.get(AssessmentYear, 2023).status = "公示中"
        s.add(ResultSnapshot(year=2023, created_at=datetime(2024, 1, 10, tzinfo=UTC), created_by="admin",
                             scheme_json="{}", results_json=json.dumps([{"code": "G", "grade": "称职"}])))
    scheme = Scheme.from_dict({"weights": {"platform": 0}})
    g = assess_year(db_engine, 2024, scheme).results.set_index("code").loc["G"]
    assert g["previous_grade"] == "基本称职" and g["adjustment"]


def test_explanation_names_dropped_values_and_reasons(db_engine):
    """A's explanation names the dropped committee values 18 and 12, the capped bonus and the quota."""
    store(db_engine, sample_year())
    exp = explain_leader(db_engine, 2024, "A")
    info_q1 = next(e for e in exp.data["committee_trimming"] if e["quarter"] == 1 and e["duty"] == "info")
    assert info_q1["dropped_high"]["value"] == 18 and info_q1["dropped_low"]["value"] == 12
    assert info_q1["value"] == 15
    assert exp.data["ballot_trimming"] == {"trimmed": True, "dropped_high": "优秀", "dropped_low": "不称职"}
    assert exp.data["bonus"]["cap_applied"] and exp.data["bonus"]["used"] == 5.0
    # 3 assessed 联户长 in the township (A, N, V) → quota floor(0.2 × 3) = 0.
    # The reason states the quota itself ("超出表彰名额 0 名" read as "over the quota by nobody").
    assert exp.data["award"]["reasons"] == ["在本乡镇同类人员中排第 1 位，表彰名额只有 0 名"]
    assert any("去掉最高分 18" in line for line in exp.lines)
    v = explain_leader(db_engine, 2024, "V")
    assert v.data["grade"]["forced_by"] == "veto"
    assert "有一票否决" in v.data["award"]["reasons"]
