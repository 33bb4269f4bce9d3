"""The year's workflow 录入中 → 公示中 → 已定稿: snapshot, write guard, objections, reopen."""

from __future__ import annotations

import json
from datetime import date

import pytest
from factories import COMMITTEE_SHARE, add_year, build_year, make_user
from sqlmodel import select

from dashboard.cli.main import main as cli_main
from dashboard.data.db import make_engine, read_session, transaction
from dashboard.data.queries import assess_year
from dashboard.data.years import YearClosed, require_open
from dashboard.services import workflow
from dashboard.services.auth import PermissionDenied
from models import AssessmentYear, AuditEvent, PriorGrade, ResultSnapshot

START, END = date(2025, 1, 6), date(2025, 1, 12)


def _by_code(records):
    return {r["code"]: r for r in records}


def _publish(engine, user, year=2024):
    return workflow.publish_year(engine=engine, user=user, year=year, start=START, end=END)


def test_publish_freezes_results_and_period(db_engine):
    """Publishing stores the hand-computed results, the scheme and the period; status 公示中."""
    build_year(db_engine)
    official = make_user(db_engine, "official1", "official")
    snapshot = _publish(db_engine, official)
    with read_session(db_engine) as s:
        row = s.get(AssessmentYear, 2024)
        stored = s.exec(select(ResultSnapshot)).all()
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "year.publish")).all()
    assert (row.status, row.publicity_start, row.publicity_end) == ("公示中", START, END)
    assert row.revision == 1  # 0 → 1: the status change is a write too
    assert [x.id for x in stored] == [snapshot.id]
    assert stored[0].created_by == "official1"
    recs = _by_code(workflow.snapshot_records(stored[0]))
    # finals worked in factories.build_year: (40 + 0.5 c) / 0.9
    assert {c: recs[c]["final"] for c in recs} == {
        "G1": 100.0, "H1": 97.22, "H2": 94.44, "H3": 88.89, "H4": 83.33, "H5": 77.78, "X1": 72.22}
    assert {c: recs[c]["grade"] for c in recs} == {
        "G1": "优秀", "H1": "优秀", "H2": "优秀", "H3": "称职", "H4": "称职", "H5": "称职",
        "X1": "基本称职"}
    # quota floor(0.2 × 6 household leaders) = 1; floor(0.2 × 1 grid leader) = 0
    assert [c for c in recs if recs[c]["award"]] == ["H1"]
    assert recs["H1"]["pay"] == 1008.0  # 840 × 1.2
    assert json.loads(stored[0].scheme_json)["weights"]["committee"] == 0.5
    assert len(events) == 1 and events[0].username == "official1"
    new = json.loads(events[0].new_value)
    assert (new["status"], new["publicity_start"], new["awards"], new["leaders"]) == (
        "公示中", "2025-01-06", 1, 7)


def test_snapshot_recomputed_from_stored_inputs_and_scheme_is_identical(db_engine):
    """Recomputing from the stored inputs with the snapshot's scheme gives exactly the snapshot."""
    build_year(db_engine)
    snapshot = _publish(db_engine, make_user(db_engine, "admin1", "admin"))
    records, scheme_json = workflow.compute_records(
        db_engine, 2024, workflow.snapshot_scheme(snapshot))
    assert records == workflow.snapshot_records(snapshot)
    assert json.loads(scheme_json) == json.loads(snapshot.scheme_json)
    assert len(records) == 7


def test_publicity_award_list_shows_the_frozen_awards(db_engine):
    """The publicity page's list holds exactly the awarded leaders of the snapshot."""
    build_year(db_engine)
    with read_session(db_engine) as s:
        assert workflow.publicity_award_list(s, 2024).empty  # nothing published yet
    _publish(db_engine, make_user(db_engine, "official1", "official"))
    with read_session(db_engine) as s:
        awards = workflow.publicity_award_list(s, 2024)
    assert list(awards["code"]) == ["H1"]
    assert list(awards["final"]) == [97.22]


@pytest.mark.parametrize("role", ["assessor", "viewer"])
def test_publish_refused_for_roles_without_workflow_rights(db_engine, role):
    """Only an official or an admin may publish; the year stays 录入中 and nothing is frozen."""
    build_year(db_engine)
    user = make_user(db_engine, f"u_{role}", role)
    with pytest.raises(PermissionDenied):
        _publish(db_engine, user)
    with pytest.raises(PermissionDenied):
        _publish(db_engine, None)
    with read_session(db_engine) as s:
        assert s.get(AssessmentYear, 2024).status == "录入中"
        assert s.exec(select(ResultSnapshot)).all() == []


def test_publish_refuses_end_before_start_and_second_publish(db_engine):
    """A period ending before it starts is refused; a published year cannot be published again."""
    build_year(db_engine)
    official = make_user(db_engine, "official1", "official")
    with pytest.raises(workflow.WorkflowError, match="不能早于开始日期"):
        workflow.publish_year(engine=db_engine, user=official, year=2024,
                              start=date(2025, 1, 6), end=date(2025, 1, 5))
    _publish(db_engine, official)
    with pytest.raises(workflow.WorkflowError, match="只有录入中的年度可以发布公示"):
        _publish(db_engine, official)


def test_default_publicity_period_is_seven_days(db_engine):
    """Without dates the period runs from today for seven days (start + 6)."""
    build_year(db_engine)
    workflow.publish_year(engine=db_engine, user=make_user(db_engine, "o", "official"),
                          year=2024, today=date(2025, 3, 1))
    with read_session(db_engine) as s:
        row = s.get(AssessmentYear, 2024)
    assert (row.publicity_start, row.publicity_end) == (date(2025, 3, 1), date(2025, 3, 7))


def test_writes_refused_while_published_and_final(db_engine):
    """require_open refuses 公示中 and 已定稿 with the reason; 录入中 and a new year pass."""
    build_year(db_engine)
    official = make_user(db_engine, "official1", "official")
    with transaction(db_engine) as s:
        require_open(s, 2024)
        require_open(s, 2031)  # not created yet: open
    _publish(db_engine, official)
    with pytest.raises(YearClosed, match="正在公示"), transaction(db_engine) as s:
        require_open(s, 2024)
    with transaction(db_engine) as s:
        workflow.finalize_year(session=s, user=official, year=2024, today=END)
    with pytest.raises(YearClosed, match="已定稿"), transaction(db_engine) as s:
        require_open(s, 2024)


def test_finalize_waits_for_end_of_publicity_and_answers(db_engine):
    """Finalising is refused before the end date and while an objection is unanswered."""
    build_year(db_engine)
    official = make_user(db_engine, "official1", "official")
    _publish(db_engine, official)
    with pytest.raises(workflow.WorkflowError, match="公示期满后才能定稿"):
        with transaction(db_engine) as s:
            workflow.finalize_year(session=s, user=official, year=2024, today=date(2025, 1, 11))
    with transaction(db_engine) as s:
        objection = workflow.record_objection(
            session=s, user=official, year=2024, leader_code="H1", raised_by="村民王某",
            content="认为马海军的群众评议票数有误")
        objection_id = objection.id
    with pytest.raises(workflow.WorkflowError, match="还有 1 条异议未答复"):
        with transaction(db_engine) as s:
            workflow.finalize_year(session=s, user=official, year=2024, today=END)
    with transaction(db_engine) as s:
        workflow.answer_objection(session=s, user=official, objection_id=objection_id,
                                  answer="经核对 5 张测评票，票数无误")
    with transaction(db_engine) as s:
        workflow.finalize_year(session=s, user=official, year=2024, today=END)
    with read_session(db_engine) as s:
        assert s.get(AssessmentYear, 2024).status == "已定稿"
        assert workflow.official_snapshot(s, 2024) is not None
        frame = workflow.objections_frame(s, 2024)
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert list(frame["code"]) == ["H1"]
    assert list(frame["answered_by"]) == ["official1"]
    assert actions == ["year.publish", "objection.add", "objection.answer", "year.finalize"]


def test_objections_only_during_publicity_and_answered_once(db_engine):
    """An objection needs the year 公示中, a known code and text; an answer is given once."""
    build_year(db_engine)
    official = make_user(db_engine, "official1", "official")
    with pytest.raises(workflow.WorkflowError, match="只有公示期间"), transaction(db_engine) as s:
        workflow.record_objection(session=s, user=official, year=2024, leader_code="H1",
                                  raised_by="村民", content="有异议")
    _publish(db_engine, official)
    with pytest.raises(workflow.WorkflowError, match="不在人员名册中"), transaction(db_engine) as s:
        workflow.record_objection(session=s, user=official, year=2024, leader_code="ZZ9",
                                  raised_by="村民", content="有异议")
    with pytest.raises(workflow.WorkflowError, match="请填写异议内容"), transaction(db_engine) as s:
        workflow.record_objection(session=s, user=official, year=2024, leader_code="H1",
                                  raised_by="村民", content="   ")
    with pytest.raises(PermissionDenied), transaction(db_engine) as s:
        workflow.record_objection(session=s, user=make_user(db_engine, "v", "viewer"), year=2024,
                                  leader_code="H1", raised_by="村民", content="有异议")
    with transaction(db_engine) as s:
        oid = workflow.record_objection(session=s, user=official, year=2024, leader_code="H2",
                                        raised_by="村民", content="有异议").id
    with transaction(db_engine) as s:
        workflow.answer_objection(session=s, user=official, objection_id=oid, answer="已核实")
    with pytest.raises(workflow.WorkflowError, match="不能重复答复"), transaction(db_engine) as s:
        workflow.answer_objection(session=s, user=official, objection_id=oid, answer="再答一次")


def test_reopen_needs_admin_and_reason(db_engine):
    """An official cannot reopen; an admin needs a non-empty reason, which the trail keeps."""
    build_year(db_engine)
    official = make_user(db_engine, "official1", "official")
    admin = make_user(db_engine, "admin1", "admin")
    _publish(db_engine, official)
    with pytest.raises(PermissionDenied), transaction(db_engine) as s:
        workflow.reopen_year(session=s, user=official, year=2024, reason="更正打分")
    with pytest.raises(workflow.WorkflowError, match="必须填写理由"), transaction(db_engine) as s:
        workflow.reopen_year(session=s, user=admin, year=2024, reason="  ")
    with transaction(db_engine) as s:
        workflow.reopen_year(session=s, user=admin, year=2024, reason="H3 两委打分录错，需更正")
    with read_session(db_engine) as s:
        row = s.get(AssessmentYear, 2024)
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "year.reopen")).one()
        assert workflow.current_snapshot(s, 2024) is None
    assert (row.status, row.publicity_start, row.publicity_end) == ("录入中", None, None)
    assert event.reason == "H3 两委打分录错，需更正"
    assert json.loads(event.old_value)["status"] == "公示中"
    with transaction(db_engine) as s:
        require_open(s, 2024)  # writes are accepted again


def test_next_year_reads_previous_grade_from_final_snapshot(db_engine):
    """2025's two-year rule reads 2024's final snapshot, not the imported prior grade.

    H5 is 称职 in the 2024 snapshot (77.78) but has an imported 往年等次 基本称职 for 2024.
    In 2025 H5's committee share is 0.40: (40 + 20) / 0.9 = 66.67 → 基本称职. 建议调整 follows
    from 基本称职 twice: true while 2024 is only published (the prior grade is read), false
    once 2024 is final (the snapshot's 称职 is read).
    """

    ids = build_year(db_engine)
    add_year(db_engine, 2025, ids, shares={**COMMITTEE_SHARE, "H5": 0.40})
    with transaction(db_engine) as s:
        s.add(PriorGrade(leader_id=ids["H5"], year=2024, grade="基本称职"))
    official = make_user(db_engine, "official1", "official")
    _publish(db_engine, official)

    def h5_2025():
        frame = assess_year(db_engine, 2025).results
        row = frame.loc[frame["code"] == "H5"].iloc[0]
        return row["grade"], bool(row["adjustment"])

    assert h5_2025() == ("基本称职", True)
    with transaction(db_engine) as s:
        workflow.finalize_year(session=s, user=official, year=2024, today=END)
    assert h5_2025() == ("基本称职", False)


def test_year_cli_publish_finalize_reopen(db_url, capsys):
    """The command line runs the same steps and exits 2 with the reason when refused."""
    engine = make_engine(db_url)
    build_year(engine)
    engine.dispose()
    assert cli_main(["year", "publish", "--year", "2024", "--start", "2025-01-06",
                     "--end", "2025-01-12", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "公示期 2025-01-06 至 2025-01-12" in out and "冻结 7 人的结果，表彰 1 人" in out
    assert cli_main(["year", "publish", "--year", "2024", "--db", db_url]) == 2
    assert "只有录入中的年度可以发布公示" in capsys.readouterr().err
    assert cli_main(["year", "finalize", "--year", "2024", "--db", db_url]) == 0
    assert "已定稿" in capsys.readouterr().out
    assert cli_main(["year", "reopen", "--year", "2024", "--reason", " ", "--db", db_url]) == 2
    assert "必须填写理由" in capsys.readouterr().err
    assert cli_main(["year", "reopen", "--year", "2024", "--reason", "更正", "--db", db_url]) == 0
    assert cli_main(["year", "status", "--db", db_url]) == 0
    assert "2024  录入中  数据版本 3" in capsys.readouterr().out  # publish, finalize, reopen
