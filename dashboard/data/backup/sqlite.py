"""SQLite backup and restore through the sqlite3 online backup API (the app keeps running)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL

from dashboard.data.backup.state import (
    EVENT_COLUMNS,
    BackupError,
    DataState,
    data_state,
    sqlite_path,
)
from dashboard.data.db import SQLITE_BUSY_TIMEOUT_MS, read_only_sqlite_uri


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return conn


def _open_to_read(path: Path) -> sqlite3.Connection:
    """A connection that only reads an existing file.

    Opened read-write when this process may write the file, so that the last connection
    removes the -wal/-shm files of a WAL database on close; read-only (db.read_only_sqlite_uri)
    otherwise.
    """
    uri = read_only_sqlite_uri(path)
    if uri is None:
        uri = f"file:{quote(str(path.resolve()))}?mode=rw"
    return sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)


def _remove(path: Path) -> None:
    for extra in ("", "-journal", "-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)


def _sqlite_failure(exc: sqlite3.Error, *, source: Path, out: Path) -> BackupError:
    """A Chinese reason for a failed SQLite copy: the source damaged, or the disk full."""
    name = getattr(exc, "sqlite_errorname", "")
    if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT") or "malformed" in str(exc) or "not a database" in str(exc):
        return BackupError(f"数据库文件 {source} 已损坏或不是数据库文件（{exc}），无法备份；请从以前的备份恢复")
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
        return BackupError(f"写入 {out} 失败：磁盘空间不足或文件大小超出限制（{exc}），未留下备份文件")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
        return BackupError(f"无法写入 {out}：没有写权限（{exc}）")
    return BackupError(f"备份失败：{exc}")


def backup_sqlite(url: URL, out: Path) -> None:
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    if out.resolve() == source.resolve():
        raise BackupError("备份文件不能是数据库文件本身")
    tmp = out.with_name(out.name + ".part")
    _remove(tmp)
    try:
        src = _open_to_read(source)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                # A single self-contained file (the copy inherits WAL mode from the live database).
                dst.execute("PRAGMA journal_mode=DELETE")
                dst.commit()
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(tmp, out)
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc, source=source, out=out) from exc
    except OSError as exc:
        raise BackupError(f"写入 {out} 失败：{exc.strerror or exc}") from exc
    finally:
        _remove(tmp)


def check_app_database(path: Path) -> None:
    try:
        conn = _open_to_read(path)
        try:
            (ok,) = conn.execute("PRAGMA quick_check").fetchone()
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件已损坏，无法读取：{exc}") from exc
    if ok != "ok":
        raise BackupError(f"备份文件未通过完整性检查：{ok}")
    if not {"alembic_version", "assessment_year", "leader"} <= names:
        raise BackupError("备份文件不是本系统的数据库（缺少考评数据表）")


def sqlite_state(path: Path) -> DataState:
    """The state of a SQLite file (none: empty); a damaged current database stops the restore."""
    if not path.exists() or path.stat().st_size == 0:
        return DataState()
    try:
        conn = _open_to_read(path)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            events = (
                conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM audit_event").fetchall()
                if "audit_event" in names else []
            )
            years = (
                conn.execute("SELECT year, revision FROM assessment_year").fetchall()
                if "assessment_year" in names else []
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"当前数据库文件 {path} 已损坏，无法读取（{exc}），也就无法确认恢复会丢失什么："
            "请先把这个文件移走或改名，再运行 restore"
        ) from exc
    return data_state(events, years, names)


def mention_safety(exc: BackupError, safety: Path | None) -> BackupError:
    return exc if safety is None else BackupError(f"{exc}（恢复前的安全备份已写入 {safety}）")


def write_sqlite(target: Path, backup_file: Path, event: dict, revisions: dict[int, int]) -> None:
    """Copy the backup, with the restore's audit event and revisions, into the target in one step.

    The backup is first copied to a staging file beside the target and the event and revisions
    written into it; the staging file is then copied into the live file by one backup step, so
    the target gets all of it or nothing.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".restore.part")
    _remove(staging)
    try:
        with closing(sqlite3.connect(staging)) as stage:
            with closing(_open_to_read(backup_file)) as src:
                src.backup(stage)
            stage.execute("PRAGMA journal_mode=DELETE")
            stage.execute(
                f"INSERT INTO audit_event ({', '.join(event)}) VALUES ({', '.join('?' * len(event))})",
                [v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v for v in event.values()],
            )
            for year, revision in revisions.items():
                stage.execute("UPDATE assessment_year SET revision = ? WHERE year = ?", (revision, year))
            stage.commit()
            with closing(_sqlite_connect(target)) as dst:
                # The backup API takes the target's write lock (waiting busy_timeout for a running
                # save) and replaces every page; open connections see the restored data afterwards.
                stage.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
                dst.commit()
    except sqlite3.Error as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if name.startswith("SQLITE_BUSY"):
            raise BackupError(f"数据库正忙，恢复未完成，请稍后再试：{exc}") from exc
        if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
            raise BackupError(f"恢复未完成，数据库未改动：磁盘空间不足或无法写入（{exc}）") from exc
        raise BackupError(f"恢复未完成，数据库未改动：{exc}") from exc
    finally:
        _remove(staging)


