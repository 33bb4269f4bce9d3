"""Audit trail: written in the same transaction as the change, filtered, exported safely."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from dashboard.data import audit
from dashboard.data.db import read_session, transaction
from dashboard.scoring.scheme import Scheme
from dashboard.services.accounts import create_user, set_password
from dashboard.services.auth import authenticate
from models import AssessmentYear, AuditEvent


def _add_year(engine, year: int = 2024) -> None:
    with transaction(engine) as s:
        s.add(AssessmentYear(year=year, scheme_json=Scheme.default().to_json()))


def test_record_commits_with_the_write(db_engine):
    """An event recorded inside a transaction is stored with the change, in UTC, values as JSON."""
    _add_year(db_engine)
    before = datetime.now(UTC)
    with transaction(db_engine) as s:
        row = s.get(AssessmentYear, 2024)
        row.revision = 7
        audit.record(s, username="clerk1", action="scheme.save", year=2024, target="2024",
                     old={"revision": 0}, new={"revision": 7}, reason="测试")
    with read_session(db_engine) as s:
        events = s.exec(select(AuditEvent)).all()
    assert len(events) == 1
    ev = events[0]
    assert (ev.username, ev.action, ev.year, ev.target, ev.reason) == (
        "clerk1", "scheme.save", 2024, "2024", "测试")
    assert json.loads(ev.old_value) == {"revision": 0}
    assert json.loads(ev.new_value) == {"revision": 7}
    assert ev.at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= ev.at <= datetime.now(UTC) + timedelta(seconds=1)


def test_record_rolls_back_with_the_failed_write(db_engine):
    """When the action fails, neither the change nor its audit event is stored."""
    _add_year(db_engine)
    with pytest.raises(RuntimeError):
        with transaction(db_engine) as s:
            s.get(AssessmentYear, 2024).revision = 3
            audit.record(s, username="clerk1", action="scheme.save", year=2024)
            s.flush()
            raise RuntimeError("boom")
    with read_session(db_engine) as s:
        assert s.exec(select(AuditEvent)).all() == []
        assert s.get(AssessmentYear, 2024).revision == 0


def test_record_requires_a_user_name(db_engine):
    """An anonymous event is refused: every change must name who made it."""
    with transaction(db_engine) as s, pytest.raises(ValueError, match="用户名"):
        audit.record(s, username="", action="import")


def _three_events(engine) -> None:
    _add_year(engine, 2023)
    _add_year(engine, 2024)
    with transaction(engine) as s:
        audit.record(s, username="alice", action="committee.save", year=2024, target="Q1 张三")
        audit.record(s, username="bob", action="import", year=2023, target="2023.xlsx")
        audit.record(s, username="alice", action="year.publish", year=2024)
    # Move the import back three days so that a date filter can tell the events apart.
    with transaction(engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "import")).one()
        ev.at = ev.at - timedelta(days=3)


def test_audit_frame_filters_by_user_action_year_and_date(db_engine):
    """Each filter narrows the trail; the newest event comes first."""
    _three_events(db_engine)
    today = datetime.now(UTC).date()
    with read_session(db_engine) as s:
        everything = audit.audit_frame(s)
        by_alice = audit.audit_frame(s, username="alice")
        imports = audit.audit_frame(s, action="import")
        in_2023 = audit.audit_frame(s, year=2023)
        recent = audit.audit_frame(s, since=today - timedelta(days=1))
        old = audit.audit_frame(s, until=today - timedelta(days=2))
        users = audit.audit_users(s)
    assert len(everything) == 3
    assert list(everything["action"]) == ["year.publish", "committee.save", "import"]
    assert list(by_alice["action"]) == ["year.publish", "committee.save"]
    assert list(imports["username"]) == ["bob"]
    assert list(in_2023["target"]) == ["2023.xlsx"]
    assert sorted(recent["action"]) == ["committee.save", "year.publish"]
    assert list(old["action"]) == ["import"]
    assert list(everything["action_label"]) == ["发布公示", "保存两委打分", "导入工作簿"]
    assert users == ["alice", "bob"]


def test_audit_export_neutralises_formula_text(db_engine, tmp_path):
    """A reason or target typed as a formula is exported as text (with a ' guard), in CSV and XLSX."""
    _add_year(db_engine)
    with transaction(db_engine) as s:
        audit.record(s, username="=cmd|' /C calc'!A0", action="year.reopen", year=2024,
                     target="+2024", new={"status": "录入中"}, reason="=HYPERLINK(\"http://x\")")
    with read_session(db_engine) as s:
        frame = audit.audit_frame(s)
    csv_path = audit.export_audit(frame, tmp_path / "log.csv")
    xlsx_path = audit.export_audit(frame, tmp_path / "log.xlsx")

    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    assert rows[0]["用户"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["对象"] == "'+2024"
    assert rows[0]["理由"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["操作名称"] == "重新开放录入"
    assert rows[0]["年度"] == "2024"

    ws = load_workbook(xlsx_path).active
    headers = [c.value for c in ws[1]]
    values = dict(zip(headers, [c for c in ws[2]], strict=True))
    assert values["用户"].value == "'=cmd|' /C calc'!A0"
    assert values["用户"].data_type == "s"
    assert values["理由"].value == "'=HYPERLINK(\"http://x\")"
    assert values["理由"].data_type == "s"
    assert values["年度"].value == 2024
    assert values["新值"].value == "{状态: 录入中}"  # readable: Chinese field names, no JSON quotes


def test_audit_export_rejects_unknown_format(db_engine, tmp_path):
    """Only .csv and .xlsx are offered; anything else is refused in Chinese."""
    with read_session(db_engine) as s:
        frame = audit.audit_frame(s)
    with pytest.raises(ValueError, match="不支持的导出格式"):
        audit.export_audit(frame, tmp_path / "log.pdf")


def test_audit_frame_since_a_date_includes_that_whole_day(db_engine):
    """A date filter is inclusive: until=today includes an event from a moment ago."""
    _add_year(db_engine)
    with transaction(db_engine) as s:
        audit.record(s, username="alice", action="import", year=2024)
    today = datetime.now(UTC).date()
    with read_session(db_engine) as s:
        assert len(audit.audit_frame(s, since=today, until=today)) == 1
        assert len(audit.audit_frame(s, until=date(2000, 1, 1))) == 0


def test_account_changes_and_lockouts_are_audited(db_engine):
    """Creating an account, resetting its password and a lockout each leave an event (no password)."""
    with transaction(db_engine) as s:
        create_user(session=s, username="clerk9", password="first-pass-1", role="official",
                    actor="admin1")
    with transaction(db_engine) as s:
        set_password(session=s, username="clerk9", password="second-pass-2", actor="admin1")
    for _ in range(5):
        with transaction(db_engine) as s:
            authenticate(session=s, username="clerk9", password="wrong")
    with read_session(db_engine) as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.username, e.action, e.target) for e in events] == [
        ("admin1", "user.create", "clerk9"),
        ("admin1", "user.update", "clerk9"),
        ("clerk9", "user.locked", "clerk9"),
    ]
    assert json.loads(events[0].new_value)["role"] == "official"
    stored = " ".join(f"{e.old_value} {e.new_value} {e.reason}" for e in events)
    assert "first-pass-1" not in stored and "second-pass-2" not in stored


def test_display_frame_reads_account_changes_in_chinese(db_engine):
    """A user.create event shows 角色: 评分员, 演示账户: 否, 乡镇: 无 — no English key, no None."""
    with transaction(db_engine) as s:
        audit.record(s, username="admin", action="user.create", target="clerk",
                     new={"role": "assessor", "villages": ["南峪乡/南峪村"], "township": None, "demo": False})
    with read_session(db_engine) as s:
        shown = audit.display_frame(audit.audit_frame(s, username="admin"))
    row = shown.iloc[0]
    # stored with sorted keys: demo, role, township, villages
    assert row["新值"] == "{演示账户: 否, 角色: 评分员, 乡镇: 无, 负责的村: [南峪乡/南峪村]}"
    assert (row["原值"], row["理由"]) == ("", "")
