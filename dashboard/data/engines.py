"""Engines: embedded SQLite (WAL, foreign keys, busy timeout) or PostgreSQL; plain SQLAlchemy Core.

Kept apart from the ORM sessions (dashboard.data.db) so that a reader such as `assess` starts
without importing SQLModel."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from dashboard.data.config import database_url

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _configure_sqlite(engine: Engine, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy issue BEGIN itself so that "BEGIN IMMEDIATE" below takes effect.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not read_only:  # switching the journal mode is a write
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # A write transaction takes the write lock at its start: a second writer then waits
        # (busy_timeout) instead of failing with "database is locked" when it upgrades.
        # Reads stay deferred so that WAL lets them run beside a writer.
        write = conn.get_execution_options().get("lianhu_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def missing_sqlite_file(url: str | None = None) -> Path | None:
    """The SQLite file a URL names when that file does not exist yet (else None)."""
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def read_only_sqlite_uri(path: Path) -> str | None:
    """A read-only SQLite URI for a file this process may not write (else None).

    Reading needs no write access: `mode=ro`; when the folder is read-only too and no `-shm`
    file exists, nobody has the database open in WAL mode and SQLite could not create the
    `-shm` file, so the file is opened `immutable`.
    """
    if not path.exists() or (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return None
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    if not os.access(path.parent, os.W_OK) and not Path(f"{path}-shm").exists():
        uri += "&immutable=1"
    return uri


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Create an engine for a URL (default: config.database_url())."""
    url = database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        read_only = None
        if parsed.database and parsed.database != ":memory:":
            read_only = read_only_sqlite_uri(Path(parsed.database))
        if read_only is not None and "creator" not in kwargs:
            # Read commands work on a database this process may not write; writes fail with
            # SQLite's "readonly database", which the command line explains.
            args = kwargs.pop("connect_args")
            kwargs["creator"] = lambda: sqlite3.connect(read_only, uri=True, **args)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, read_only=read_only is not None)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
