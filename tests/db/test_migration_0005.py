"""Migration 0005 on a database with data: stored self-reports become 已确认, accounts keep their roles."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from dashboard.data.db import make_engine
from dashboard.data.migrate import alembic_config


def _to(engine, revision: str, *, down: bool = False) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_stored_self_reports_count_as_confirmed_after_0005(tmp_path):
    """A self-report and an official stored under 0004 are 已确认 and unchanged under 0005, and back again."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _to(engine, "0004")
    duties = "info, service, publicity, mediation, sanitation, patrol, unity"
    with engine.begin() as conn:
        for sql in (
            "INSERT INTO county (id, name) VALUES (1, '舟曲县')",
            "INSERT INTO township (id, county_id, name) VALUES (1, 1, '南峪乡')",
            "INSERT INTO village (id, township_id, name) VALUES (1, 1, '南峪村')",
            "INSERT INTO grid (id, village_id, name) VALUES (1, 1, '第一网格')",
            "INSERT INTO leader (id, code, name, gender, role, appointed_on, status, grid_id) "
            "VALUES (1, 'G1', '杨卓玛', '女', '网格长', '2020-03-01', '在任', 1)",
            "INSERT INTO assessment_year (year, scheme_json, status, revision) VALUES (2024, '{}', '录入中', 0)",
            f"INSERT INTO self_report (id, year, leader_id, {duties}, version) VALUES (1, 2024, 1, 90, 90, 90, 90, 90, 90, 90, 1)",
            "INSERT INTO app_user (id, username, password_hash, role, is_demo, failed_logins) "
            "VALUES (1, 'li', 'x', 'official', 0, 0)",
        ):
            conn.execute(text(sql))
    _to(engine, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status, info FROM self_report")).one() == ("已确认", 90)
        assert conn.execute(text("SELECT role, leader_id, must_change_password FROM app_user")).one() == (
            "official", None, 0)
    _to(engine, "0004", down=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM self_report")).scalar() == 1
    engine.dispose()
