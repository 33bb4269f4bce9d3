"""Scheme settings service (dashboard.services.scheme) on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from dashboard.data.db import read_session, transaction
from dashboard.data.years import YearClosed
from dashboard.scoring.scheme import Scheme, SchemeError
from dashboard.services.auth import PermissionDenied
from dashboard.services.scheme import SchemeSaveError, load_scheme, save_scheme, scheme_from_upload
from models import AssessmentYear, AuditEvent, User

pytestmark = pytest.mark.db

YEAR = 2024


def _setup(engine, *, status: str = "录入中", revision: int = 3) -> None:
    with transaction(engine) as s:
        s.add(
            AssessmentYear(
                year=YEAR, scheme_json=Scheme.default().to_json(), status=status, revision=revision
            )
        )
        for name, role in (("admin", "admin"), ("official", "official"), ("viewer", "viewer")):
            s.add(User(username=name, password_hash="x", role=role))


def _user(session, name: str) -> User:
    return session.exec(select(User).where(User.username == name)).one()


def _year(engine) -> AssessmentYear:
    with read_session(engine) as s:
        return s.get(AssessmentYear, YEAR)


def test_save_scheme_stores_it_bumps_revision_and_audits(db_engine):
    """An admin's new mass weight 0.4 is stored, revision 3 → 4, one audit event with old and new."""
    _setup(db_engine)
    changed = Scheme.default().replace({"weights": {"mass": 0.4}})
    with transaction(db_engine) as s:
        saved = save_scheme(session=s, user=_user(s, "admin"), year=YEAR, scheme=changed)
    assert (saved.revision, saved.changed) == (4, True)
    row = _year(db_engine)
    assert row.revision == 4
    assert Scheme.from_json(row.scheme_json).weights["mass"] == 0.4
    with read_session(db_engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "scheme.save")).all()
        assert len(events) == 1
        assert json.loads(events[0].old_value)["weights"]["mass"] == 0.3
        assert json.loads(events[0].new_value)["weights"]["mass"] == 0.4
        assert load_scheme(session=s, year=YEAR).weights["mass"] == 0.4


def test_save_scheme_without_change_keeps_the_revision(db_engine):
    """Saving the stored scheme again changes nothing: revision stays 3, no audit event."""
    _setup(db_engine)
    with transaction(db_engine) as s:
        saved = save_scheme(session=s, user=_user(s, "admin"), year=YEAR, scheme=Scheme.default())
    assert (saved.revision, saved.changed) == (3, False)
    with read_session(db_engine) as s:
        assert s.exec(select(AuditEvent)).all() == []


@pytest.mark.parametrize("username", ["official", "viewer"])
def test_save_scheme_refuses_non_admins(db_engine, username):
    """Officials and viewers cannot change the scheme, even calling the service directly."""
    _setup(db_engine)
    changed = Scheme.default().replace({"bonus_cap": 8})
    with pytest.raises(PermissionDenied, match="修改考核方案"):
        with transaction(db_engine) as s:
            save_scheme(session=s, user=_user(s, username), year=YEAR, scheme=changed)
    row = _year(db_engine)
    assert row.revision == 3 and Scheme.from_json(row.scheme_json).bonus_cap == 5


@pytest.mark.parametrize("status", ["公示中", "已定稿"])
def test_save_scheme_refuses_a_year_not_open(db_engine, status):
    """A year in publicity or final keeps its scheme; the refusal names the status."""
    _setup(db_engine, status=status)
    changed = Scheme.default().replace({"bonus_cap": 8})
    with pytest.raises(YearClosed, match=status):
        with transaction(db_engine) as s:
            save_scheme(session=s, user=_user(s, "admin"), year=YEAR, scheme=changed)
    assert Scheme.from_json(_year(db_engine).scheme_json).bonus_cap == 5


def test_save_scheme_refuses_an_unknown_year(db_engine):
    """Saving for a year that does not exist is refused in Chinese; nothing is created."""
    _setup(db_engine)
    with pytest.raises(SchemeSaveError, match="没有 2030 年度"):
        with transaction(db_engine) as s:
            save_scheme(session=s, user=_user(s, "admin"), year=2030, scheme=Scheme.default())
    with read_session(db_engine) as s:
        assert s.get(AssessmentYear, 2030) is None


def test_scheme_from_upload_merges_a_partial_file_over_defaults():
    """A file with only the 优秀 band 88 keeps every other default."""
    scheme = scheme_from_upload(
        json.dumps({"grade_bands": {"优秀": 88}}, ensure_ascii=False).encode("utf-8")
    )
    assert scheme.grade_bands == {"优秀": 88, "称职": 75, "基本称职": 60}
    assert scheme.weights == Scheme.default().weights


def test_scheme_from_upload_names_the_bad_key():
    """Bands not strictly decreasing, an unknown key, or non-UTF-8 bytes are refused with the reason."""
    with pytest.raises(SchemeError, match="grade_bands"):
        scheme_from_upload(
            b'{"grade_bands": {"\xe4\xbc\x98\xe7\xa7\x80": 70}}'
        )  # 优秀 70 < 称职 75
    with pytest.raises(SchemeError, match="weights.bogus"):
        scheme_from_upload(b'{"weights": {"bogus": 1}}')
    with pytest.raises(SchemeError, match="UTF-8"):
        scheme_from_upload("{}".encode("utf-16"))
