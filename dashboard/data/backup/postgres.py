"""PostgreSQL backup and restore with the standard tools: pg_dump (custom format), and pg_restore to
SQL run with the restore's audit event in one psql transaction (PG* environment, no password on
a command line)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from datetime import UTC, datetime
from glob import glob
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from dashboard.data.backup.state import EVENT_COLUMNS, BackupError, DataState, data_state
from dashboard.data.db import make_engine


def pg_tool(name: str) -> str:
    """Path of pg_dump / pg_restore / psql: on PATH, else the newest under /usr/lib/postgresql."""
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


def run_tool(cmd: list[str], env: dict[str, str], what: str) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        if proc.returncode < 0:
            detail.append(f"被信号 {signal.Signals(-proc.returncode).name} 终止")
        tail = "；".join(detail[-3:]) if detail else f"退出码 {proc.returncode}"
        raise BackupError(f"{what}失败：{tail}")
    return proc.stdout


def backup_postgres(url: URL, out: Path) -> None:
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        run_tool([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={tmp}"], pg_env(url), "pg_dump 备份")
        os.replace(tmp, out)
    except BackupError as exc:
        if "could not write" in str(exc) or "No space left" in str(exc) or "SIGXFSZ" in str(exc):
            raise BackupError(
                f"写入 {out} 失败：磁盘空间不足或文件大小超出限制，未留下备份文件（{exc}）"
            ) from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)


_COPY_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))")
_COPY_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _copy_field(raw: str) -> str | None:
    """One field of PostgreSQL's COPY text format."""
    if raw == r"\N":
        return None

    def one(m: re.Match) -> str:
        if m.group(1):
            return chr(int(m.group(1), 8))
        if m.group(2):
            return chr(int(m.group(2), 16))
        return _COPY_CHARS.get(m.group(3), m.group(3))

    return _COPY_ESCAPE.sub(one, raw)


def dump_state(backup_file: Path, env: dict[str, str]) -> DataState:
    """The audit trail and revisions inside a pg_dump file (its COPY data, read by pg_restore)."""
    script = run_tool([pg_tool("pg_restore"), "--data-only", "--table=audit_event",
                   "--table=assessment_year", "--file=-", str(backup_file)], env, "读取备份文件")
    tables: dict[str, list[dict]] = {}
    columns: list[str] | None = None
    rows: list[dict] = []
    for line in script.splitlines():
        if columns is None:
            m = re.match(r"COPY (?:\S+\.)?(\w+) \(([^)]*)\) FROM stdin;", line)
            if m:
                columns = [c.strip().strip('"') for c in m.group(2).split(",")]
                rows = tables.setdefault(m.group(1), [])
        elif line == r"\.":
            columns = None
        else:
            rows.append(dict(zip(columns, (_copy_field(f) for f in line.split("\t")), strict=False)))
    events = [tuple(r[c] for c in EVENT_COLUMNS) for r in tables.get("audit_event", [])]
    years = [(r["year"], r["revision"]) for r in tables.get("assessment_year", [])]
    return data_state(events, years)


CHANGED_DURING_RESTORE = "lianhu: the database changed during the restore"


def _guard_sql(current: DataState) -> str:
    """SQL that locks out writers and stops the restore if the database changed since it was read."""
    events = len(current.events)
    top = max(current.events, default=0)
    total = sum(current.revisions.values())
    return f"""LOCK TABLE public.audit_event, public.assessment_year IN SHARE MODE;
DO $guard$ BEGIN
  IF (SELECT count(*) FROM public.audit_event) <> {events}
     OR (SELECT coalesce(max(id), 0) FROM public.audit_event) <> {top}
     OR (SELECT coalesce(sum(revision), 0) FROM public.assessment_year) <> {total} THEN
    RAISE EXCEPTION '{CHANGED_DURING_RESTORE}';
  END IF;
END $guard$;
"""


def _has_app_tables(url: URL) -> bool:
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            return {"audit_event", "assessment_year"} <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def postgres_state(url: URL) -> DataState:
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            events = (
                conn.execute(text(f"SELECT {', '.join(EVENT_COLUMNS)} FROM audit_event")).all()
                if "audit_event" in names else []
            )
            years = (
                conn.execute(text("SELECT year, revision FROM assessment_year")).all()
                if "assessment_year" in names else []
            )
    finally:
        engine.dispose()
    return data_state([tuple(r) for r in events], [tuple(r) for r in years], names)


def _sql_literal(value) -> str:  # noqa: ANN001
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        # Audit times are UTC; the offset makes a timestamptz column independent of TimeZone.
        value = value.replace(tzinfo=value.tzinfo or UTC).isoformat(sep=" ")
    # The restore script sets standard_conforming_strings = on: only quotes need doubling.
    return "'" + str(value).replace("'", "''") + "'"


def write_postgres(
    url: URL, backup_file: Path, env: dict[str, str], event: dict, current: DataState, revisions: dict[int, int]
) -> None:
    """Run the dump's SQL, the restore's audit event and revisions in one psql transaction."""
    with tempfile.TemporaryDirectory(prefix="lianhu-restore-") as folder:
        script = Path(folder) / "restore.sql"
        run_tool([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              f"--file={script}", str(backup_file)], env, "读取备份文件")
        with script.open("a", encoding="utf-8") as fh:
            # The dump empties search_path: every name here is schema-qualified.
            fh.write(
                f"\nINSERT INTO public.audit_event ({', '.join(event)}) VALUES "
                f"({', '.join(_sql_literal(v) for v in event.values())});\n"
            )
            for year, revision in revisions.items():
                fh.write(f"UPDATE public.assessment_year SET revision = {revision} WHERE year = {year};\n")
        files = [f"--file={script}"]
        if _has_app_tables(url):
            # A save committed between the check above and now would be lost: the guard,
            # first in the same transaction, locks writers out and re-checks.
            guard = Path(folder) / "guard.sql"
            guard.write_text(_guard_sql(current), encoding="utf-8")
            files.insert(0, f"--file={guard}")
        # One transaction for the restored data and its audit event: all of it or nothing.
        try:
            run_tool([pg_tool("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
                  *files], env, "恢复（数据库未改动）")
        except BackupError as exc:
            if CHANGED_DURING_RESTORE in str(exc):
                raise BackupError("恢复期间数据库有了新的更改，恢复已取消，数据库未改动：请重新运行 restore") from exc
            raise


