"""Importing a validated workbook: the plan (what each sheet adds, changes, keeps and removes,
worked out against the database before anything is written) and the write, one transaction.

Each row replaces only its unit of entry (workbook.md "What an import replaces"); rows equal to
the stored ones are not written, and the year's revision moves only on a change. The rows go
through the same writers as the entry pages (dashboard.data.inputs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.data.audit import now_utc, record
from dashboard.data.db import read_session, transaction
from dashboard.data.inputs import next_version, replace_rows
from dashboard.data.roster import RosterEntry, leader_ids, leader_names, upsert_roster
from dashboard.data.validation import CellError, ErrorList, FieldError, parse_code
from dashboard.data.workbook.parse import ParsedWorkbook, parse_workbook
from dashboard.data.workbook.read import RawSheet, RawWorkbook, Source, read_workbook
from dashboard.data.workbook.spec import (
    ADJUSTMENTS,
    BALLOTS,
    COMMITTEE,
    LEADER_SHEETS,
    MEMBERS,
    PLATFORM,
    PRIOR_GRADES,
    ROSTER,
    SELF_REPORT,
    WorkbookRejected,
    error_order,
)
from dashboard.data.years import (
    bump_revision,
    closed_message,
    ensure_year,
    get_year,
    lock_year,
    roster_frozen,
    year_scheme,
)
from dashboard.domain import DUTY_KEYS, YEAR_OPEN
from models import (
    Adjustment,
    AssessmentYear,
    BallotMark,
    CommitteeDraft,
    CommitteeMember,
    CommitteeScore,
    County,
    DefenseGroup,
    Grid,
    Leader,
    PlatformCount,
    PriorGrade,
    SelfReport,
    Township,
    Village,
)


@dataclass(frozen=True)
class RemovedRow:
    """A stored row an import deletes (加减分 and 两委成员 can): sheet, leader (编号 empty for a
    committee member) and what it was."""

    sheet: str
    code: str
    name: str
    what: str

    def line(self) -> str:
        who = f"编号 {self.code} {self.name}" if self.code else self.name
        return f"将删除：{self.sheet} {who}：{self.what}"


@dataclass
class SheetPlan:
    """What an import does to one sheet's data: rows added, changed, unchanged, removed."""

    sheet: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: list[RemovedRow] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.sheet}：新增 {self.added} 行，修改 {self.changed} 行，不变 {self.unchanged} 行"
        return text + (f"，删除 {len(self.removed)} 行" if self.removed else "")


@dataclass
class ImportPlan:
    """An import worked out against the database before anything is written.

    ``sheets`` is what the user sees (the preview); the rest is what ``_apply`` writes:
    roster entries to upsert (new or changed only), rows to insert and stored row ids to
    delete per table. Unchanged rows appear in neither, so re-importing the same values
    writes no data row at all.
    """

    year: int
    sheets: dict[str, SheetPlan]
    warnings: list[str] = field(default_factory=list)
    roster: list[RosterEntry] = field(default_factory=list)
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deletes: dict[str, list[int]] = field(default_factory=dict)
    prior_years: set[int] = field(default_factory=set)

    @property
    def changes(self) -> bool:
        return any(p.added or p.changed or p.removed for p in self.sheets.values())

    @property
    def removed(self) -> list[RemovedRow]:
        return [r for p in self.sheets.values() for r in p.removed]

    def lines(self) -> list[str]:
        """The preview in Chinese: one line per sheet, then every removed row."""
        out = [p.line() for p in self.sheets.values()]
        out += [r.line() for r in self.removed]
        if not self.changes:
            out.append("与系统中的数据完全相同，导入不会改变任何数据")
        return out


@dataclass
class ImportReport:
    """What an accepted import wrote (the plan it carried out)."""

    year: int
    plan: ImportPlan
    warnings: list[str]

    @property
    def roster_inserted(self) -> int:
        return self.plan.sheets[ROSTER].added if ROSTER in self.plan.sheets else 0

    @property
    def roster_updated(self) -> int:
        return self.plan.sheets[ROSTER].changed if ROSTER in self.plan.sheets else 0

    @property
    def counts(self) -> dict[str, int]:
        """Rows of each input sheet in the workbook (added + changed + unchanged)."""
        return {
            name: p.added + p.changed + p.unchanged
            for name, p in self.plan.sheets.items() if name not in (ROSTER, MEMBERS)
        }

    def lines(self) -> list[str]:
        return self.plan.lines()


_MODELS = {
    SELF_REPORT: SelfReport,
    COMMITTEE: CommitteeScore,
    BALLOTS: BallotMark,
    PLATFORM: PlatformCount,
    ADJUSTMENTS: Adjustment,
    PRIOR_GRADES: PriorGrade,
}
_CHUNK = 900  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits

# The unit of entry of each keyed sheet (workbook.md "What an import replaces"): the record
# fields that identify a stored row, and the fields a row carries.
_UNITS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    SELF_REPORT: (("code",), (*DUTY_KEYS, "narrative")),
    COMMITTEE: (("quarter", "rater", "code"), DUTY_KEYS),
    BALLOTS: (("ballot_no", "code"), ("rater_type", "mark")),
    PLATFORM: (("code", "month"), ("reports",)),
    PRIOR_GRADES: (("code", "year"), ("grade",)),
}
_VERSIONED = (SELF_REPORT, COMMITTEE)


def squash_rater(name: str) -> str:
    """A committee member's name with every space removed: 「王 明」 and 「王明」 are one member."""
    return re.sub(r"\s+", "", name)


def _validate(session: Session, raw: RawWorkbook, year: int) -> ParsedWorkbook:
    if not 2000 <= year <= 2100:
        raise WorkbookRejected([CellError(None, None, None, f"年度 {year} 不在 2000 到 2100 之间")])
    row = get_year(session, year)
    if row is not None and row.status != YEAR_OPEN:
        raise WorkbookRejected([CellError(None, None, None, f"年度 {year} 已进入公示/定稿，不能导入：{closed_message(year, row.status)}")])
    parsed = parse_workbook(
        raw, year=year, role_max=year_scheme(session, year).role_max, known_names=leader_names(session),
        known_villages=set(_village_ids(session)) if MEMBERS in raw.sheets else None,
    )
    if parsed.errors:
        raise WorkbookRejected(parsed.errors, parsed.warnings)
    return parsed


def _checked_plan(session: Session, raw: RawWorkbook, year: int) -> tuple[ParsedWorkbook, ImportPlan]:
    """Validate, plan, and refuse roster changes while the roster is frozen (one rule with the page)."""
    parsed = _validate(session, raw, year)
    plan = plan_import(session, parsed, year)
    frozen = roster_frozen(session)
    if frozen is not None and ROSTER in raw.sheets:
        touched = {e.code for e in plan.roster}
        rows = [(n, c) for n, c in _roster_codes(raw.sheets[ROSTER]) if c in touched]
        if rows:
            raise WorkbookRejected(
                [CellError(ROSTER, n, "编号", f"编号 {c} 的人员信息与系统不同：{frozen}") for n, c in rows],
                parsed.warnings,
            )
    return parsed, plan


def _roster_codes(sheet: RawSheet) -> list[tuple[int, str]]:
    """(Excel row, 编号) of each roster row whose 编号 reads."""
    out = []
    for number, values in sheet.rows:
        try:
            out.append((number, parse_code(values[sheet.header["编号"]])))
        except FieldError:
            continue
    return out


def plan_raw(session: Session, raw: RawWorkbook, year: int) -> tuple[ParsedWorkbook, ImportPlan]:
    """Validate a read workbook once and work out its plan; raises WorkbookRejected listing every error."""
    if raw.errors:
        raise WorkbookRejected(sorted(raw.errors, key=error_order), raw.warnings)
    return _checked_plan(session, raw, year)


def check_workbook(*, engine: Engine, source: Source, year: int) -> ParsedWorkbook:
    """Validate without writing; raises WorkbookRejected listing every error."""
    return preview_workbook(engine=engine, source=source, year=year)[0]


def preview_workbook(*, engine: Engine, source: Source, year: int) -> tuple[ParsedWorkbook, ImportPlan]:
    """Validate and work out what the import would do (the preview); writes nothing.

    Raises WorkbookRejected listing every error.
    """
    raw = read_workbook(source)
    with read_session(engine) as session:
        return plan_raw(session, raw, year)


def import_workbook(
    *, engine: Engine, source: Source, year: int, username: str = "命令行", action: str = "import"
) -> ImportReport:
    """Validate a data workbook and import it for ``year`` in one transaction (all or nothing)."""
    return import_raw(
        engine=engine, raw=read_workbook(source), year=year, username=username,
        source_name=_source_name(source), action=action,
    )


def import_raw(
    *,
    engine: Engine,
    raw: RawWorkbook,
    year: int,
    username: str,
    source_name: str | None = None,
    action: str = "import",
    refuse: Callable[[Session, RawWorkbook], list[CellError]] | None = None,
) -> ImportReport:
    """Import a read workbook in one transaction: validate and plan under the year's lock, then write.

    ``refuse`` adds the caller's own errors (a user's scope) inside the same transaction; any
    error from it or the validation raises WorkbookRejected and nothing is written.
    """
    if raw.errors:
        raise WorkbookRejected(sorted(raw.errors, key=error_order), raw.warnings)
    with transaction(engine) as session:
        lock_year(session, year)  # no publish can slip between the status check and the write
        extra = refuse(session, raw) if refuse is not None else []
        try:
            parsed, plan = _checked_plan(session, raw, year)
        except WorkbookRejected as exc:
            if extra:
                listed = ErrorList([*exc.errors, *extra])
                raise WorkbookRejected(list(listed), exc.warnings, unlisted=exc.unlisted + listed.unlisted) from None
            raise
        if extra:
            listed = ErrorList(extra)
            raise WorkbookRejected(list(listed), parsed.warnings, unlisted=listed.unlisted)
        return _write(session, parsed, plan, username, source_name, action)


def _source_name(source: Source) -> str | None:
    if isinstance(source, str | Path):
        return Path(source).name
    return getattr(source, "name", None)


def _chunks(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


# --- the import plan -----------------------------------------------------------------------------


def plan_import(session: Session, parsed: ParsedWorkbook, year: int) -> ImportPlan:
    """Compare a validated workbook with the database: per sheet what is added, changed, unchanged
    and removed, and the rows to write. Reads only."""
    plan = ImportPlan(year=year, sheets={}, warnings=list(parsed.warnings))
    ids = leader_ids(session)
    names = {**leader_names(session), **{e.code: e.name for e in parsed.roster}}
    if parsed.roster:
        _plan_roster(session, parsed.roster, plan)
    if MEMBERS in parsed.present:
        _plan_members(session, parsed.records[MEMBERS], plan)
    if COMMITTEE in parsed.present:
        plan.warnings += _unlisted_raters(session, parsed, year)
    for sheet_name in LEADER_SHEETS:
        if sheet_name not in parsed.present:
            continue
        records = parsed.records[sheet_name]
        plan.sheets[sheet_name] = SheetPlan(sheet_name)
        plan.inserts[sheet_name], plan.deletes[sheet_name] = [], []
        covered = sorted({ids[r["code"]] for r in records if r["code"] in ids})
        stored = _stored_rows(session, sheet_name, year, covered, {v: k for k, v in ids.items()})
        if sheet_name == ADJUSTMENTS:
            _plan_adjustments(plan, records, stored, names)
        else:
            _plan_keyed(plan, sheet_name, records, stored)
    return plan


def _stored_rows(
    session: Session, sheet_name: str, year: int, leader_ids_: Sequence[int], codes: dict[int, str]
) -> list[dict[str, Any]]:
    """The stored rows of a sheet's table for these leaders (the import year's; every year for 往年等次)."""
    table = _MODELS[sheet_name].__table__
    out = []
    for chunk in _chunks(leader_ids_):
        stmt = select(table).where(table.c.leader_id.in_(chunk))
        if sheet_name != PRIOR_GRADES:
            stmt = stmt.where(table.c.year == year)
        for row in session.execute(stmt).mappings():
            out.append({**row, "code": codes[row["leader_id"]]})
    return out


def _unit_key(sheet_name: str, row: dict[str, Any]) -> tuple:
    fields = _UNITS[sheet_name][0]
    return tuple(squash_rater(row[f]) if f == "rater" else row[f] for f in fields)


def _plan_keyed(plan: ImportPlan, sheet_name: str, records: list[dict[str, Any]], stored: list[dict[str, Any]]) -> None:
    sheet = plan.sheets[sheet_name]
    value_fields = _UNITS[sheet_name][1]
    by_key: dict[tuple, list[dict[str, Any]]] = {}
    for row in stored:
        by_key.setdefault(_unit_key(sheet_name, row), []).append(row)
    for item in records:
        if sheet_name == COMMITTEE:
            item = {**item, "rater": squash_rater(item["rater"])}
        olds = by_key.get(_unit_key(sheet_name, item), [])
        same = (
            len(olds) == 1
            and all(olds[0][f] == item[f] for f in value_fields)
            and (sheet_name != COMMITTEE or olds[0]["rater"] == item["rater"])
        )
        if same:
            sheet.unchanged += 1
            continue
        if olds:
            sheet.changed += 1
            plan.deletes[sheet_name] += [o["id"] for o in olds]
        else:
            sheet.added += 1
        if sheet_name in _VERSIONED:
            item = {**item, "version": next_version(o["version"] for o in olds)}
        if sheet_name == PRIOR_GRADES:
            plan.prior_years.add(item["year"])
        plan.inserts[sheet_name].append(item)


def _adjustment_key(row: dict[str, Any]) -> tuple:
    return (row["kind"], row["points"], row["reason"])


def _plan_adjustments(
    plan: ImportPlan, records: list[dict[str, Any]], stored: list[dict[str, Any]], names: dict[str, str]
) -> None:
    """加减分 has no key: the sheet is the whole list of the year for each leader in it.

    Entries equal to stored ones (same 类型, 分值, 事由) stay; the others are added, and stored
    entries the sheet no longer lists are removed (and shown as such)."""
    sheet = plan.sheets[ADJUSTMENTS]
    remaining: dict[tuple, list[dict[str, Any]]] = {}
    for row in stored:
        remaining.setdefault((row["code"], *_adjustment_key(row)), []).append(row)
    for item in records:
        olds = remaining.get((item["code"], *_adjustment_key(item)))
        if olds:
            olds.pop()
            sheet.unchanged += 1
        else:
            sheet.added += 1
            plan.inserts[ADJUSTMENTS].append(item)
    for rows in remaining.values():
        for row in rows:
            plan.deletes[ADJUSTMENTS].append(row["id"])
            shown = row["kind"] if row["points"] is None else f"{row['kind']} {row['points']:g} 分"
            sheet.removed.append(
                RemovedRow(ADJUSTMENTS, row["code"], names.get(row["code"], ""), f"{shown}（{row['reason']}）")
            )
    sheet.removed.sort(key=lambda r: (r.code, r.what))


_Place = tuple[str, str, str]  # (县, 乡镇, 村)


def _village_ids(session: Session) -> dict[_Place, int]:
    rows = session.execute(
        select(County.name, Township.name, Village.name, Village.id)
        .join(Township, Township.county_id == County.id)
        .join(Village, Village.township_id == Township.id)
    ).all()
    return {(c, t, v): vid for c, t, v, vid in rows}


def _place(row: dict[str, Any]) -> _Place:
    return (row["county"], row["township"], row["village"])


def _stored_members(session: Session, year: int, village_ids: Sequence[int]) -> list[CommitteeMember]:
    out: list[CommitteeMember] = []
    for chunk in _chunks(sorted(village_ids)):
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


def _plan_members(session: Session, records: list[dict[str, Any]], plan: ImportPlan) -> None:
    """两委成员 replaces the member list of the year of each village it lists (its unit of entry).

    A member left out is removed from the list; the scores and drafts they already entered are
    kept (they are the year's inputs, as when a member is removed on the 两委打分 page), and the
    preview says how many quarters that is.
    """
    sheet = plan.sheets[MEMBERS] = SheetPlan(MEMBERS)
    plan.inserts[MEMBERS], plan.deletes[MEMBERS] = [], []
    ids = _village_ids(session)
    listed: dict[_Place, dict[str, dict[str, Any]]] = {}
    for item in records:
        listed.setdefault(_place(item), {})[item["name"]] = item
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


def _unlisted_raters(session: Session, parsed: ParsedWorkbook, year: int) -> list[str]:
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
    ids = _village_ids(session)
    lists: dict[_Place, set[str]] = {}
    names = {vid: place for place, vid in ids.items()}
    for member in session.execute(select(CommitteeMember).where(CommitteeMember.year == year)).scalars():
        lists.setdefault(names[member.village_id], set()).add(member.name)
    given: dict[_Place, set[str]] = {}
    for item in parsed.records.get(MEMBERS, []):
        given.setdefault(_place(item), set()).add(item["name"])
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


_ROSTER_FIELDS = (
    "name", "gender", "ethnicity", "role", "phone", "appointed_on", "status",
    "county", "township", "village", "grid", "group",
)


def _plan_roster(session: Session, entries: list[RosterEntry], plan: ImportPlan) -> None:
    sheet = plan.sheets[ROSTER] = SheetPlan(ROSTER)
    stored = {e.code: e for e in stored_roster(session, [e.code for e in entries])}
    for entry in entries:
        old = stored.get(entry.code)
        if old is not None and all(getattr(old, f) == getattr(entry, f) for f in _ROSTER_FIELDS):
            sheet.unchanged += 1
            continue
        if old is None:
            sheet.added += 1
        else:
            sheet.changed += 1
        plan.roster.append(entry)


def stored_roster(session: Session, codes: Sequence[str]) -> list[RosterEntry]:
    """The stored leaders with these codes, as roster entries (with their place by name)."""
    frame_rows = []
    for i in range(0, len(codes), _CHUNK):
        stmt = (
            select(
                Leader.code, Leader.name, Leader.gender, Leader.role, Township.name, Village.name,
                Grid.name, DefenseGroup.name, Leader.appointed_on, Leader.status, Leader.ethnicity,
                Leader.phone, County.name,
            )
            .join(Grid, Grid.id == Leader.grid_id)
            .join(Village, Village.id == Grid.village_id)
            .join(Township, Township.id == Village.township_id)
            .join(County, County.id == Township.county_id)
            .outerjoin(DefenseGroup, DefenseGroup.id == Leader.group_id)
            .where(Leader.code.in_(codes[i : i + _CHUNK]))
        )
        frame_rows += session.execute(stmt).all()
    return [RosterEntry(*row) for row in frame_rows]


# --- the write -----------------------------------------------------------------------------------


def _write(
    session: Session, parsed: ParsedWorkbook, plan: ImportPlan, username: str, source_name: str | None,
    action: str,
) -> ImportReport:
    year = plan.year
    now = now_utc()
    ensure_year(session, year)
    if plan.roster:
        upsert_roster(session=session, entries=plan.roster)
    ids = leader_ids(session)
    if plan.inserts.get(MEMBERS) or plan.deletes.get(MEMBERS):
        villages = _village_ids(session)  # after the roster: a village it created has its id now
        replace_rows(session, CommitteeMember, year=year, remove=plan.deletes[MEMBERS], add=[
            {"village_id": villages[_place(m)], "name": m["name"], "post": m["post"]} for m in plan.inserts[MEMBERS]
        ])
    for sheet_name, model in _MODELS.items():
        add = []
        for r in plan.inserts.get(sheet_name, []):
            row = {k: v for k, v in r.items() if k != "code"}
            row["leader_id"] = ids[r["code"]]
            add.append(row)
        replace_rows(
            session, model, year=None if model is PriorGrade else year,
            remove=plan.deletes.get(sheet_name, []), add=add, username=username, now=now,
        )
    if plan.changes:
        # The roster feeds every year's results; a prior grade for year X is what year X+1's
        # two-year rule reads.
        years = {year}
        if plan.roster:
            years |= set(session.execute(select(AssessmentYear.year)).scalars())
        years |= {y + 1 for y in plan.prior_years if get_year(session, y + 1) is not None}
        for changed_year in sorted(years):
            bump_revision(session, changed_year)
    record(
        session,
        username=username,
        action=action,
        year=year,
        target=source_name or "考评数据工作簿",
        new={
            name: {"新增": p.added, "修改": p.changed, "不变": p.unchanged, "删除": len(p.removed)}
            for name, p in plan.sheets.items()
        },
    )
    session.flush()
    return ImportReport(year=year, plan=plan, warnings=parsed.warnings)


def leader_count(session: Session) -> int:
    """How many leaders the roster holds (0 for an empty database)."""
    return session.execute(select(func.count()).select_from(Leader)).scalar_one()
