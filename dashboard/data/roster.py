"""The roster 人员名册: upsert leaders by 编号 with their place in the region tree; list it.

The region tree (县 > 乡镇 > 村 > 网格 > 联防组) is get-or-create by name along the path,
in bulk: a county-sized roster costs a handful of statements, not one per leader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Table, bindparam, insert, select, update
from sqlmodel import Session

from dashboard.domain import ACTIVE, DEFAULT_COUNTY, GRID_LEADER
from models import County, DefenseGroup, Grid, Leader, Township, Village


@dataclass(frozen=True)
class RosterEntry:
    """One leader as written in 人员名册 (already validated)."""

    code: str
    name: str
    gender: str
    role: str
    township: str
    village: str
    grid: str
    group: str | None
    appointed_on: date
    status: str = ACTIVE
    ethnicity: str | None = None
    phone: str | None = None
    county: str = DEFAULT_COUNTY


@dataclass(frozen=True)
class RosterUpsert:
    """What an upsert did: counts and the database id of every code it covered."""

    inserted: int
    updated: int
    ids: dict[str, int]


def _get_or_create(
    session: Session, table: Table, parent_col: str | None, keys: Iterable[tuple]
) -> dict[tuple, int]:
    """Ids of (parent_id, name) — or (name,) for counties — rows, inserting the missing ones."""
    keys = set(keys)
    if not keys:
        return {}
    cols = [table.c.id, table.c.name] if parent_col is None else [table.c.id, table.c[parent_col], table.c.name]

    def load() -> dict[tuple, int]:
        rows = session.execute(select(*cols)).all()
        return {tuple(r[1:]): r[0] for r in rows}

    known = load()
    missing = sorted(keys - known.keys())
    if missing:
        if parent_col is None:
            payload = [{"name": k[0]} for k in missing]
        else:
            payload = [{parent_col: k[0], "name": k[1]} for k in missing]
        session.execute(insert(table), payload)
        known = load()
    return {k: known[k] for k in keys}


def _place_ids(session: Session, entries: Sequence[RosterEntry]) -> list[tuple[int, int | None]]:
    """(grid_id, group_id) of each entry, creating regions along the way."""
    counties = _get_or_create(session, County.__table__, None, {(e.county,) for e in entries})
    towns = _get_or_create(
        session, Township.__table__, "county_id", {(counties[(e.county,)], e.township) for e in entries}
    )

    def town_id(e: RosterEntry) -> int:
        return towns[(counties[(e.county,)], e.township)]

    villages = _get_or_create(
        session, Village.__table__, "township_id", {(town_id(e), e.village) for e in entries}
    )

    def village_id(e: RosterEntry) -> int:
        return villages[(town_id(e), e.village)]

    grids = _get_or_create(session, Grid.__table__, "village_id", {(village_id(e), e.grid) for e in entries})

    def grid_id(e: RosterEntry) -> int:
        return grids[(village_id(e), e.grid)]

    groups = _get_or_create(
        session,
        DefenseGroup.__table__,
        "grid_id",
        {(grid_id(e), e.group) for e in entries if e.group is not None},
    )
    return [
        (grid_id(e), groups[(grid_id(e), e.group)] if e.group is not None else None) for e in entries
    ]


def leader_ids(session: Session) -> dict[str, int]:
    """Every leader's id by 编号."""
    return {code: id_ for id_, code in session.execute(select(Leader.id, Leader.code)).all()}


def leader_names(session: Session) -> dict[str, str]:
    """Every leader's name by 编号."""
    return {code: name for code, name in session.execute(select(Leader.code, Leader.name)).all()}


_LEADER_FIELDS = (
    "name", "gender", "ethnicity", "role", "phone", "appointed_on", "status", "grid_id", "group_id",
)


def upsert_roster(*, session: Session, entries: Sequence[RosterEntry]) -> RosterUpsert:
    """Insert new leaders and update existing ones (matched by 编号), including their place."""
    if not entries:
        return RosterUpsert(inserted=0, updated=0, ids={})
    places = _place_ids(session, entries)
    existing = leader_ids(session)
    new_rows, changed_rows = [], []
    for entry, (grid_id, group_id) in zip(entries, places, strict=True):
        values = {
            "name": entry.name,
            "gender": entry.gender,
            "ethnicity": entry.ethnicity,
            "role": entry.role,
            "phone": entry.phone,
            "appointed_on": entry.appointed_on,
            "status": entry.status,
            "grid_id": grid_id,
            "group_id": group_id,
        }
        if entry.code in existing:
            changed_rows.append({"b_id": existing[entry.code], **{f"b_{k}": v for k, v in values.items()}})
        else:
            new_rows.append({"code": entry.code, **values})
    table = Leader.__table__
    if changed_rows:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({k: bindparam(f"b_{k}") for k in _LEADER_FIELDS})
        )
        session.execute(stmt, changed_rows)
    if new_rows:
        session.execute(insert(table), new_rows)
    ids = leader_ids(session)
    return RosterUpsert(
        inserted=len(new_rows), updated=len(changed_rows), ids={e.code: ids[e.code] for e in entries}
    )


ROSTER_COLUMNS = ["编号", "姓名", "性别", "民族", "职务", "县", "乡镇", "村", "网格", "联防组", "联系电话", "任职日期", "状态"]


def roster_frame(
    session: Session,
    *,
    assessed_in: int | None = None,
    township: str | None = None,
    village: str | None = None,
) -> pd.DataFrame:
    """The roster as a table with Chinese column names (ROSTER_COLUMNS), ordered by place and role.

    ``assessed_in=Y`` keeps only leaders assessed in year Y (在任, appointed by 31 December Y).
    """
    stmt = (
        select(
            Leader.code,
            Leader.name,
            Leader.gender,
            Leader.ethnicity,
            Leader.role,
            County.name,
            Township.name,
            Village.name,
            Grid.name,
            DefenseGroup.name,
            Leader.phone,
            Leader.appointed_on,
            Leader.status,
        )
        .join(Grid, Grid.id == Leader.grid_id)
        .join(Village, Village.id == Grid.village_id)
        .join(Township, Township.id == Village.township_id)
        .join(County, County.id == Township.county_id)
        .outerjoin(DefenseGroup, DefenseGroup.id == Leader.group_id)
    )
    if assessed_in is not None:
        stmt = stmt.where(Leader.status == ACTIVE, Leader.appointed_on <= date(assessed_in, 12, 31))
    if township is not None:
        stmt = stmt.where(Township.name == township)
    if village is not None:
        stmt = stmt.where(Village.name == village)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=ROSTER_COLUMNS)
    if frame.empty:
        return frame
    frame["_role"] = (frame["职务"] != GRID_LEADER).astype(int)
    frame = frame.sort_values(["县", "乡镇", "村", "网格", "_role", "联防组", "编号"], na_position="first")
    return frame.drop(columns="_role").reset_index(drop=True)
