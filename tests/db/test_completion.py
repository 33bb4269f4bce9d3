"""Completion overview: what each assessed leader lacks, and the per-village counts."""

from __future__ import annotations

from datetime import date

from factories import YEAR, build_world
from sqlmodel import select

from dashboard.data.db import read_session, transaction
from dashboard.domain import DUTIES
from dashboard.services.completion import leader_completion, village_completion
from dashboard.services.inputs import save_ballot_tallies, save_committee_sheet, save_self_report
from models import Leader, User

FULL = dict(zip(DUTIES.values(), [20, 15, 10, 20, 10, 15, 10], strict=True))


def _as(engine, username, service, **kwargs):
    with transaction(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return service(session=s, user=user, **kwargs)


def _table(engine, username):
    with read_session(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return leader_completion(session=s, user=user, year=YEAR)


def test_completion_lists_what_is_missing(db_engine):
    """NY-H1 with a self-report, two Q1 raters and 5 valid ballots lacks only Q2–Q4 sheets."""
    build_world(db_engine)
    _as(db_engine, "admin", save_self_report, year=YEAR, code="NY-H1", scores=dict.fromkeys(DUTIES.values(), 90))
    for rater in ("张书记", "李主任"):
        _as(db_engine, "admin", save_committee_sheet, year=YEAR, quarter=1, rater=rater,
            rows=[{"编号": "NY-H1", **FULL}])
    # 4 优秀 + 1 称职 = 5 valid marks (the default minimum); 2 弃权 do not count
    _as(db_engine, "admin", save_ballot_tallies, year=YEAR, rater_type="群众代表",
        rows=[{"编号": "NY-H1", "优秀": 4, "称职": 1, "弃权": 2}])
    table = _table(db_engine, "admin").set_index("编号")
    row = table.loc["NY-H1"]
    assert bool(row["个人述职"]) and bool(row["票数达标"]) and not bool(row["齐全"])
    assert (row["一季度"], row["二季度"], row["有效票"]) == (2, 0, 5)
    assert row["缺项"] == "二季度两委打分、三季度两委打分、四季度两委打分"
    assert table.loc["NY-H2", "缺项"] == "个人述职、一季度两委打分、二季度两委打分、三季度两委打分、四季度两委打分、评议票（0/5）"


def test_completion_scoped_and_skips_retired_and_late(db_engine):
    """The assessor sees only 南峪村; a 离任 leader and one appointed in 2025 are not listed."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        s.exec(select(Leader).where(Leader.code == "NY-H2")).one().status = "离任"
        s.exec(select(Leader).where(Leader.code == "NY-G1")).one().appointed_on = date(YEAR + 1, 1, 5)
    assert list(_table(db_engine, "assessor")["编号"]) == ["NY-H1"]
    # admin: 6 leaders − NY-H2 (离任) − NY-G1 (appointed after the year) = 4
    assert sorted(_table(db_engine, "admin")["编号"]) == ["DC-G1", "JP-G1", "JP-H1", "NY-H1"]


def test_village_counts(db_engine):
    """Per village: 南峪村 has 3 leaders of whom 1 has a self-report and 1 a Q1 sheet."""
    build_world(db_engine)
    _as(db_engine, "assessor", save_self_report, year=YEAR, code="NY-G1", scores=dict.fromkeys(DUTIES.values(), 80))
    _as(db_engine, "assessor", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
        rows=[{"编号": "NY-H2", **FULL}])
    villages = village_completion(_table(db_engine, "viewer")).set_index("村")
    assert list(villages.index) == ["南峪村", "江盘村"]  # the viewer's township 南峪乡 only
    assert villages.loc["南峪村", ["人数", "个人述职", "一季度", "二季度", "齐全"]].tolist() == [3, 1, 1, 0, 0]
    assert villages.loc["江盘村", "人数"] == 2
