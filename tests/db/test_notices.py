"""SMS CSV for the bulk-SMS platform: published results and monthly report reminders."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from factories import build_year, make_user
from sqlalchemy import update
from sqlmodel import select

from dashboard.data.db import read_session, transaction
from dashboard.services import notices
from dashboard.services.auth import PermissionDenied
from dashboard.services.workflow import publish_year
from models import Leader, PlatformCount, User


def _setup(engine) -> dict:
    ids = build_year(engine)
    make_user(engine, "official", "official")
    make_user(engine, "clerk", "assessor", villages=("南峪村",))
    with transaction(engine) as s:
        s.execute(update(Leader).where(Leader.code == "H1").values(phone="138 0000 0001"))
        s.execute(update(Leader).where(Leader.code == "G1").values(phone="13800000002"))
    return ids


def _rows(batch: notices.SmsBatch) -> list[list[str]]:
    assert batch.csv.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(batch.csv.decode("utf-8-sig"))))


def test_result_notices_after_publication(db_engine):
    """After 公示 (deadline 2025-01-12): H1 优秀 97.22 rank 1; five leaders without a number are listed."""
    _setup(db_engine)
    with read_session(db_engine) as s:
        official = s.exec(select(User).where(User.username == "official")).one()
        with pytest.raises(notices.NoticeError, match="还没有公示"):
            notices.result_notices(session=s, user=official, year=2024)
    publish_year(engine=db_engine, user=official, year=2024, start=date(2025, 1, 6), end=date(2025, 1, 12))
    with transaction(db_engine) as s:
        batch = notices.result_notices(session=s, user=s.get(User, official.id), year=2024)
    rows = _rows(batch)
    assert rows[0] == ["手机号", "内容"]
    assert dict(rows[1:])["13800000001"] == (
        "【南峪乡】马海军同志：您2024年度联户长考评等次为优秀，总分97.22，全乡镇联户长第1名。"
        "如有异议，请于2025年1月12日前向乡镇提出。")
    assert batch.count == 2
    assert sorted(m["编号"] for m in batch.without_phone) == ["H2", "H3", "H4", "H5", "X1"]


def test_reminders_go_to_leaders_without_reports(db_engine):
    """March: H1 reported 2, so only G1 (with a number) gets a reminder; the others are listed."""
    ids = _setup(db_engine)
    with transaction(db_engine) as s:
        s.add(PlatformCount(year=2024, leader_id=ids["H1"], month=3, reports=2))
    with transaction(db_engine) as s:
        official = s.exec(select(User).where(User.username == "official")).one()
        batch = notices.report_reminders(session=s, user=official, year=2024, month=3)
    rows = _rows(batch)
    assert [r[0] for r in rows[1:]] == ["13800000002"]
    assert "2024年3月还没有综治E通上报记录" in rows[1][1]
    assert sorted(m["编号"] for m in batch.without_phone) == ["H2", "H3", "H4", "H5", "X1"]


def test_notices_are_for_officials_and_admins_only(db_engine):
    """An assessor may not export SMS notices."""
    _setup(db_engine)
    with read_session(db_engine) as s:
        clerk = s.exec(select(User).where(User.username == "clerk")).one()
        with pytest.raises(PermissionDenied):
            notices.report_reminders(session=s, user=clerk, year=2024, month=1)
