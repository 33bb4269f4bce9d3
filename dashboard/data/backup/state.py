"""What a backup and a database hold, compared before a restore: audit events and each year's
data revision (restore safety), shared by the SQLite and PostgreSQL parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from dashboard.data.audit import ACTION_LABELS, to_json
from dashboard.data.config import database_url

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


def parse_url(url: str | None) -> URL:
    return make_url(database_url(url))


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库不能备份或恢复，请使用数据库文件")
    return Path(url.database)


def file_kind(path: Path) -> str:
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


def data_state(events: list[tuple], years: list[tuple], tables: set[str] | None = None) -> DataState:
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


def restore_event(*, username: str, backup_file: Path, safety: Path | None, overwritten: list[str]) -> dict:
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


def new_revisions(current: DataState, backup: DataState) -> dict[int, int]:
    """Each restored year's revision: above both databases', so no cache keyed by it is reused."""
    return {
        year: max(rev, current.revisions.get(year, 0)) + 1 for year, rev in backup.revisions.items()
    }




def check_overwrite(current: DataState, wanted: DataState, *, force: bool) -> list[str]:
    """Refuse a restore that would drop changes, unless forced; returns what is overwritten."""
    overwritten = overwritten_changes(current, wanted)
    if overwritten and not force:
        raise BackupError(
            "当前数据库中有备份里没有的更改，恢复会丢失它们：" + "；".join(overwritten)
            + "。未做任何改动。如确需用这个备份覆盖，请加 --force（会先把当前数据库另存为安全备份）"
        )
    return overwritten


