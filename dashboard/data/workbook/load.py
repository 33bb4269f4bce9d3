"""Importing a validated workbook: the plan (what each sheet adds, changes, keeps and removes,
worked out against the database before anything is written) and the write, one transaction.

Each row replaces only its unit of entry (workbook.md "What an import replaces"); rows equal to
the stored ones are not written, and the year's revision moves only on a change. The rows go
through the same writers as the entry pages (dashboard.data.inputs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from dashboard.data.workbook.members import place_of, plan_members, unlisted_raters, village_ids
from dashboard.data.workbook.parse import ParsedWorkbook, parse_workbook
from dashboard.data.workbook.plan import (
    CHUNK,
    ImportPlan,
    ImportReport,
    RemovedRow,
    SheetPlan,
    chunks,
    squash_rater,
)
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

_MODELS = {
    SELF_REPORT: SelfReport,
    COMMITTEE: CommitteeScore,
    BALLOTS: BallotMark,
    PLATFORM: PlatformCount,
    ADJUSTMENTS: Adjustment,
    PRIOR_GRADES: PriorGrade,
}

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


def _validate(session: Session, raw: RawWorkbook, year: int) -> ParsedWorkbook:
    if not 2000 <= year <= 2100:
        raise WorkbookRejected([CellError(None, None, None, f"年度 {year} 不在 2000 到 2100 之间")])
    row = get_year(session, year)
    if row is not None and row.status != YEAR_OPEN:
        raise WorkbookRejected([CellError(None, None, None, f"年度 {year} 已进入公示/定稿，不能导入：{closed_message(year, row.status)}")])
    parsed = parse_workbook(
        raw, year=year, role_max=year_scheme(session, year).role_max, known_names=leader_names(session),
        known_villages=set(village_ids(session)) if MEMBERS in raw.sheets else None,
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
        plan_members(session, parsed.records[MEMBERS], plan)
    if COMMITTEE in parsed.present:
        plan.warnings += unlisted_raters(session, parsed, year)
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
    for chunk in chunks(leader_ids_):
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
    for i in range(0, len(codes), CHUNK):
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
            .where(Leader.code.in_(codes[i : i + CHUNK]))
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
        villages = village_ids(session)  # after the roster: a village it created has its id now
        replace_rows(session, CommitteeMember, year=year, remove=plan.deletes[MEMBERS], add=[
            {"village_id": villages[place_of(m)], "name": m["name"], "post": m["post"]} for m in plan.inserts[MEMBERS]
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
