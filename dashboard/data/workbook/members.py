"""两委成员 in an import: the member lists a workbook replaces (per village and year) and the
两委打分 raters that are not in their village's list (a warning on the preview)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from dashboard.data.workbook.parse import ParsedWorkbook
from dashboard.data.workbook.plan import ImportPlan, RemovedRow, SheetPlan, chunks, squash_rater
from dashboard.data.workbook.spec import COMMITTEE, MEMBERS
from models import (
    CommitteeDraft,
    CommitteeMember,
    CommitteeScore,
    County,
    Grid,
    Leader,
    Township,
    Village,
)

_Place = tuple[str, str, str]  # (县, 乡镇, 村)


def village_ids(session: Session) -> dict[_Place, int]:
    rows = session.execute(
        select(County.name, Township.name, Village.name, Village.id)
        .join(Township, Township.county_id == County.id)
        .join(Village, Village.township_id == Township.id)
    ).all()
    return {(c, t, v): vid for c, t, v, vid in rows}


def place_of(row: dict[str, Any]) -> _Place:
    return (row["county"], row["township"], row["village"])


def _stored_members(session: Session, year: int, village_ids: Sequence[int]) -> list[CommitteeMember]:
    out: list[CommitteeMember] = []
    for chunk in chunks(sorted(village_ids)):
        out += session.execute(
            select(CommitteeMember).where(CommitteeMember.year == year, CommitteeMember.village_id.in_(chunk))
        ).scalars().all()
    return out


def _member_sheets(session: Session, year: int, village_id: int, rater: str) -> tuple[int, int]:
    """How many quarters of 两委打分 a member has saved, and how many as a draft, in a village."""
    counts = []
    for model in (CommitteeScore, CommitteeDraft):
        counts.append(session.execute(
            select(func.count(func.distinct(model.quarter)))
            .join(Leader, Leader.id == model.leader_id)
            .join(Grid, Grid.id == Leader.grid_id)
            .where(model.year == year, model.rater == rater, Grid.village_id == village_id)
        ).scalar_one())
    return counts[0], counts[1]


def plan_members(session: Session, records: list[dict[str, Any]], plan: ImportPlan) -> None:
    """两委成员 replaces the member list of the year of each village it lists (its unit of entry).

    A member left out is removed from the list; the scores and drafts they already entered are
    kept (they are the year's inputs, as when a member is removed on the 两委打分 page), and the
    preview says how many quarters that is.
    """
    sheet = plan.sheets[MEMBERS] = SheetPlan(MEMBERS)
    plan.inserts[MEMBERS], plan.deletes[MEMBERS] = [], []
    ids = village_ids(session)
    listed: dict[_Place, dict[str, dict[str, Any]]] = {}
    for item in records:
        listed.setdefault(place_of(item), {})[item["name"]] = item
    places = {vid: place for place, vid in ids.items() if place in listed}
    stored: dict[_Place, dict[str, CommitteeMember]] = {}
    for member in _stored_members(session, plan.year, list(places)):
        stored.setdefault(places[member.village_id], {})[member.name] = member
    for place, items in listed.items():
        olds = stored.get(place, {})
        for name, item in items.items():
            old = olds.get(name)
            if old is not None and old.post == item["post"]:
                sheet.unchanged += 1
                continue
            if old is None:
                sheet.added += 1
            else:
                sheet.changed += 1
                plan.deletes[MEMBERS].append(old.id)
            plan.inserts[MEMBERS].append(item)
        for name, old in sorted(olds.items()):
            if name in items:
                continue
            plan.deletes[MEMBERS].append(old.id)
            saved, drafts = _member_sheets(session, plan.year, old.village_id, name)
            kept = "、".join(
                text for n, text in ((saved, f"已保存 {saved} 个季度的打分"), (drafts, f"{drafts} 个季度的草稿")) if n
            )
            what = f"{place[1]}/{place[2]} {old.post}" + (f"（其{kept}保留，仍按原样计入）" if kept else "")
            sheet.removed.append(RemovedRow(MEMBERS, "", name, what))


def unlisted_raters(session: Session, parsed: ParsedWorkbook, year: int) -> list[str]:
    """A warning per village and 评分人 of 两委打分 not in that village's member list of the year.

    Only where the village has a list (stored, or given by this workbook's 两委成员): a misspelt
    rater would otherwise silently become another member. The rows are imported all the same.
    """
    villages = {
        code: (c, t, v)
        for code, c, t, v in session.execute(
            select(Leader.code, County.name, Township.name, Village.name)
            .join(Grid, Grid.id == Leader.grid_id)
            .join(Village, Village.id == Grid.village_id)
            .join(Township, Township.id == Village.township_id)
            .join(County, County.id == Township.county_id)
        ).all()
    }
    villages.update({e.code: (e.county, e.township, e.village) for e in parsed.roster})
    ids = village_ids(session)
    lists: dict[_Place, set[str]] = {}
    names = {vid: place for place, vid in ids.items()}
    for member in session.execute(select(CommitteeMember).where(CommitteeMember.year == year)).scalars():
        lists.setdefault(names[member.village_id], set()).add(member.name)
    given: dict[_Place, set[str]] = {}
    for item in parsed.records.get(MEMBERS, []):
        given.setdefault(place_of(item), set()).add(item["name"])
    lists.update(given)
    missing: dict[tuple[_Place, str], int] = {}
    for item in parsed.records[COMMITTEE]:
        place = villages.get(item["code"])
        rater = squash_rater(item["rater"])
        if place in lists and rater not in lists[place]:
            missing[(place, rater)] = missing.get((place, rater), 0) + 1
    return [
        f"两委打分：评分人「{rater}」不在 {place[1]}/{place[2]} {year} 年度的两委成员名单中（{n} 行，照常导入）；"
        "如是两委成员，请加入两委成员工作表或在两委打分页面添加，如是笔误请改正"
        for (place, rater), n in sorted(missing.items())
    ]
