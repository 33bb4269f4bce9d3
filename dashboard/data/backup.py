"""Backup and restore 备份与恢复 of the whole database.

- Embedded SQLite: the sqlite3 online backup API, which copies a consistent snapshot while
  the app keeps running (WAL readers and writers are not stopped); restore runs the same
  API the other way, page by page into the live file under SQLite's own locking, after
  checking that the file is a database of this application.
- PostgreSQL: the standard tools, `pg_dump --format=custom` and
  `pg_restore --clean --if-exists --single-transaction`; the connection parts go through
  the PG* environment variables (the password never appears on a command line).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from dashboard.data.config import database_url
from dashboard.data.db import SQLITE_BUSY_TIMEOUT_MS

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message (Chinese) is shown as is."""


def _url(url: str | None) -> URL:
    return make_url(database_url(url))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库不能备份或恢复，请使用数据库文件")
    return Path(url.database)


def _file_kind(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pgdump"
    return "unknown"


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return conn


def _backup_sqlite(url: URL, out: Path) -> None:
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    if out.resolve() == source.resolve():
        raise BackupError("备份文件不能是数据库文件本身")
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    src = _sqlite_connect(source)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
        # A single self-contained file (the copy inherits WAL mode from the live database).
        dst.execute("PRAGMA journal_mode=DELETE")
        dst.commit()
    finally:
        dst.close()
        src.close()
    os.replace(tmp, out)


def _check_app_database(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (ok,) = conn.execute("PRAGMA quick_check").fetchone()
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件已损坏，无法读取：{exc}") from exc
    finally:
        conn.close()
    if ok != "ok":
        raise BackupError(f"备份文件未通过完整性检查：{ok}")
    if not {"alembic_version", "assessment_year", "leader"} <= names:
        raise BackupError("备份文件不是本系统的数据库（缺少考评数据表）")


def _restore_sqlite(url: URL, backup_file: Path) -> None:
    target = _sqlite_path(url)
    _check_app_database(backup_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    dst = _sqlite_connect(target)
    try:
        # The backup API takes the target's write lock (waiting busy_timeout for a running
        # save) and replaces every page; open connections see the restored data afterwards.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        dst.commit()
    except sqlite3.OperationalError as exc:
        raise BackupError(f"数据库正忙，恢复未完成，请稍后再试：{exc}") from exc
    finally:
        dst.close()
        src.close()


# --- PostgreSQL -------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """Path of pg_dump / pg_restore: on PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）")
    return candidates[-1]


def pg_env(url: URL) -> dict[str, str]:
    """The environment that points libpq tools at the URL's database."""
    env = dict(os.environ)
    query = dict(url.query)
    parts = {
        "PGHOST": url.host or query.get("host"),
        "PGPORT": str(url.port) if url.port else query.get("port"),
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": query.get("sslmode"),
    }
    for key, value in parts.items():
        if value:
            env[key] = str(value)
        else:
            # The URL is the whole truth: an inherited PGHOST etc. must not redirect the tool.
            env.pop(key, None)
    return env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        tail = "；".join(detail[-3:]) if detail else f"退出码 {proc.returncode}"
        raise BackupError(f"{what}失败：{tail}")


def _backup_postgres(url: URL, out: Path) -> None:
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          f"--file={tmp}"], pg_env(url), "pg_dump 备份")
    os.replace(tmp, out)


def _restore_postgres(url: URL, backup_file: Path) -> None:
    env = pg_env(url)
    _run([pg_tool("pg_restore"), "--list", str(backup_file)], env, "读取备份文件")
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", f"--dbname={url.database}", str(backup_file)],
         env, "pg_restore 恢复")


# --- the commands -----------------------------------------------------------------------------


def backup(url: str | None, out: str | Path) -> Path:
    """Write a backup of the database at `url` to `out`; returns the file."""
    parsed = _url(url)
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise BackupError(f"目录不存在：{out.parent}")
    if out.is_dir():
        raise BackupError(f"备份文件 {out} 是一个文件夹，请写上文件名")
    if parsed.get_backend_name() == "sqlite":
        _backup_sqlite(parsed, out)
    elif parsed.get_backend_name() == "postgresql":
        _backup_postgres(parsed, out)
    else:
        raise BackupError(f"不支持的数据库类型：{parsed.get_backend_name()}")
    return out


def restore(url: str | None, backup_file: str | Path) -> None:
    """Replace the database at `url` by the content of `backup_file` (made by `backup`)."""
    parsed = _url(url)
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"备份文件不存在：{backup_file}")
    kind = _file_kind(backup_file)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if kind != "sqlite":
            raise BackupError(
                "备份文件不是 SQLite 数据库备份" + ("（它是 PostgreSQL 备份）" if kind == "pgdump" else "")
            )
        _restore_sqlite(parsed, backup_file)
    elif backend == "postgresql":
        if kind != "pgdump":
            raise BackupError(
                "备份文件不是 PostgreSQL 备份（pg_dump 自定义格式）"
                + ("（它是 SQLite 数据库）" if kind == "sqlite" else "")
            )
        _restore_postgres(parsed, backup_file)
    else:
        raise BackupError(f"不支持的数据库类型：{backend}")
