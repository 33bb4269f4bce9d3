"""Restore safety: `restore` never silently drops work the backup lacks; `--force` keeps a copy and is audited."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from cli_checks import cli, fingerprint
from factories import build_year, make_user
from sqlalchemy import select
from sqlalchemy.engine import make_url

from dashboard.data import backup as backup_module
from dashboard.data.backup import BackupError, DataState, backup, overwritten_changes, restore
from dashboard.data.db import make_engine, read_session
from dashboard.services import workflow
from models import AssessmentYear, AuditEvent

BOTH = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


def published_after_backup(db_url: str, out: Path) -> None:
    """The tiny year, a backup of it, then one newer change: 2024 published (one audit event)."""
    engine = make_engine(db_url)
    build_year(engine)
    admin = make_user(engine, "admin1", "admin")
    engine.dispose()
    backup(db_url, out)
    engine = make_engine(db_url)
    workflow.publish_year(engine=engine, user=admin, year=2024)
    engine.dispose()


def year_row(db_url: str, year: int = 2024) -> AssessmentYear:
    engine = make_engine(db_url)
    with read_session(engine) as s:
        row = s.get(AssessmentYear, year)
    engine.dispose()
    return row


@BOTH
def test_restore_over_newer_work_exits_2_and_changes_nothing(db_url, tmp_path):
    """An older backup over a published year: exit 2, the lost work named in Chinese, content unchanged."""
    out = tmp_path / "old.backup"
    published_after_backup(db_url, out)
    before = fingerprint(db_url)
    files_before = sorted(p.name for p in tmp_path.iterdir())

    done = cli("restore", str(out), "--db", db_url)

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "当前数据库中有备份里没有的更改" in done.stderr
    assert "1 条操作记录不在备份中" in done.stderr and "发布公示" in done.stderr
    assert "--force" in done.stderr
    assert fingerprint(db_url) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files_before
    assert year_row(db_url).status == "公示中"


@BOTH
def test_restore_force_keeps_a_safety_backup_and_audits(db_url, tmp_path, monkeypatch):
    """`--force` prints the safety backup, restores, and the restored trail ends with the restore itself."""
    out = tmp_path / "old.backup"
    published_after_backup(db_url, out)
    published_revision = year_row(db_url).revision
    data_dir = tmp_path / "data"

    done = cli("restore", str(out), "--force", "--db", db_url, env={"LIANHU_DATA_DIR": str(data_dir)})

    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("已先把当前数据库另存为安全备份："))
    safety = Path(line.split("：", 1)[1])
    assert safety.is_file() and "before-restore" in safety.name
    if make_url(db_url).get_backend_name() == "sqlite":
        assert safety.parent == Path(make_url(db_url).database).parent
    else:
        assert safety.parent == data_dir
    restored = year_row(db_url)
    assert restored.status == "录入中"
    # Above the published database's revision, so no cached result of it is reused.
    assert restored.revision == published_revision + 1
    engine = make_engine(db_url)
    with read_session(engine) as s:
        last = s.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
        actions = [e.action for e in s.exec(select(AuditEvent)).scalars()]
    engine.dispose()
    assert last.action == "restore" and last.target == "old.backup"
    assert json.loads(last.new_value) == {"backup_file": str(out.resolve()), "safety_backup": str(safety.resolve())}
    assert "强制恢复" in last.reason and "发布公示" in last.reason
    assert "year.publish" not in actions

    # The safety backup really holds the overwritten state: forced back, 2024 is published again.
    monkeypatch.setenv("LIANHU_DATA_DIR", str(data_dir))
    restore(db_url, safety, force=True)
    assert year_row(db_url).status == "公示中"


@BOTH
def test_restore_without_lost_work_is_allowed_and_audited(db_url, tmp_path):
    """A backup of the current state, and a later backup into an empty database, restore with exit 0."""
    out = tmp_path / "now.backup"
    engine = make_engine(db_url)
    build_year(engine)
    engine.dispose()
    backup(db_url, out)

    done = cli("restore", str(out), "--db", db_url)

    assert done.returncode == 0, done.stderr
    assert "安全备份" not in done.stdout
    engine = make_engine(db_url)
    with read_session(engine) as s:
        events = s.exec(select(AuditEvent)).scalars().all()
    engine.dispose()
    assert [e.action for e in events][-1] == "restore"
    assert events[-1].reason is None
    # Now the database holds that restore event, which the backup lacks: the next restore refuses.
    again = cli("restore", str(out), "--db", db_url)
    assert again.returncode == 2 and "恢复数据库 now.backup" in again.stderr


def test_restore_into_a_new_sqlite_file(tmp_path, sqlite_engine):
    """Restoring into a file that does not exist yet loses nothing: exit 0, the data is there."""
    build_year(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    out = backup(url, tmp_path / "b.db")
    fresh = tmp_path / "new" / "lianhu.db"
    done = cli("restore", str(out), "--db", f"sqlite:///{fresh}")
    assert done.returncode == 0, done.stderr
    assert year_row(f"sqlite:///{fresh}").status == "录入中"
    assert sorted(p.name for p in fresh.parent.iterdir()) == ["lianhu.db"]


def _state(events: dict[int, tuple], revisions: dict[int, int]) -> DataState:
    return DataState(events=events, revisions=revisions)


def test_overwritten_changes_compares_trail_and_revisions():
    """A prefix trail loses nothing; a changed or extra event, a higher revision or a missing year is named."""
    t1, t2, t3 = datetime(2024, 1, 1, 8), datetime(2024, 1, 2, 8), datetime(2024, 1, 3, 9, 30)
    e1, e2 = (t1, "u", "import", "a.xlsx"), (t2, "u", "year.publish", "2024")
    backup_state = _state({1: e1, 2: e2}, {2024: 3})
    assert overwritten_changes(_state({1: e1}, {2024: 2}), backup_state) == []
    assert overwritten_changes(_state({}, {}), backup_state) == []
    newer = _state({1: e1, 2: e2, 3: (t3, "v", "committee.save", "H1")}, {2024: 4, 2025: 1})
    assert overwritten_changes(newer, backup_state) == [
        "1 条操作记录不在备份中（最新一条：2024-01-03 09:30:00 UTC，v，保存两委打分 H1）",
        "2024 年度数据版本为 4，备份中为 3",
        "2025 年度（数据版本 1）在备份中没有",
    ]
    # Same id, other content (work done after restoring an older backup): lost as well.
    forked = _state({1: e1, 2: (t3, "v", "import", "b.xlsx")}, {2024: 3})
    assert overwritten_changes(forked, backup_state) == [
        "1 条操作记录不在备份中（最新一条：2024-01-03 09:30:00 UTC，v，导入工作簿 b.xlsx）"
    ]


@BOTH
def test_restore_of_a_damaged_backup_exits_2_without_leftovers(db_url, tmp_path):
    """A truncated backup file is refused in Chinese; the database and its folder are unchanged."""
    engine = make_engine(db_url)
    build_year(engine)
    engine.dispose()
    good = backup(db_url, tmp_path / "good.backup")
    cut = tmp_path / "cut.backup"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    before = fingerprint(db_url)
    files_before = sorted(p.name for p in tmp_path.iterdir())

    done = cli("restore", str(cut), "--force", "--db", db_url, env={"LIANHU_DATA_DIR": str(tmp_path / "d")})

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "备份文件" in done.stderr
    assert fingerprint(db_url) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files_before


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgres_restore_stops_when_a_save_lands_after_the_check(db_url, tmp_path, monkeypatch):
    """A change committed between the safety check and the restore (simulated: the check saw the
    state before publishing) stops the restore inside its transaction; nothing changes."""
    out = tmp_path / "old.backup"
    engine = make_engine(db_url)
    build_year(engine)
    admin = make_user(engine, "admin1", "admin")
    engine.dispose()
    backup(db_url, out)
    stale = backup_module.postgres_state(make_url(db_url))
    engine = make_engine(db_url)
    workflow.publish_year(engine=engine, user=admin, year=2024)
    engine.dispose()
    before = fingerprint(db_url)
    monkeypatch.setattr(backup_module, "postgres_state", lambda url: stale)

    with pytest.raises(BackupError, match="恢复期间数据库有了新的更改，恢复已取消，数据库未改动"):
        restore(db_url, out)

    assert fingerprint(db_url) == before


def test_restore_over_another_programs_database_exits_2(tmp_path, sqlite_engine):
    """A --db pointing at another program's SQLite file (table 账本, no audit trail) is not overwritten."""
    build_year(sqlite_engine)
    out = backup(sqlite_engine.url.render_as_string(hide_password=False), tmp_path / "b.db")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE 账本 (x)")
    conn.execute("INSERT INTO 账本 VALUES (1)")
    conn.commit()
    conn.close()
    before = other.read_bytes()

    done = cli("restore", str(out), "--db", f"sqlite:///{other}")

    assert done.returncode == 2
    assert "当前数据库不是本系统的数据库（没有操作记录表），其中的数据表 账本 会被覆盖" in done.stderr
    assert other.read_bytes() == before
