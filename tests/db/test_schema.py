"""The schema itself enforces the rules: foreign keys, unique keys and ranges."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from dashboard.data.db import transaction
from dashboard.scoring.scheme import Scheme
from models import AssessmentYear, County, Grid, Leader, PlatformCount, Township, Village


def _grid_leader(engine) -> int:
    with transaction(engine) as s:
        county = County(name="舟曲县")
        s.add(county)
        s.flush()
        town = Township(county_id=county.id, name="南峪乡")
        s.add(town)
        s.flush()
        village = Village(township_id=town.id, name="南峪村")
        s.add(village)
        s.flush()
        grid = Grid(village_id=village.id, name="第一网格")
        s.add(grid)
        s.flush()
        leader = Leader(
            code="G001", name="杨卓玛", gender="女", role="网格长", grid_id=grid.id,
            appointed_on=date(2020, 3, 1),
        )
        s.add(leader)
        s.add(AssessmentYear(year=2024, scheme_json=Scheme.default().to_json()))
        s.flush()
        return leader.id


def test_platform_count_rejects_negative_reports(db_engine):
    """A negative monthly count is refused by the database itself."""
    leader_id = _grid_leader(db_engine)
    with pytest.raises(IntegrityError):
        with transaction(db_engine) as s:
            s.add(PlatformCount(year=2024, leader_id=leader_id, month=1, reports=-1))


def test_platform_count_unique_per_month(db_engine):
    """Two counts for the same leader and month violate the unique key."""
    leader_id = _grid_leader(db_engine)
    with pytest.raises(IntegrityError):
        with transaction(db_engine) as s:
            s.add(PlatformCount(year=2024, leader_id=leader_id, month=3, reports=2))
            s.add(PlatformCount(year=2024, leader_id=leader_id, month=3, reports=5))


def test_foreign_key_to_unknown_leader_refused(db_engine):
    """A count for a leader that does not exist is refused (foreign keys are on)."""
    _grid_leader(db_engine)
    with pytest.raises(IntegrityError):
        with transaction(db_engine) as s:
            s.add(PlatformCount(year=2024, leader_id=9999, month=1, reports=1))


def test_household_leader_needs_group(db_engine):
    """A 联户长 without a joint-defense group violates the role/group check."""
    _grid_leader(db_engine)
    with pytest.raises(IntegrityError):
        with transaction(db_engine) as s:
            s.add(Leader(code="H001", name="马小军", gender="男", role="联户长", grid_id=1,
                         appointed_on=date(2021, 1, 1)))
