"""The Alembic migrations build exactly the schema the models declare, on both back-ends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from dashboard.domain import DUTY_KEYS


def _differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_migrated_schema_matches_the_models(db_engine):
    """After `upgrade head`, autogenerate finds nothing to add, drop or alter (tables, columns, indexes)."""
    assert _differences(db_engine) == []


def test_aggregation_indexes_exist_after_migration(db_engine):
    """The migrated database has the (year, leader_id, quarter) and (year, leader_id, mark) indexes."""
    inspector = inspect(db_engine)
    committee = {i["name"]: i["column_names"] for i in inspector.get_indexes("committee_score")}
    ballots = {i["name"]: i["column_names"] for i in inspector.get_indexes("ballot_mark")}
    assert committee["ix_committee_year_leader_quarter"] == ["year", "leader_id", "quarter"]
    assert ballots["ix_ballot_year_leader_mark"] == ["year", "leader_id", "mark"]
    # The two-column indexes they replace are gone (their columns are the new indexes' prefix).
    assert "ix_committee_year_leader" not in committee
    assert "ix_ballot_year_leader" not in ballots


def test_committee_aggregation_needs_no_temporary_btree(sqlite_engine):
    """SQLite reads the committee rows in (leader, quarter) order from the index: no temp B-tree for GROUP BY."""
    stats = ", ".join(f"sum({d}), min({d}), max({d})" for d in DUTY_KEYS)
    committee = (
        f"SELECT leader_id, quarter, count(*), {stats} FROM committee_score "
        "WHERE year = 2024 GROUP BY leader_id, quarter"
    )
    mass = (
        "SELECT leader_id, sum(CASE WHEN mark = '优秀' THEN 1 ELSE 0 END) FROM ballot_mark "
        "WHERE year = 2024 GROUP BY leader_id"
    )
    with sqlite_engine.connect() as conn:
        plan = " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + committee))
        mass_plan = " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + mass))
    assert "ix_committee_year_leader_quarter" in plan
    assert "TEMP B-TREE" not in plan
    assert "COVERING INDEX ix_ballot_year_leader_mark" in mass_plan
