"""The tables and columns that the assessment queries read, as lightweight Core clauses.

`sqlalchemy.table()` / `column()` name what a SELECT needs without building the SQLModel
classes of models.tables (pydantic, the ORM): a reader such as `python -m dashboard assess`
starts in a fraction of the time. models.tables stays the schema; a test checks that every
column named here exists there.
"""

from __future__ import annotations

from sqlalchemy import column, table

from dashboard.domain import DUTY_KEYS


def _table(name: str, *columns: str):
    return table(name, *(column(c) for c in columns))


assessment_year = _table("assessment_year", "year", "scheme_json", "status", "revision")
county = _table("county", "id", "name")
township = _table("township", "id", "name", "county_id")
village = _table("village", "id", "name", "township_id")
grid = _table("grid", "id", "name", "village_id")
defense_group = _table("defense_group", "id", "name", "grid_id")
leader = _table("leader", "id", "code", "name", "role", "appointed_on", "status", "grid_id", "group_id")
prior_grade = _table("prior_grade", "leader_id", "year", "grade")
result_snapshot = _table("result_snapshot", "id", "year", "created_at", "results_json")
self_report = _table("self_report", "year", "leader_id", "status", *DUTY_KEYS)
committee_score = _table("committee_score", "year", "quarter", "rater", "leader_id", *DUTY_KEYS)
ballot_mark = _table("ballot_mark", "year", "ballot_no", "rater_type", "leader_id", "mark")
platform_count = _table("platform_count", "year", "leader_id", "month", "reports")
adjustment = _table("adjustment", "year", "leader_id", "kind", "points", "reason")

READ_TABLES = (
    assessment_year, county, township, village, grid, defense_group, leader, prior_grade, result_snapshot,
    self_report, committee_score, ballot_mark, platform_count, adjustment,
)
