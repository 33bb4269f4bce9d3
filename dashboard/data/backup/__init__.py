"""Backup and restore 备份与恢复 of the whole database.

- Embedded SQLite: the sqlite3 online backup API, which copies a consistent snapshot while
  the app keeps running (WAL readers and writers are not stopped); restore runs the same
  API the other way, page by page into the live file under SQLite's own locking, after
  checking that the file is a database of this application.
- PostgreSQL: the standard tools, `pg_dump --format=custom` for a backup; a restore turns the
  dump into SQL (`pg_restore --clean --if-exists`) and runs it with the restore's own audit
  event in one `psql --single-transaction`. The connection parts go through the PG*
  environment variables (the password never appears on a command line).

Restore safety: a restore would silently drop whatever the current database holds that the
backup does not. So `restore` first compares the two: every audit event of the current
database must be in the backup unchanged (same id, time, user, action, object) and no year
may have a higher data revision than in the backup, or a year the backup lacks. Otherwise it
refuses and names what would be lost; `force=True` first writes a safety backup of the
current database. Every restore records an audit event `restore` in the restored database,
written together with the restored data (all or nothing), and raises each year's data
revision above both databases' so that cached results of the old data are never reused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

from dashboard.data.backup.postgres import (
    backup_postgres,
    dump_state,
    pg_env,
    pg_tool,
    postgres_state,
    run_tool,
    write_postgres,
)
from dashboard.data.backup.sqlite import (
    backup_sqlite,
    check_app_database,
    mention_safety,
    sqlite_state,
    write_sqlite,
)
from dashboard.data.backup.state import (
    BackupError,
    DataState,
    RestoreReport,
    check_overwrite,
    file_kind,
    new_revisions,
    overwritten_changes,
    parse_url,
    restore_event,
    sqlite_path,
)
from dashboard.data.config import data_dir
from dashboard.data.db import read_only_sqlite_uri

__all__ = ["BackupError", "DataState", "RestoreReport", "backup", "overwritten_changes", "pg_env", "restore"]


def _restore_sqlite(url: URL, backup_file: Path, *, force: bool, username: str) -> RestoreReport:
    target = sqlite_path(url)
    check_app_database(backup_file)
    if read_only_sqlite_uri(target) is not None:
        raise BackupError(f"数据库文件 {target} 是只读的，无法恢复：请检查文件和所在文件夹的写权限")
    wanted = sqlite_state(backup_file)
    current = sqlite_state(target)
    overwritten = check_overwrite(current, wanted, force=force)
    safety = _safety_backup(url, target) if force and target.exists() else None
    event = restore_event(username=username, backup_file=backup_file, safety=safety, overwritten=overwritten)
    try:
        write_sqlite(target, backup_file, event, new_revisions(current, wanted))
    except BackupError as exc:
        raise mention_safety(exc, safety) from exc
    return RestoreReport(safety_backup=safety, overwritten=overwritten)




def _restore_postgres(url: URL, backup_file: Path, *, force: bool, username: str) -> RestoreReport:
    env = pg_env(url)
    run_tool([pg_tool("pg_restore"), "--list", str(backup_file)], env, "读取备份文件")
    wanted = dump_state(backup_file, env)
    current = postgres_state(url)
    overwritten = check_overwrite(current, wanted, force=force)
    safety = _safety_backup(url, None) if force else None
    event = restore_event(username=username, backup_file=backup_file, safety=safety, overwritten=overwritten)
    try:
        write_postgres(url, backup_file, env, event, current, new_revisions(current, wanted))
    except BackupError as exc:
        raise mention_safety(exc, safety) from exc
    return RestoreReport(safety_backup=safety, overwritten=overwritten)






def _safety_backup(url: URL, sqlite_file: Path | None) -> Path:
    """A timestamped backup of the current database: next to the SQLite file, else in the data folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    if sqlite_file is not None:
        folder, stem, suffix = sqlite_file.parent, sqlite_file.stem, sqlite_file.suffix or ".db"
    else:
        folder, stem, suffix = data_dir(), url.database or "postgres", ".dump"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{stem}.before-restore-{stamp}{suffix}"
    n = 1
    while out.exists():
        n += 1
        out = folder / f"{stem}.before-restore-{stamp}-{n}{suffix}"
    try:
        return backup(url.render_as_string(hide_password=False), out)
    except BackupError as exc:
        raise BackupError(f"恢复前的安全备份失败，未做任何改动：{exc}") from exc


def backup(url: str | None, out: str | Path) -> Path:
    """Write a backup of the database at `url` to `out`; returns the file."""
    parsed = parse_url(url)
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise BackupError(f"目录不存在：{out.parent}")
    if out.is_dir():
        raise BackupError(f"备份文件 {out} 是一个文件夹，请写上文件名")
    if parsed.get_backend_name() == "sqlite":
        backup_sqlite(parsed, out)
    elif parsed.get_backend_name() == "postgresql":
        backup_postgres(parsed, out)
    else:
        raise BackupError(f"不支持的数据库类型：{parsed.get_backend_name()}")
    return out


def restore(
    url: str | None, backup_file: str | Path, *, force: bool = False, username: str = "命令行"
) -> RestoreReport:
    """Replace the database at `url` by the content of `backup_file` (made by `backup`).

    Refused (BackupError, nothing changed) when the current database holds changes the backup
    lacks, unless `force`, which first writes a safety backup. The restore is audited.
    """
    parsed = parse_url(url)
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"备份文件不存在：{backup_file}")
    kind = file_kind(backup_file)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if kind != "sqlite":
            raise BackupError(
                "备份文件不是 SQLite 数据库备份" + ("（它是 PostgreSQL 备份）" if kind == "pgdump" else "")
            )
        return _restore_sqlite(parsed, backup_file, force=force, username=username)
    if backend == "postgresql":
        if kind != "pgdump":
            raise BackupError(
                "备份文件不是 PostgreSQL 备份（pg_dump 自定义格式）"
                + ("（它是 SQLite 数据库）" if kind == "sqlite" else "")
            )
        return _restore_postgres(parsed, backup_file, force=force, username=username)
    raise BackupError(f"不支持的数据库类型：{backend}")

