"""The one write path of the input tables (self-reports, committee scores, ballot marks, platform
counts, adjustments, prior grades), used by the entry services and the workbook import alike.

A save removes the stored rows it replaces and inserts the new ones, in the caller's transaction.
The version rule of the versioned tables (个人述职, 两委打分: the optimistic-concurrency tokens read
it) lives here once: a unit saved for the first time has version 1, a replaced unit the highest
stored version plus 1; every saved row of those tables records who saved it and when.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, SQLModel

from dashboard.data.audit import now_utc
from models import Adjustment, BallotMark, CommitteeScore, PlatformCount, PriorGrade, SelfReport

INPUT_TABLES: tuple[type[SQLModel], ...] = (
    SelfReport, CommitteeScore, BallotMark, PlatformCount, Adjustment, PriorGrade,
)
VERSIONED: tuple[type[SQLModel], ...] = (SelfReport, CommitteeScore)
_CHUNK = 900  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


def next_version(stored: Iterable[int]) -> int:
    """The version of a saved unit: 1 when nothing was stored, else the highest stored one plus 1."""
    return max(stored, default=0) + 1


def replace_rows(
    session: Session,
    model: type[SQLModel],
    *,
    year: int | None,
    remove: Sequence[int] = (),
    add: Sequence[Mapping[str, Any]] = (),
    username: str | None = None,
    now: datetime | None = None,
) -> None:
    """Delete the stored rows ``remove`` (ids) of an input table and insert ``add``.

    Each added row is a mapping of the table's columns (with ``leader_id``); ``year`` is set on
    every row (None for 往年等次, whose rows carry their own). Rows of a versioned table must carry
    ``version`` (see next_version) and are stamped with ``username`` and ``now``.
    """
    table = model.__table__
    for i in range(0, len(remove), _CHUNK):
        session.execute(delete(table).where(table.c.id.in_(remove[i : i + _CHUNK])))
    if not add:
        return
    stamp = {}
    if model in VERSIONED:
        stamp = {"updated_at": now or now_utc(), "updated_by": username}
    rows = []
    for row in add:
        values = {**row, **stamp}
        if year is not None:
            values["year"] = year
        if model in VERSIONED and "version" not in values:
            raise ValueError(f"{table.name}: a saved row needs its version (next_version)")
        rows.append(values)
    session.execute(insert(table), rows)
