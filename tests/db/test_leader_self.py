"""Leaders' own accounts and self-reports: pending until confirmed, only confirmed counts, no reach beyond."""

from __future__ import annotations

import pytest
from factories import build_year, make_user
from sqlmodel import select

from dashboard.data.db import read_session, transaction
from dashboard.data.queries import assess_year
from dashboard.data.years import YearClosed
from dashboard.domain import DUTIES, DUTY_KEYS
from dashboard.services import leader_accounts, leader_self
from dashboard.services.auth import PermissionDenied, authenticate, village_scope
from dashboard.services.completion import leader_completion
from dashboard.services.workflow import publish_year
from models import AuditEvent, SelfReport, User, Village


def _accounts(engine, village: str = "南峪村") -> dict[str, str]:
    admin = make_user(engine, "admin", "admin")
    with transaction(engine) as s:
        vid = s.exec(select(Village.id).where(Village.name == village)).one()
        made = leader_accounts.create_leader_accounts(session=s, user=s.get(User, admin.user_id), village_id=vid)
    return {m.code: m.password for m in made}


def _user(s, username: str) -> User:
    return s.exec(select(User).where(User.username == username)).one()


def _submit(engine, code: str, score: float) -> str:
    with transaction(engine) as s:
        return leader_self.submit_own_self_report(
            session=s, user=_user(s, code), year=2024, scores={DUTIES[k]: score for k in DUTY_KEYS},
            narrative="本人述职")


def test_bulk_accounts_have_one_time_passwords_that_must_be_changed(db_engine):
    """南峪村's 6 leaders get accounts named by 编号; the printed password signs in and must be replaced."""
    build_year(db_engine)
    passwords = _accounts(db_engine)
    assert sorted(passwords) == ["G1", "H1", "H2", "H3", "H4", "H5"]
    with transaction(db_engine) as s:
        admin = _user(s, "admin")
        vid = s.exec(select(Village.id).where(Village.name == "南峪村")).one()
        assert leader_accounts.create_leader_accounts(session=s, user=admin, village_id=vid) == []
        result = authenticate(session=s, username="H1", password=passwords["H1"])
        assert result.ok and result.user.role == "leader"
        h1 = _user(s, "H1")
        assert h1.must_change_password and h1.leader_id is not None
        leader_accounts.change_own_password(session=s, user_id=h1.id, old=passwords["H1"], new="my-own-pass-1",
                                            keep_session_id=None)
    with read_session(db_engine) as s:
        assert not _user(s, "H1").must_change_password
    sheet = leader_accounts.initial_passwords_html("南峪村", [
        leader_accounts.InitialPassword("H1", "马海军", "联户长", "H1", passwords["H1"])])
    assert passwords["H1"] in sheet and "马海军" in sheet


def test_own_report_counts_only_after_confirmation(db_engine):
    """H1 (self 100) submits 50 everywhere: pending → self absent; confirmed → self 50, final drops by hand."""
    build_year(db_engine)
    _accounts(db_engine)
    assessor = make_user(db_engine, "clerk", "assessor", villages=("南峪村",))
    before = assess_year(db_engine, 2024).results.set_index("code").loc["H1"]
    assert before["final"] == pytest.approx(97.22)
    assert _submit(db_engine, "H1", 50) == "已提交 2024 年度个人述职，等待村评分员确认"
    with read_session(db_engine) as s:
        pending = leader_self.pending_self_reports(session=s, user=s.get(User, assessor.user_id), year=2024)
        done = leader_completion(session=s, user=s.get(User, assessor.user_id), year=2024).set_index("编号")
    assert [(p["编号"], p["状态"]) for p in pending] == [("H1", "待确认")]
    assert "no_self_report" in str(assess_year(db_engine, 2024).results.set_index("code").loc["H1", "flags"])
    assert not done.loc["H1", "个人述职"] and done.loc["H2", "个人述职"]  # pending is not yet done
    with transaction(db_engine) as s:
        leader_self.review_self_report(session=s, user=s.get(User, assessor.user_id), year=2024, code="H1",
                                       confirm=True)
    after = assess_year(db_engine, 2024).results.set_index("code").loc["H1"]
    # (0.1 × 50 + 0.3 × 100 + 0.5 × 95) / 0.9 = 82.5 / 0.9 = 91.67
    assert after["self"] == pytest.approx(50.0)
    assert after["final"] == pytest.approx(91.67)
    with read_session(db_engine) as s:
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions[-2:] == ["self_report.submit", "self_report.confirm"]


def test_returned_report_needs_a_note_and_shows_it(db_engine):
    """Returning without a note is refused; with one the leader sees 已退回 and the note."""
    build_year(db_engine)
    _accounts(db_engine)
    assessor = make_user(db_engine, "clerk", "assessor", villages=("南峪村",))
    _submit(db_engine, "H2", 70)
    with transaction(db_engine) as s:
        with pytest.raises(leader_self.SelfReportError, match="退回意见"):
            leader_self.review_self_report(session=s, user=s.get(User, assessor.user_id), year=2024, code="H2",
                                           confirm=False)
    with transaction(db_engine) as s:
        leader_self.review_self_report(session=s, user=s.get(User, assessor.user_id), year=2024, code="H2",
                                       confirm=False, note="调解员一项请写具体案例")
    with read_session(db_engine) as s:
        mine = leader_self.own_self_report(session=s, user=_user(s, "H2"), year=2024)
    assert (mine["状态"], mine["退回意见"]) == ("已退回", "调解员一项请写具体案例")


def test_leader_reaches_nothing_but_his_own(db_engine):
    """A 本人 account has an empty village scope, cannot review, and another assessor's village is refused."""
    build_year(db_engine)
    _accounts(db_engine)
    make_user(db_engine, "far", "assessor", villages=("东山村",))
    _submit(db_engine, "H3", 90)
    with transaction(db_engine) as s:
        h1 = _user(s, "H1")
        assert village_scope(session=s, user=h1) == set()
        assert leader_self.own_self_report(session=s, user=h1, year=2024)["状态"] == "已确认"  # clerk-typed row
        with pytest.raises(PermissionDenied):
            leader_self.pending_self_reports(session=s, user=h1, year=2024)
        with pytest.raises(PermissionDenied):
            leader_self.review_self_report(session=s, user=h1, year=2024, code="H3", confirm=True)
        with pytest.raises(PermissionDenied, match="不在您负责的村内"):
            leader_self.review_self_report(session=s, user=_user(s, "far"), year=2024, code="H3", confirm=True)
        from dashboard.services.results import result_scope

        with pytest.raises(PermissionDenied):
            result_scope(session=s, user=h1)


def test_no_own_report_after_publication(db_engine):
    """Once 2024 is 公示中 a leader can no longer submit, and his 述职档案 opens."""
    build_year(db_engine)
    _accounts(db_engine)
    with read_session(db_engine) as s:
        admin = _user(s, "admin")
        assert not leader_self.own_record_year_open(session=s, user=_user(s, "H1"), year=2024)
    publish_year(engine=db_engine, user=admin, year=2024)
    with pytest.raises(YearClosed):
        _submit(db_engine, "H1", 80)
    with read_session(db_engine) as s:
        assert leader_self.own_record_year_open(session=s, user=_user(s, "H1"), year=2024)
        assert s.exec(select(SelfReport.status)).all() == ["已确认"] * 7
