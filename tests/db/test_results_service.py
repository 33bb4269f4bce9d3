"""Reads behind the result pages (dashboard.services.results) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from factories import build_world
from sqlmodel import select

from dashboard.data.db import read_session, transaction
from dashboard.scoring.scheme import Scheme
from dashboard.services.auth import PermissionDenied
from dashboard.services.results import (
    ResultScope,
    leader_grade_history,
    prior_grades,
    quarter_notice_scope,
    result_scope,
    scope_results,
)
from models import AssessmentYear, Leader, PriorGrade, ResultSnapshot, User

pytestmark = pytest.mark.db


def _results() -> pd.DataFrame:
    """One result row per leader of the test world (only the place columns matter here)."""
    return pd.DataFrame(
        {
            "code": ["NY-G1", "NY-H1", "NY-H2", "JP-G1", "JP-H1", "DC-G1"],
            "township": ["南峪乡", "南峪乡", "南峪乡", "南峪乡", "南峪乡", "大川镇"],
            "village": ["南峪村", "南峪村", "南峪村", "江盘村", "江盘村", "南峪村"],
        }
    )


def _scope(engine, username: str) -> ResultScope:
    with read_session(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return result_scope(session=s, user=user)


def test_viewer_sees_only_the_results_of_their_township(db_engine):
    """The 南峪乡 viewer gets the five 南峪乡 leaders, not 大川镇's 南峪村 of the same name."""
    build_world(db_engine)
    scope = _scope(db_engine, "viewer")
    assert scope.township == "南峪乡"
    assert scope_results(_results(), scope)["code"].tolist() == [
        "NY-G1",
        "NY-H1",
        "NY-H2",
        "JP-G1",
        "JP-H1",
    ]


def test_assessor_sees_only_their_villages_and_admin_everything(db_engine):
    """The assessor of 南峪乡/南峪村 gets its three leaders; the admin all six."""
    build_world(db_engine)
    assessor = _scope(db_engine, "assessor")
    assert assessor.villages == frozenset({("南峪乡", "南峪村")})
    assert scope_results(_results(), assessor)["code"].tolist() == ["NY-G1", "NY-H1", "NY-H2"]
    admin = _scope(db_engine, "admin")
    assert admin.everything and len(scope_results(_results(), admin)) == 6


def test_result_scope_refuses_an_unknown_role(db_engine):
    """A user row with no result role (defensive: role edited by hand) is refused in Chinese."""
    build_world(db_engine)
    with read_session(db_engine) as s:
        user = s.exec(select(User).where(User.username == "viewer")).one()
        user.role = "guest"
        with pytest.raises(PermissionDenied, match="查看考评结果"):
            result_scope(session=s, user=user)


def test_leader_grade_history_prefers_final_results_over_imports(db_engine):
    """2022 imported 称职; 2023 imported 优秀 but finalised as 基本称职 → 基本称职 (定稿) wins."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        leader = s.exec(select(Leader).where(Leader.code == "NY-G1")).one()
        s.add(PriorGrade(leader_id=leader.id, year=2022, grade="称职"))
        s.add(PriorGrade(leader_id=leader.id, year=2023, grade="优秀"))
        s.add(AssessmentYear(year=2023, scheme_json=Scheme.default().to_json(), status="已定稿"))
        s.flush()
        s.add(
            ResultSnapshot(
                year=2023,
                created_at=datetime(2024, 1, 10, tzinfo=UTC),
                created_by="admin",
                scheme_json="{}",
                results_json=json.dumps([{"code": "NY-G1", "grade": "基本称职"}]),
            )
        )
    with read_session(db_engine) as s:
        history = leader_grade_history(session=s, code="NY-G1", before=2024)
        assert history.values.tolist() == [
            [2023, "基本称职", "本系统定稿结果"],
            [2022, "称职", "往年等次（导入）"],
        ]
        # A system grade of an open year overrides the import but not a final result.
        history = leader_grade_history(
            session=s, code="NY-G1", before=2024, computed={2022: "优秀", 2023: "称职"}
        )
        assert history["grade"].tolist() == ["基本称职", "优秀"]
        assert leader_grade_history(session=s, code="NY-G1", before=2023)["year"].tolist() == [2022]


def test_prior_grades_carry_role_and_place(db_engine):
    """Imported grades come with the leader's role, township and village (for the trend)."""
    build_world(db_engine)
    with transaction(db_engine) as s:
        leader = s.exec(select(Leader).where(Leader.code == "JP-H1")).one()
        s.add(PriorGrade(leader_id=leader.id, year=2023, grade="不称职"))
    with read_session(db_engine) as s:
        frame = prior_grades(session=s)
    assert frame.values.tolist() == [["JP-H1", "联户长", "南峪乡", "江盘村", 2023, "不称职"]]


def test_quarter_notice_is_for_officials_and_admins_only(db_engine):
    """The 季度考评通报 scope: the official and the admin get theirs; viewer and assessor are refused."""
    build_world(db_engine)
    with read_session(db_engine) as s:
        def user(name):
            return s.exec(select(User).where(User.username == name)).one()

        assert quarter_notice_scope(session=s, user=user("admin")).everything
        assert quarter_notice_scope(session=s, user=user("official")) == result_scope(session=s, user=user("official"))
        for name in ("viewer", "assessor"):
            with pytest.raises(PermissionDenied, match="季度考评通报"):
                quarter_notice_scope(session=s, user=user(name))
