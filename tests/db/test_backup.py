"""Backup and restore on SQLite (online backup API) and PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import sqlite3

import pytest
from factories import build_year, make_user
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlmodel import select

from dashboard.cli.main import main as cli_main
from dashboard.data.backup import BackupError, backup, pg_env, restore
from dashboard.data.db import make_engine, read_session, transaction
from dashboard.data.export.records import results_records
from dashboard.data.queries import assess_year
from dashboard.services import workflow
from models import AssessmentYear, CommitteeScore, ResultSnapshot

BOTH = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_restored_backup_gives_the_same_results(db_url, tmp_path, monkeypatch):
    """After damage and a restore, assess_year and the publicity snapshot are exactly as before."""
    engine = make_engine(db_url)
    build_year(engine)
    admin = make_user(engine, "admin1", "admin")
    snapshot = workflow.publish_year(engine=engine, user=admin, year=2024)
    before = results_records(assess_year(engine, 2024).results)
    assert before == workflow.snapshot_records(snapshot)  # the frozen record, for reference

    out = backup(db_url, tmp_path / "lianhu.backup")
    assert out.stat().st_size > 0

    # Damage: reopen the year and delete every committee sheet.
    with transaction(engine) as s:
        workflow.reopen_year(session=s, user=admin, year=2024, reason="测试恢复")
        s.execute(delete(CommitteeScore))
    damaged = results_records(assess_year(engine, 2024).results)
    assert damaged != before
    engine.dispose()

    # The damage is audited (reopen), so the backup lacks it: only a forced restore undoes it.
    monkeypatch.setenv("LIANHU_DATA_DIR", str(tmp_path / "data"))
    assert restore(db_url, out, force=True).safety_backup is not None

    engine = make_engine(db_url)
    after = results_records(assess_year(engine, 2024).results)
    with read_session(engine) as s:
        status = s.get(AssessmentYear, 2024).status
        snapshots = s.exec(select(ResultSnapshot)).all()
        committee_rows = len(s.exec(select(CommitteeScore)).all())
    engine.dispose()
    assert after == before
    assert status == "公示中"
    assert [workflow.snapshot_records(x) for x in snapshots] == [before]
    assert committee_rows == 7  # one sheet row per leader, as built


def test_sqlite_backup_is_consistent_while_a_write_is_open(sqlite_engine, tmp_path):
    """The online backup copies the committed state beside an uncommitted write, without waiting."""
    build_year(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    path = sqlite_engine.url.database
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE assessment_year SET revision = 99 WHERE year = 2024")
    try:
        out = backup(url, tmp_path / "copy.db")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    copy = sqlite3.connect(out)
    try:
        assert copy.execute("SELECT revision FROM assessment_year").fetchall() == [(0,)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT count(*) FROM leader").fetchone() == (7,)
    finally:
        copy.close()


def test_restore_refuses_a_file_that_is_not_a_backup(db_url, tmp_path):
    """A text file, or a SQLite file of another program, is refused in Chinese; nothing changes."""
    engine = make_engine(db_url)
    build_year(engine)
    engine.dispose()
    junk = tmp_path / "notes.txt"
    junk.write_text("这不是备份", encoding="utf-8")
    with pytest.raises(BackupError, match="不是 SQLite 数据库备份"):
        restore(db_url, junk)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="不是本系统的数据库"):
        restore(db_url, other)
    with pytest.raises(BackupError, match="备份文件不存在"):
        restore(db_url, tmp_path / "missing.db")
    engine = make_engine(db_url)
    with read_session(engine) as s:
        assert s.get(AssessmentYear, 2024) is not None
    engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgres_restore_refuses_a_sqlite_file(db_url, tmp_path):
    """A SQLite file cannot be restored into PostgreSQL: the message names the formats."""
    path = tmp_path / "x.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="它是 SQLite 数据库"):
        restore(db_url, path)


def test_pg_env_passes_url_parts_without_the_command_line():
    """Host, port, user, password and database travel as PG* variables, never as arguments."""
    env = pg_env(make_url("postgresql+psycopg://clerk:s3cr%40t@db.local:5433/lianhu?sslmode=require"))
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"], env["PGDATABASE"],
            env["PGSSLMODE"]) == ("db.local", "5433", "clerk", "s3cr@t", "lianhu", "require")


@BOTH
def test_backup_and_restore_commands(db_url, tmp_path, capsys):
    """`backup --out FILE` and `restore FILE` exit 0; a bad file exits 2 with the reason."""
    engine = make_engine(db_url)
    build_year(engine)
    engine.dispose()
    out = tmp_path / "b.backup"
    assert cli_main(["backup", "--out", str(out), "--db", db_url]) == 0
    assert f"已备份到 {out}" in capsys.readouterr().out
    assert cli_main(["restore", str(out), "--db", db_url]) == 0
    assert "已从" in capsys.readouterr().out
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00" * 64)
    assert cli_main(["restore", str(bad), "--db", db_url]) == 2
    assert "备份文件不是" in capsys.readouterr().err


@BOTH
def test_backup_into_a_folder_exits_2(db_url, tmp_path, capsys):
    """`backup --out` naming an existing folder is refused with a Chinese message, the folder untouched."""
    folder = tmp_path / "备份"
    folder.mkdir()
    assert cli_main(["backup", "--out", str(folder), "--db", db_url]) == 2
    assert "是一个文件夹" in capsys.readouterr().err
    assert list(folder.iterdir()) == []
    assert list(tmp_path.glob("*.part")) == []
