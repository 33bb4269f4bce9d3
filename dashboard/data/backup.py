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

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from glob import glob
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from dashboard.data.audit import ACTION_LABELS, to_json
from dashboard.data.config import data_dir, database_url
from dashboard.data.db import SQLITE_BUSY_TIMEOUT_MS, read_only_sqlite_uri

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
RESTORE_ACTION = "restore"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message (Chinese) is shown as is."""


@dataclass(frozen=True)
class DataState:
    """What restore safety compares: the audit trail (id → time, user, action, object) and revisions."""

    events: dict[int, tuple] = field(default_factory=dict)
    revisions: dict[int, int] = field(default_factory=dict)
    # Tables of another program (no audit trail): whatever they hold, the backup lacks it.
    foreign_tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did: the safety backup written first (with force) and what was overwritten."""

    safety_backup: Path | None
    overwritten: list[str]


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


def _moment(value) -> datetime | None:  # noqa: ANN001 - text (SQLite, COPY) or datetime (psycopg)
    """An audit time as a naive UTC datetime, whichever way the database handed it over."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _event_key(at, username, action, target) -> tuple:  # noqa: ANN001
    return (_moment(at), username, action, target)


def _state(events: list[tuple], years: list[tuple], tables: set[str] | None = None) -> DataState:
    tables = {t for t in tables or () if not t.startswith("sqlite_")}
    foreign = () if not tables or "audit_event" in tables else tuple(sorted(tables))
    return DataState(
        events={int(row[0]): _event_key(*row[1:]) for row in events},
        revisions={int(y): int(r) for y, r in years},
        foreign_tables=foreign,
    )


EVENT_COLUMNS = ("id", "at", "username", "action", "target")


def overwritten_changes(current: DataState, backup: DataState) -> list[str]:
    """What the current database holds that the backup does not, one Chinese line each (empty: safe).

    A current audit trail that is a prefix of the backup's, with no year at a higher data
    revision than in the backup, loses nothing.
    """
    lines: list[str] = []
    if current.foreign_tables:
        shown = "、".join(current.foreign_tables[:5]) + ("等" if len(current.foreign_tables) > 5 else "")
        lines.append(f"当前数据库不是本系统的数据库（没有操作记录表），其中的数据表 {shown} 会被覆盖")
    lacking = sorted(
        (key[0] or datetime.min, event_id, key)
        for event_id, key in current.events.items()
        if backup.events.get(event_id) != key
    )
    if lacking:
        at, _, (_, username, action, target) = lacking[-1]
        what = ACTION_LABELS.get(action, action) + (f" {target}" if target else "")
        lines.append(
            f"{len(lacking)} 条操作记录不在备份中（最新一条：{at:%Y-%m-%d %H:%M:%S} UTC，{username}，{what}）"
        )
    for year in sorted(current.revisions):
        mine = current.revisions[year]
        if year not in backup.revisions:
            lines.append(f"{year} 年度（数据版本 {mine}）在备份中没有")
        elif mine > backup.revisions[year]:
            lines.append(f"{year} 年度数据版本为 {mine}，备份中为 {backup.revisions[year]}")
    return lines


def _restore_event(*, username: str, backup_file: Path, safety: Path | None, overwritten: list[str]) -> dict:
    return {
        "at": datetime.now(UTC).replace(tzinfo=None),
        "username": username[:64],
        "action": RESTORE_ACTION,
        "year": None,
        "target": backup_file.name[:200],
        "old_value": None,
        "new_value": to_json({"backup_file": str(backup_file.resolve()),
                              "safety_backup": None if safety is None else str(safety.resolve())}),
        "reason": "强制恢复（--force），覆盖了备份中没有的更改：" + "；".join(overwritten) if overwritten else None,
    }


def _new_revisions(current: DataState, backup: DataState) -> dict[int, int]:
    """Each restored year's revision: above both databases', so no cache keyed by it is reused."""
    return {
        year: max(rev, current.revisions.get(year, 0)) + 1 for year, rev in backup.revisions.items()
    }


# --- SQLite ---------------------------------------------------------------------------------


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


def _backup_sqlite(url: URL, out: Path) -> None:
    source = _sqlite_path(url)
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


def _check_app_database(path: Path) -> None:
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


def _sqlite_state(path: Path) -> DataState:
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
    return _state(events, years, names)


def _restore_sqlite(url: URL, backup_file: Path, *, force: bool, username: str) -> RestoreReport:
    target = _sqlite_path(url)
    _check_app_database(backup_file)
    if read_only_sqlite_uri(target) is not None:
        raise BackupError(f"数据库文件 {target} 是只读的，无法恢复：请检查文件和所在文件夹的写权限")
    wanted = _sqlite_state(backup_file)
    current = _sqlite_state(target)
    overwritten = _check_overwrite(current, wanted, force=force)
    safety = _safety_backup(url, target) if force and target.exists() else None
    event = _restore_event(username=username, backup_file=backup_file, safety=safety, overwritten=overwritten)
    try:
        _write_sqlite(target, backup_file, event, _new_revisions(current, wanted))
    except BackupError as exc:
        raise _mention_safety(exc, safety) from exc
    return RestoreReport(safety_backup=safety, overwritten=overwritten)


def _mention_safety(exc: BackupError, safety: Path | None) -> BackupError:
    return exc if safety is None else BackupError(f"{exc}（恢复前的安全备份已写入 {safety}）")


def _write_sqlite(target: Path, backup_file: Path, event: dict, revisions: dict[int, int]) -> None:
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


# --- PostgreSQL -------------------------------------------------------------------------------


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


def _run(cmd: list[str], env: dict[str, str], what: str) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        if proc.returncode < 0:
            detail.append(f"被信号 {signal.Signals(-proc.returncode).name} 终止")
        tail = "；".join(detail[-3:]) if detail else f"退出码 {proc.returncode}"
        raise BackupError(f"{what}失败：{tail}")
    return proc.stdout


def _backup_postgres(url: URL, out: Path) -> None:
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
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


def _dump_state(backup_file: Path, env: dict[str, str]) -> DataState:
    """The audit trail and revisions inside a pg_dump file (its COPY data, read by pg_restore)."""
    script = _run([pg_tool("pg_restore"), "--data-only", "--table=audit_event",
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
    return _state(events, years)


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
    from dashboard.data.db import make_engine

    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            return {"audit_event", "assessment_year"} <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _postgres_state(url: URL) -> DataState:
    from dashboard.data.db import make_engine

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
    return _state([tuple(r) for r in events], [tuple(r) for r in years], names)


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


def _restore_postgres(url: URL, backup_file: Path, *, force: bool, username: str) -> RestoreReport:
    env = pg_env(url)
    _run([pg_tool("pg_restore"), "--list", str(backup_file)], env, "读取备份文件")
    wanted = _dump_state(backup_file, env)
    current = _postgres_state(url)
    overwritten = _check_overwrite(current, wanted, force=force)
    safety = _safety_backup(url, None) if force else None
    event = _restore_event(username=username, backup_file=backup_file, safety=safety, overwritten=overwritten)
    try:
        _write_postgres(url, backup_file, env, event, current, _new_revisions(current, wanted))
    except BackupError as exc:
        raise _mention_safety(exc, safety) from exc
    return RestoreReport(safety_backup=safety, overwritten=overwritten)


def _write_postgres(
    url: URL, backup_file: Path, env: dict[str, str], event: dict, current: DataState, revisions: dict[int, int]
) -> None:
    """Run the dump's SQL, the restore's audit event and revisions in one psql transaction."""
    with tempfile.TemporaryDirectory(prefix="lianhu-restore-") as folder:
        script = Path(folder) / "restore.sql"
        _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
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
            _run([pg_tool("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
                  *files], env, "恢复（数据库未改动）")
        except BackupError as exc:
            if CHANGED_DURING_RESTORE in str(exc):
                raise BackupError("恢复期间数据库有了新的更改，恢复已取消，数据库未改动：请重新运行 restore") from exc
            raise


# --- the commands -----------------------------------------------------------------------------


def _check_overwrite(current: DataState, wanted: DataState, *, force: bool) -> list[str]:
    """Refuse a restore that would drop changes, unless forced; returns what is overwritten."""
    overwritten = overwritten_changes(current, wanted)
    if overwritten and not force:
        raise BackupError(
            "当前数据库中有备份里没有的更改，恢复会丢失它们：" + "；".join(overwritten)
            + "。未做任何改动。如确需用这个备份覆盖，请加 --force（会先把当前数据库另存为安全备份）"
        )
    return overwritten


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


def restore(
    url: str | None, backup_file: str | Path, *, force: bool = False, username: str = "命令行"
) -> RestoreReport:
    """Replace the database at `url` by the content of `backup_file` (made by `backup`).

    Refused (BackupError, nothing changed) when the current database holds changes the backup
    lacks, unless `force`, which first writes a safety backup. The restore is audited.
    """
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
        return _restore_sqlite(parsed, backup_file, force=force, username=username)
    if backend == "postgresql":
        if kind != "pgdump":
            raise BackupError(
                "备份文件不是 PostgreSQL 备份（pg_dump 自定义格式）"
                + ("（它是 SQLite 数据库）" if kind == "sqlite" else "")
            )
        return _restore_postgres(parsed, backup_file, force=force, username=username)
    raise BackupError(f"不支持的数据库类型：{backend}")
