"""Write services for every input the app takes: roster, self-reports, committee sheets,
ballots (sheets or tallies), platform counts and adjustments.

Every service:
- takes keyword-only arguments ``session``, ``user`` (the signed-in ``models.User``) and the
  input; the caller opens ONE transaction (``dashboard.data.db.transaction``) per user action,
  so an error anywhere leaves nothing written;
- checks the user's role and village scope itself (``PermissionDenied``), however it is
  called — a hidden page or a disabled widget is not a permission;
- validates every cell with ``dashboard.data.validation`` (the importer's rules and messages) and
  raises ``EntryError`` listing every bad cell (表格, 行, 列, 原因) before writing anything;
- refuses when the year is not 录入中, bumps the year's data revision and writes an audit event.

Rows come from the page's grid as mappings keyed by the workbook's column names (编号,
姓名, 社情民意信息员, …, 评价, 1月 … 12月); row numbers in messages count the grid's rows
from 1. A 姓名, when given, must match the roster for the 编号 (it catches a score typed on
the wrong line), as in the importer.

Tallies (汇总票): when only the count of each mark per leader is known, the marks are
stored as generated ballot marks, one per counted vote, with ballot numbers
``汇总-<编号>-<n>`` (n = 1, 2, …). Entering tallies again for the same leader and rater type
replaces that leader's earlier tally marks of that rater type; paper ballot sheets are
never touched by tallies, and ``汇总-`` ballot numbers are reserved for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.data.validation import (
    CellError,
    FieldError,
    check_not_formula,
    is_blank,
    parse_adjustment_kind,
    parse_code,
    parse_count,
    parse_date,
    parse_gender,
    parse_mark,
    parse_name,
    parse_narrative,
    parse_positive_points,
    parse_quarter,
    parse_role,
    parse_score,
    parse_status,
    parse_text,
)
from dashboard.data.years import bump_revision, lock_year, roster_frozen
from dashboard.domain import (
    ACTIVE,
    ADJUSTMENT_KINDS,
    DUTIES,
    DUTY_KEYS,
    GRID_LEADER,
    HOUSEHOLD_LEADER,
    MARKS,
    RETIRED,
    VETO,
    YEAR_OPEN,
)
from dashboard.scoring.scheme import Scheme
from dashboard.services.auth import (
    ENTRY_ROLES,
    PermissionDenied,
    in_scope,
    require_role,
    village_scope,
    write_refusal,
)
from dashboard.services.concurrency import (
    check_ballot_sheet,
    check_committee_sheet,
    check_self_report,
)
from models import (
    Adjustment,
    AssessmentYear,
    BallotMark,
    CommitteeScore,
    DefenseGroup,
    Grid,
    Leader,
    PlatformCount,
    SelfReport,
    Township,
    Village,
)

SHEET_ROSTER = "人员名册"
SHEET_SELF = "个人述职"
SHEET_COMMITTEE = "两委打分"
SHEET_BALLOTS = "群众评议"
SHEET_PLATFORM = "平台上报"
SHEET_ADJUSTMENTS = "加减分"

TALLY_PREFIX = "汇总-"
MONTH_COLUMNS = tuple(f"{m}月" for m in range(1, 13))
TALLY_COLUMNS = MARKS  # 优秀, 称职, 基本称职, 不称职, 弃权


class EntryError(ValueError):
    """Input refused before anything was written: a summary and every bad cell."""

    def __init__(self, summary: str, errors: Iterable[CellError] = ()):
        self.summary = summary
        self.errors = list(errors)
        super().__init__(summary if not self.errors else "\n".join([summary, *map(str, self.errors)]))


@dataclass(frozen=True)
class SaveResult:
    """What a save did, for the page's confirmation message."""

    saved: int = 0
    cleared: int = 0
    revision: int = 0
    message: str = ""


@dataclass(frozen=True)
class LeaderRef:
    """A leader as the services see it: id, code, name and place."""

    id: int
    code: str
    name: str
    role: str
    status: str
    appointed_on: date
    village_id: int
    township: str
    village: str
    grid: str
    group: str | None


# --- shared checks --------------------------------------------------------------------------


def _open_year(session: Session, year: int) -> tuple[AssessmentYear, Scheme]:
    # The year's row lock: no publish can slip in before the commit, and the version check of
    # a sheet (dashboard.services.concurrency) is race-free.
    row = lock_year(session, year)
    if row is None:
        raise EntryError(f"没有 {year} 考评年度，请先导入该年度的数据工作簿")
    if row.status != YEAR_OPEN:
        raise EntryError(
            f"{year} 年度的状态是「{row.status}」，只有「{YEAR_OPEN}」的年度可以录入或修改数据"
        )
    return row, Scheme.from_json(row.scheme_json)


@dataclass
class _Context:
    user: Any
    year: int
    scheme: Scheme
    scope: set[int] | None
    sheet: str
    errors: list[CellError] = field(default_factory=list)
    denied: list[CellError] = field(default_factory=list)

    def error(self, row: int | None, column: str | None, reason: str) -> None:
        self.errors.append(CellError(sheet=self.sheet, row=row, column=column, reason=reason))

    def field_error(self, exc: FieldError, row: int | None, column: str | None) -> None:
        self.errors.append(CellError.from_field_error(exc, sheet=self.sheet, row=row, column=column))

    def raise_if_any(self, summary: str) -> None:
        if self.denied:
            shown = "；".join(str(e) for e in self.denied[:5])
            more = f"（共 {len(self.denied)} 处）" if len(self.denied) > 5 else ""
            raise PermissionDenied(f"{shown}{more}")
        if self.errors:
            raise EntryError(f"{summary}：发现 {len(self.errors)} 处错误，没有保存任何数据", self.errors)


def _entry_context(session: Session, user, year: int, sheet: str, action: str) -> _Context:
    require_role(user, ENTRY_ROLES, action=action)
    _, scheme = _open_year(session, year)
    return _Context(
        user=user, year=year, scheme=scheme, scope=village_scope(session=session, user=user), sheet=sheet
    )


def _leader_query():
    return (
        select(Leader, Grid.name, Village.id, Village.name, Township.name, DefenseGroup.name)
        .join(Grid, Grid.id == Leader.grid_id)
        .join(Village, Village.id == Grid.village_id)
        .join(Township, Township.id == Village.township_id)
        .outerjoin(DefenseGroup, DefenseGroup.id == Leader.group_id)
    )


def _ref(row) -> LeaderRef:
    leader, grid, village_id, village, township, group = row
    return LeaderRef(
        id=leader.id, code=leader.code, name=leader.name, role=leader.role, status=leader.status,
        appointed_on=leader.appointed_on, village_id=village_id, township=township,
        village=village, grid=grid, group=group,
    )


def leaders_by_code(session: Session, codes: Iterable[str]) -> dict[str, LeaderRef]:
    codes = sorted(set(codes))
    if not codes:
        return {}
    rows = session.exec(_leader_query().where(Leader.code.in_(codes))).all()
    return {r[0].code: _ref(r) for r in rows}


def scope_leaders(
    *, session: Session, user, village_id: int | None = None, active_only: bool = True
) -> list[LeaderRef]:
    """The leaders the user may see (optionally of one village), by place then role then code."""
    scope = village_scope(session=session, user=user)
    query = _leader_query()
    if scope is not None:
        query = query.where(Village.id.in_(sorted(scope) or [-1]))
    if village_id is not None:
        query = query.where(Village.id == village_id)
    if active_only:
        query = query.where(Leader.status == ACTIVE)
    refs = [_ref(r) for r in session.exec(query).all()]
    return sorted(
        refs,
        key=lambda r: (r.township, r.village, r.grid, r.role != GRID_LEADER, r.group or "", r.code),
    )


def scope_villages(*, session: Session, user) -> list[tuple[int, str, str]]:
    """(village id, township, village) of every village in the user's scope, by name."""
    scope = village_scope(session=session, user=user)
    query = select(Village.id, Township.name, Village.name).join(
        Township, Township.id == Village.township_id
    )
    if scope is not None:
        query = query.where(Village.id.in_(sorted(scope) or [-1]))
    return sorted(session.exec(query).all(), key=lambda r: (r[1], r[2]))


def _is_missing(value: Any) -> bool:
    # NaN / pandas NA from a grid's empty cell (NaN is the only value unequal to itself).
    return value is not None and not isinstance(value, str) and (value != value or str(value) == "<NA>")


def _plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A grid row with empty cells (NaN, pandas NA) as None."""
    return {k: (None if _is_missing(v) else v) for k, v in dict(row).items()}


def _resolve_rows(
    ctx: _Context, session: Session, rows: list[Mapping[str, Any]]
) -> list[tuple[int, LeaderRef | None]]:
    """(row number, leader) per row after checking 编号, 姓名, scope and duplicates."""
    rows[:] = [_plain_row(row) for row in rows]
    parsed: list[tuple[int, str | None, Any]] = []
    for number, row in enumerate(rows, start=1):
        try:
            code = parse_code(row.get("编号"))
        except FieldError as exc:
            ctx.field_error(exc, number, "编号")
            code = None
        parsed.append((number, code, row.get("姓名")))
    refs = leaders_by_code(session, [c for _, c, _ in parsed if c])
    seen: dict[str, int] = {}
    out: list[tuple[int, LeaderRef | None]] = []
    for number, code, name in parsed:
        ref = None
        if code is not None:
            ref = refs.get(code)
            if ref is None:
                ctx.error(number, "编号", f"编号 {code} 不在人员名册中")
            elif refusal := _leader_refusal(ctx.scope, ref):
                ctx.denied.append(CellError(sheet=ctx.sheet, row=number, column="编号", reason=refusal))
                ref = None
            elif code in seen:
                ctx.error(number, "编号", f"编号 {code} 与第 {seen[code]} 行重复")
                ref = None
            else:
                seen[code] = number
                if not is_blank(name):
                    try:
                        given = parse_name(name)
                    except FieldError as exc:
                        ctx.field_error(exc, number, "姓名")
                        given = ref.name
                    if given != ref.name:
                        # The importer's wording (dashboard.data.workbook), so both say the same.
                        ctx.error(
                            number, "姓名",
                            f"编号 {code} 在人员名册中的姓名是「{ref.name}」，这里写的是「{given}」",
                        )
        out.append((number, ref))
    return out


def _leader_refusal(scope: set[int] | None, ref: LeaderRef, new_village: Village | None = None) -> str | None:
    """The scope rule (dashboard.services.auth.write_refusal) for a stored leader, naming 编号 and 姓名."""
    refusal = write_refusal(
        scope, stored_village=ref.village_id, stored_place=f"{ref.township}/{ref.village}",
        new_village=None if new_village is None else new_village.id,
        new_place=None if new_village is None else new_village.name,
    )
    return None if refusal is None else f"编号 {ref.code}（{ref.name}）{refusal}"


def _finish(
    session: Session, ctx: _Context, *, action: str, target: str, new: Any, old: Any = None,
    reason: str | None = None,
) -> int:
    revision = bump_revision(session, ctx.year)
    audit.record(session, username=ctx.user.username, action=action, year=ctx.year, target=target,
                 old=old, new=new, reason=reason)
    return revision


def _duty_value(row: Mapping[str, Any], key: str) -> Any:
    name = DUTIES[key]
    return row[name] if name in row else row.get(key)


# --- self-report 个人述职 -------------------------------------------------------------------


def save_self_report(
    *,
    session: Session,
    user,
    year: int,
    code: str,
    scores: Mapping[str, Any],
    narrative: Any = None,
    name: Any = None,
    expected_token: str | None = None,
) -> SaveResult:
    """Save (create or replace) one leader's self-report: seven scores 0–100 and a narrative.

    With `expected_token` (dashboard.services.concurrency.self_report_token when the form was loaded),
    a report changed by someone else since then is refused with ConflictError.
    """
    ctx = _entry_context(session, user, year, SHEET_SELF, "录入个人述职")
    ((_, ref),) = _resolve_rows(ctx, session, [{"编号": code, "姓名": name}])
    values: dict[str, float] = {}
    for key in DUTY_KEYS:
        try:
            values[key] = parse_score(_duty_value(scores, key), max_value=100, field=DUTIES[key])
        except FieldError as exc:
            ctx.field_error(exc, 1, DUTIES[key])
    try:
        text = parse_narrative(narrative)
    except FieldError as exc:
        ctx.field_error(exc, 1, "述职摘要")
    ctx.raise_if_any("个人述职")
    check_self_report(session, expected=expected_token, year=year, leader_id=ref.id)
    existing = session.exec(
        select(SelfReport).where(SelfReport.year == year, SelfReport.leader_id == ref.id)
    ).first()
    if existing is None:
        existing = SelfReport(year=year, leader_id=ref.id, version=1, **values)
    else:
        for key, value in values.items():
            setattr(existing, key, value)
        existing.version += 1
    existing.narrative = text
    existing.status = "已确认"  # a clerk's entry counts at once (a leader's own waits: services/leader_self)
    existing.review_note = None
    existing.updated_at = audit.now_utc()
    existing.updated_by = user.username
    session.add(existing)
    session.flush()
    revision = _finish(
        session, ctx, action="self_report.save", target=f"{ref.code} {ref.name}",
        new={**values, "narrative": text},
    )
    return SaveResult(saved=1, revision=revision, message=f"已保存 {ref.name} 的个人述职")


def delete_self_report(*, session: Session, user, year: int, code: str) -> SaveResult:
    """Remove one leader's self-report (entered by mistake)."""
    ctx = _entry_context(session, user, year, SHEET_SELF, "删除个人述职")
    ((_, ref),) = _resolve_rows(ctx, session, [{"编号": code}])
    ctx.raise_if_any("个人述职")
    existing = session.exec(
        select(SelfReport).where(SelfReport.year == year, SelfReport.leader_id == ref.id)
    ).first()
    if existing is None:
        return SaveResult(message="没有可删除的个人述职")
    session.delete(existing)
    session.flush()
    revision = _finish(session, ctx, action="self_report.save", target=f"{ref.code} {ref.name}", new=None)
    return SaveResult(cleared=1, revision=revision, message=f"已删除 {ref.name} 的个人述职")


# --- committee sheet 两委打分 ---------------------------------------------------------------


def _committee_sheet_scores(session: Session, *, year: int, quarter: int, rater: str) -> dict[int, CommitteeScore]:
    """One member's stored scores for one quarter, by leader id."""
    rows = session.exec(
        select(CommitteeScore).where(
            CommitteeScore.year == year, CommitteeScore.quarter == quarter, CommitteeScore.rater == rater
        )
    ).all()
    return {row.leader_id: row for row in rows}


def save_committee_sheet(
    *,
    session: Session,
    user,
    year: int,
    quarter: Any,
    rater: Any,
    rows: Iterable[Mapping[str, Any]],
    expected_token: str | None = None,
) -> SaveResult:
    """Save one committee member's sheet for one quarter: one row per leader, seven duty scores.

    Each duty is checked against the year's rubric maximum (role_max). A row whose seven
    scores are all empty removes that member's earlier scores for that leader and quarter.
    With `expected_token` (dashboard.services.concurrency.committee_sheet_token over the sheet's
    leaders when it was loaded), a sheet changed by someone else since then is refused with
    ConflictError.
    """
    rows = list(rows)
    ctx = _entry_context(session, user, year, SHEET_COMMITTEE, "录入两委打分")
    try:
        quarter = parse_quarter(quarter)
    except FieldError as exc:
        ctx.field_error(exc, None, "季度")
    try:
        rater = parse_name(rater, field="评分人")
    except FieldError as exc:
        ctx.field_error(FieldError(exc.reason.replace("姓名", "评分人")), None, "评分人")
    resolved = _resolve_rows(ctx, session, rows)
    to_save: list[tuple[LeaderRef, dict[str, float]]] = []
    to_clear: list[LeaderRef] = []
    for (number, ref), row in zip(resolved, rows, strict=True):
        raw = {key: _duty_value(row, key) for key in DUTY_KEYS}
        if all(is_blank(v) for v in raw.values()):
            if ref is not None:
                to_clear.append(ref)
            continue
        values = {}
        for key, value in raw.items():
            try:
                values[key] = parse_score(value, max_value=ctx.scheme.role_max[key], field=DUTIES[key])
            except FieldError as exc:
                ctx.field_error(exc, number, DUTIES[key])
        if ref is not None:
            to_save.append((ref, values))
    ctx.raise_if_any("两委打分")
    check_committee_sheet(
        session, expected=expected_token, year=year, quarter=quarter, rater=rater,
        leader_ids=[ref.id for _, ref in resolved if ref is not None],
    )
    existing = _committee_sheet_scores(session, year=year, quarter=quarter, rater=rater)
    now = audit.now_utc()
    for ref, values in to_save:
        score = existing.get(ref.id)
        if score is None:
            score = CommitteeScore(year=year, quarter=quarter, rater=rater, leader_id=ref.id, **values)
        else:
            for key, value in values.items():
                setattr(score, key, value)
            score.version += 1
        score.updated_at = now
        score.updated_by = user.username
        session.add(score)
    cleared = 0
    for ref in to_clear:
        if ref.id in existing:
            session.delete(existing[ref.id])
            cleared += 1
    session.flush()
    revision = _finish(
        session, ctx, action="committee.save", target=f"第{quarter}季度 评分人 {rater}",
        new={ref.code: values for ref, values in to_save},
    )
    return SaveResult(
        saved=len(to_save), cleared=cleared, revision=revision,
        message=f"已保存 {rater} 第 {quarter} 季度对 {len(to_save)} 人的打分",
    )


def committee_raters(*, session: Session, user, year: int, quarter: int, village_id: int) -> list[str]:
    """Names of the committee members who already scored leaders of a village in a quarter."""
    refs = scope_leaders(session=session, user=user, village_id=village_id, active_only=False)
    if not refs:
        return []
    rows = session.exec(
        select(CommitteeScore.rater)
        .where(
            CommitteeScore.year == year,
            CommitteeScore.quarter == quarter,
            CommitteeScore.leader_id.in_([r.id for r in refs]),
        )
        .distinct()
    ).all()
    return sorted(rows)


def committee_sheet_rows(
    *, session: Session, user, year: int, quarter: int, rater: str | None, village_id: int
) -> list[dict[str, Any]]:
    """The grid for one member and quarter: the village's active leaders with stored scores."""
    refs = scope_leaders(session=session, user=user, village_id=village_id)
    stored = {}
    if rater:
        stored = _committee_sheet_scores(session, year=year, quarter=quarter, rater=rater)
    out = []
    for ref in refs:
        score = stored.get(ref.id)
        row = {"编号": ref.code, "姓名": ref.name, "职务": ref.role, "网格": ref.grid, "联防组": ref.group}
        for key in DUTY_KEYS:
            row[DUTIES[key]] = None if score is None else getattr(score, key)
        out.append(row)
    return out


# --- ballots 群众评议 -----------------------------------------------------------------------


def _parse_ballot_header(ctx: _Context, ballot_no: Any, rater_type: Any) -> tuple[str | None, str | None]:
    number = None
    try:
        number = parse_code(ballot_no, field="票号", what="票号", max_len=64)
        if number.startswith(TALLY_PREFIX):
            ctx.error(None, "票号", f"以「{TALLY_PREFIX}」开头的票号留给汇总票数，请换一个票号")
    except FieldError as exc:
        ctx.field_error(exc, None, "票号")
    kind = None
    try:
        kind = parse_rater_type(rater_type)
    except FieldError as exc:
        ctx.field_error(exc, None, "评议人类别")
    return number, kind


def save_ballot_sheet(
    *,
    session: Session,
    user,
    year: int,
    ballot_no: Any,
    rater_type: Any,
    rows: Iterable[Mapping[str, Any]],
    expected_token: str | None = None,
) -> SaveResult:
    """Save one paper ballot sheet (测评票): a 评价 per leader; an empty 评价 means no mark.

    Saving the same 票号 again replaces its marks for the leaders in the rows. With
    `expected_token` (dashboard.services.concurrency.ballot_sheet_token when the sheet was opened), a
    ballot sheet changed by someone else since then is refused with ConflictError.
    """
    rows = list(rows)
    ctx = _entry_context(session, user, year, SHEET_BALLOTS, "录入群众评议")
    number, kind = _parse_ballot_header(ctx, ballot_no, rater_type)
    resolved = _resolve_rows(ctx, session, rows)
    marks: list[tuple[LeaderRef, str]] = []
    blanks: list[LeaderRef] = []
    for (row_no, ref), row in zip(resolved, rows, strict=True):
        if is_blank(row.get("评价")):
            if ref is not None:
                blanks.append(ref)
            continue
        try:
            mark = parse_mark(row.get("评价"))
        except FieldError as exc:
            ctx.field_error(exc, row_no, "评价")
            continue
        if ref is not None:
            marks.append((ref, mark))
    if not marks and not ctx.errors and not ctx.denied:
        ctx.error(None, "评价", "这张票上没有任何评价")
    ctx.raise_if_any("群众评议")
    check_ballot_sheet(session, expected=expected_token, year=year, ballot_no=number)
    covered = [ref.id for ref, _ in marks] + [ref.id for ref in blanks]
    existing = {
        m.leader_id: m
        for m in session.exec(
            select(BallotMark).where(
                BallotMark.year == year, BallotMark.ballot_no == number, BallotMark.leader_id.in_(covered)
            )
        ).all()
    }
    for ref, mark in marks:
        row = existing.get(ref.id) or BallotMark(year=year, ballot_no=number, leader_id=ref.id, rater_type=kind, mark=mark)
        row.rater_type, row.mark = kind, mark
        session.add(row)
    cleared = 0
    for ref in blanks:
        if ref.id in existing:
            session.delete(existing[ref.id])
            cleared += 1
    session.flush()
    revision = _finish(
        session, ctx, action="ballot.save", target=f"票号 {number}",
        new={"rater_type": kind, "marks": {ref.code: mark for ref, mark in marks}},
    )
    return SaveResult(
        saved=len(marks), cleared=cleared, revision=revision,
        message=f"已保存票号 {number} 的 {len(marks)} 个评价",
    )


def parse_rater_type(value: Any) -> str:
    """评议人类别 as the importer reads it: free text up to 32 characters, never formula-looking."""
    text = parse_text(value, what="评议人类别", max_len=32, field="评议人类别")
    check_not_formula(text, what="评议人类别")
    return text.replace(" ", "").replace("\u3000", "")


def tally_ballot_no(code: str, n: int) -> str:
    """The generated ballot number of the n-th tallied vote for a leader: 汇总-<编号>-<n>."""
    return f"{TALLY_PREFIX}{code}-{n}"


def save_ballot_tallies(
    *,
    session: Session,
    user,
    year: int,
    rater_type: Any,
    rows: Iterable[Mapping[str, Any]],
) -> SaveResult:
    """Save tallies (汇总票数): per leader the number of each mark, stored as generated marks.

    A row with every count empty is left as it is; a row with counts replaces that leader's
    earlier tally marks of the same rater type.
    """
    rows = list(rows)
    ctx = _entry_context(session, user, year, SHEET_BALLOTS, "录入群众评议")
    kind = None
    try:
        kind = parse_rater_type(rater_type)
    except FieldError as exc:
        ctx.field_error(exc, None, "评议人类别")
    resolved = _resolve_rows(ctx, session, rows)
    tallies: list[tuple[LeaderRef, dict[str, int]]] = []
    for (row_no, ref), row in zip(resolved, rows, strict=True):
        if all(is_blank(row.get(mark)) for mark in TALLY_COLUMNS):
            continue
        counts = {}
        for mark in TALLY_COLUMNS:
            value = row.get(mark)
            try:
                counts[mark] = 0 if is_blank(value) else parse_count(value, field=mark, what="票数")
            except FieldError as exc:
                ctx.field_error(exc, row_no, mark)
        if ref is not None:
            tallies.append((ref, counts))
    ctx.raise_if_any("群众评议汇总")
    saved = 0
    for ref, counts in tallies:
        tally_rows = session.exec(
            select(BallotMark).where(
                BallotMark.year == year,
                BallotMark.leader_id == ref.id,
                BallotMark.ballot_no.startswith(f"{TALLY_PREFIX}{ref.code}-", autoescape=True),
            )
        ).all()
        keep = []
        for mark_row in tally_rows:
            if mark_row.rater_type == kind:
                session.delete(mark_row)
            else:
                keep.append(mark_row)
        session.flush()
        used = {m.ballot_no for m in keep}
        n = 0
        for mark in TALLY_COLUMNS:
            for _ in range(counts[mark]):
                n += 1
                while tally_ballot_no(ref.code, n) in used:
                    n += 1
                session.add(
                    BallotMark(year=year, ballot_no=tally_ballot_no(ref.code, n), rater_type=kind,
                               leader_id=ref.id, mark=mark)
                )
                saved += 1
    session.flush()
    revision = _finish(
        session, ctx, action="ballot.save", target=f"汇总票数（{kind}）",
        new={ref.code: counts for ref, counts in tallies},
    )
    return SaveResult(
        saved=saved, revision=revision,
        message=f"已按汇总票数为 {len(tallies)} 人保存 {saved} 个评价",
    )


def ballot_counts(*, session: Session, user, year: int, village_id: int) -> list[dict[str, Any]]:
    """Per active leader of a village: the number of each mark stored (sheets and tallies)."""
    refs = scope_leaders(session=session, user=user, village_id=village_id)
    counts: dict[int, dict[str, int]] = {r.id: dict.fromkeys(MARKS, 0) for r in refs}
    if refs:
        for leader_id, mark in session.exec(
            select(BallotMark.leader_id, BallotMark.mark).where(
                BallotMark.year == year, BallotMark.leader_id.in_(list(counts))
            )
        ).all():
            counts[leader_id][mark] += 1
    return [
        {"编号": r.code, "姓名": r.name, "职务": r.role, **counts[r.id],
         "有效票": sum(v for k, v in counts[r.id].items() if k in MARKS[:4])}
        for r in refs
    ]


# --- platform counts 平台上报 ---------------------------------------------------------------


def save_platform_counts(
    *, session: Session, user, year: int, rows: Iterable[Mapping[str, Any]]
) -> SaveResult:
    """Save a month × leader grid of report counts (columns 1月 … 12月); an empty cell removes the month."""
    rows = list(rows)
    ctx = _entry_context(session, user, year, SHEET_PLATFORM, "录入平台上报")
    resolved = _resolve_rows(ctx, session, rows)
    cells: list[tuple[LeaderRef, int, int | None]] = []
    for (row_no, ref), row in zip(resolved, rows, strict=True):
        for month, column in enumerate(MONTH_COLUMNS, start=1):
            value = row.get(column)
            if is_blank(value):
                count = None
            else:
                try:
                    count = parse_count(value, field=column, what="上报数")
                except FieldError as exc:
                    ctx.field_error(exc, row_no, column)
                    continue
            if ref is not None:
                cells.append((ref, month, count))
    ctx.raise_if_any("平台上报")
    ids = sorted({ref.id for ref, _, _ in cells})
    existing = {
        (p.leader_id, p.month): p
        for p in session.exec(
            select(PlatformCount).where(PlatformCount.year == year, PlatformCount.leader_id.in_(ids or [-1]))
        ).all()
    }
    saved = cleared = 0
    for ref, month, count in cells:
        row = existing.get((ref.id, month))
        if count is None:
            if row is not None:
                session.delete(row)
                cleared += 1
            continue
        if row is None:
            row = PlatformCount(year=year, leader_id=ref.id, month=month, reports=count)
        row.reports = count
        session.add(row)
        saved += 1
    session.flush()
    revision = _finish(
        session, ctx, action="platform.save", target=f"{len(ids)} 人",
        new={f"{ref.code}-{month}": count for ref, month, count in cells if count is not None},
    )
    return SaveResult(
        saved=saved, cleared=cleared, revision=revision, message=f"已保存 {saved} 个月度上报数"
    )


def platform_rows(*, session: Session, user, year: int, village_id: int) -> list[dict[str, Any]]:
    """The month × leader grid of a village with the stored counts."""
    refs = scope_leaders(session=session, user=user, village_id=village_id)
    stored: dict[tuple[int, int], int] = {}
    if refs:
        stored = {
            (p.leader_id, p.month): p.reports
            for p in session.exec(
                select(PlatformCount).where(
                    PlatformCount.year == year, PlatformCount.leader_id.in_([r.id for r in refs])
                )
            ).all()
        }
    return [
        {"编号": r.code, "姓名": r.name, "职务": r.role,
         **{col: stored.get((r.id, m)) for m, col in enumerate(MONTH_COLUMNS, start=1)}}
        for r in refs
    ]


# --- adjustments 加减分 ---------------------------------------------------------------------


def add_adjustment(
    *, session: Session, user, year: int, code: Any, kind: Any, points: Any, reason: Any, name: Any = None
) -> SaveResult:
    """Add one 加分 / 减分 (points > 0) or 一票否决 (no points), always with a reason 事由."""
    ctx = _entry_context(session, user, year, SHEET_ADJUSTMENTS, "录入加减分")
    ((_, ref),) = _resolve_rows(ctx, session, [{"编号": code, "姓名": name}])
    value = None
    try:
        kind = parse_adjustment_kind(kind)
    except FieldError as exc:
        ctx.field_error(exc, 1, "类型")
        kind = None
    if kind == VETO:
        if not is_blank(points) and points != 0:
            ctx.error(1, "分值", "一票否决不填分值，请留空")
    elif kind in ADJUSTMENT_KINDS:
        try:
            value = parse_positive_points(points, field="分值")
        except FieldError as exc:
            ctx.field_error(exc, 1, "分值")
    try:
        text = parse_text(reason, what="事由", max_len=500, field="事由")
    except FieldError as exc:
        ctx.field_error(exc, 1, "事由")
    ctx.raise_if_any("加减分")
    row = Adjustment(year=year, leader_id=ref.id, kind=kind, points=value, reason=text)
    session.add(row)
    session.flush()
    revision = _finish(
        session, ctx, action="adjustment.save", target=f"{ref.code} {ref.name}",
        new={"kind": kind, "points": value, "reason": text},
    )
    shown = kind if value is None else f"{kind} {value:g} 分"
    return SaveResult(saved=1, revision=revision, message=f"已为 {ref.name} 登记{shown}")


def delete_adjustment(*, session: Session, user, year: int, adjustment_id: int) -> SaveResult:
    """Remove one adjustment entered by mistake."""
    ctx = _entry_context(session, user, year, SHEET_ADJUSTMENTS, "删除加减分")
    row = session.get(Adjustment, adjustment_id)
    if row is None or row.year != year:
        raise EntryError("要删除的加减分记录不存在")
    leader = session.get(Leader, row.leader_id)
    ((_, ref),) = _resolve_rows(ctx, session, [{"编号": leader.code}])
    ctx.raise_if_any("加减分")
    old = {"kind": row.kind, "points": row.points, "reason": row.reason}
    session.delete(row)
    session.flush()
    revision = _finish(session, ctx, action="adjustment.save", target=f"{ref.code} {ref.name}",
                       new=None, old=old, reason="删除")
    return SaveResult(cleared=1, revision=revision, message=f"已删除 {ref.name} 的一条{old['kind']}")


def adjustment_rows(*, session: Session, user, year: int, village_id: int | None = None) -> list[dict[str, Any]]:
    """The year's adjustments of the leaders in scope (id kept for deletion)."""
    refs = {r.id: r for r in scope_leaders(session=session, user=user, village_id=village_id, active_only=False)}
    if not refs:
        return []
    rows = session.exec(
        select(Adjustment)
        .where(Adjustment.year == year, Adjustment.leader_id.in_(list(refs)))
        .order_by(Adjustment.id)
    ).all()
    return [
        {"id": a.id, "编号": refs[a.leader_id].code, "姓名": refs[a.leader_id].name,
         "村": refs[a.leader_id].village, "类型": a.kind, "分值": a.points, "事由": a.reason}
        for a in rows
    ]


# --- roster 人员名册 ------------------------------------------------------------------------

ROSTER_FIELDS = ("编号", "姓名", "性别", "民族", "职务", "网格", "联防组", "联系电话", "任职日期", "状态")


def _parse_leader_fields(ctx: _Context, fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def take(column: str, parse) -> None:
        try:
            out[column] = parse(fields.get(column))
        except FieldError as exc:
            ctx.field_error(exc, 1, column)

    take("编号", parse_code)
    take("姓名", parse_name)
    take("性别", parse_gender)
    take("民族", lambda v: parse_text(v, what="民族", required=False, max_len=32, field="民族"))
    take("职务", parse_role)
    take("网格", lambda v: parse_text(v, what="网格", max_len=64, field="网格"))
    take("联防组", lambda v: parse_text(v, what="联防组", required=False, max_len=64, field="联防组"))
    take("联系电话", lambda v: parse_text(v, what="联系电话", required=False, max_len=32, field="联系电话"))
    take("任职日期", lambda v: parse_date(v, field="任职日期", what="任职日期"))
    take("状态", parse_status)
    role, group = out.get("职务"), out.get("联防组")
    if role == HOUSEHOLD_LEADER and "联防组" in out and group is None:
        ctx.error(1, "联防组", "联户长必须填写所在联防组")
    if role == GRID_LEADER and group is not None:
        ctx.error(1, "联防组", "网格长不属于联防组，联防组应留空")
    return out


def _roster_context(session: Session, user, action: str) -> _Context:
    require_role(user, ENTRY_ROLES, action=action)
    return _Context(user=user, year=0, scheme=Scheme.default(),
                    scope=village_scope(session=session, user=user), sheet=SHEET_ROSTER)


def _place(session: Session, village_id: int, grid: str, group: str | None) -> tuple[int, int | None]:
    grid_row = session.exec(select(Grid).where(Grid.village_id == village_id, Grid.name == grid)).first()
    if grid_row is None:
        grid_row = Grid(village_id=village_id, name=grid)
        session.add(grid_row)
        session.flush()
    if group is None:
        return grid_row.id, None
    group_row = session.exec(
        select(DefenseGroup).where(DefenseGroup.grid_id == grid_row.id, DefenseGroup.name == group)
    ).first()
    if group_row is None:
        group_row = DefenseGroup(grid_id=grid_row.id, name=group)
        session.add(group_row)
        session.flush()
    return grid_row.id, group_row.id


def _refuse_frozen_roster(session: Session) -> None:
    frozen = roster_frozen(session)
    if frozen is not None:
        raise EntryError(frozen)


def _bump_all_years(session: Session) -> None:
    # The roster feeds every year's results: any cached year must be recomputed.
    for year in session.exec(select(AssessmentYear.year)).all():
        bump_revision(session, year)


def save_leader(
    *, session: Session, user, village_id: int, fields: Mapping[str, Any], code: str | None = None
) -> SaveResult:
    """Add a leader (``code`` None) or edit the leader with that 编号, in a village of the user's scope.

    ``fields`` uses the 人员名册 column names (编号, 姓名, 性别, 民族, 职务, 网格, 联防组,
    联系电话, 任职日期, 状态); a grid or joint-defense group named for the first time is created.
    """
    ctx = _roster_context(session, user, "修改人员名册" if code else "添加人员")
    values = _parse_leader_fields(ctx, fields)
    village = session.get(Village, village_id)
    if village is None:
        ctx.error(1, "村", "所选的村不存在")
    existing = None
    if code is not None:
        ref = leaders_by_code(session, [code]).get(code)
        if ref is None:
            raise EntryError(f"编号 {code} 不在人员名册中")
        if refusal := _leader_refusal(ctx.scope, ref, village):
            raise PermissionDenied(refusal)
        existing = session.get(Leader, ref.id)
    elif village is not None and (refusal := write_refusal(ctx.scope, new_village=village.id, new_place=village.name)):
        shown = values.get("姓名") or values.get("编号") or "新人员"
        raise PermissionDenied(f"添加「{shown}」：{refusal}")
    _refuse_frozen_roster(session)
    new_code = values.get("编号")
    if new_code is not None and new_code != code:
        if session.exec(select(Leader.id).where(Leader.code == new_code)).first() is not None:
            ctx.error(1, "编号", f"编号 {new_code} 已被其他人员使用")
    ctx.raise_if_any("人员名册")
    grid_id, group_id = _place(session, village.id, values["网格"], values["联防组"])
    leader = existing or Leader(code=new_code, name="", gender="男", role=values["职务"],
                                appointed_on=values["任职日期"], grid_id=grid_id)
    old = None if existing is None else {k: getattr(existing, k) for k in
                                         ("code", "name", "gender", "ethnicity", "role", "phone",
                                          "appointed_on", "status", "grid_id", "group_id")}
    leader.code = new_code
    leader.name = values["姓名"]
    leader.gender = values["性别"]
    leader.ethnicity = values["民族"]
    leader.role = values["职务"]
    leader.phone = values["联系电话"]
    leader.appointed_on = values["任职日期"]
    leader.status = values["状态"]
    leader.grid_id = grid_id
    leader.group_id = group_id
    session.add(leader)
    session.flush()
    _bump_all_years(session)
    audit.record(session, username=user.username, action="leader.save", target=f"{leader.code} {leader.name}",
                 old=old, new={k: values[k] for k in ROSTER_FIELDS})
    verb = "修改" if existing else "添加"
    return SaveResult(saved=1, message=f"已{verb} {leader.name}（{leader.code}）")


def retire_leader(*, session: Session, user, code: str, retired: bool = True) -> SaveResult:
    """Mark a leader 离任 (stays in the roster, gets no result row), or back to 在任."""
    ctx = _roster_context(session, user, "修改人员名册")
    ref = leaders_by_code(session, [code]).get(code)
    if ref is None:
        raise EntryError(f"编号 {code} 不在人员名册中")
    if refusal := _leader_refusal(ctx.scope, ref):
        raise PermissionDenied(refusal)
    _refuse_frozen_roster(session)
    leader = session.get(Leader, ref.id)
    old = leader.status
    leader.status = RETIRED if retired else ACTIVE
    session.add(leader)
    session.flush()
    _bump_all_years(session)
    audit.record(session, username=user.username, action="leader.save", target=f"{ref.code} {ref.name}",
                 old={"status": old}, new={"status": leader.status})
    return SaveResult(saved=1, message=f"{ref.name}（{ref.code}）已标记为{leader.status}")


def leader_fields(*, session: Session, user, code: str) -> dict[str, Any]:
    """One leader's roster fields (人员名册 column names), for the edit form; scope checked."""
    ref = leaders_by_code(session, [code]).get(code)
    if ref is None:
        raise EntryError(f"编号 {code} 不在人员名册中")
    if not in_scope(village_scope(session=session, user=user), ref.village_id):
        raise PermissionDenied(f"编号 {code}（{ref.name}）属于 {ref.township}/{ref.village}，不在您的范围内")
    leader = session.get(Leader, ref.id)
    return {
        "编号": leader.code, "姓名": leader.name, "性别": leader.gender, "民族": leader.ethnicity,
        "职务": leader.role, "乡镇": ref.township, "村": ref.village, "网格": ref.grid,
        "联防组": ref.group, "联系电话": leader.phone, "任职日期": leader.appointed_on,
        "状态": leader.status,
    }


def self_report_fields(*, session: Session, user, year: int, code: str) -> dict[str, Any] | None:
    """A leader's stored self-report keyed by the sheet's column names, or None."""
    ref = leaders_by_code(session, [code]).get(code)
    if ref is None or not in_scope(village_scope(session=session, user=user), ref.village_id):
        return None
    report = session.exec(
        select(SelfReport).where(SelfReport.year == year, SelfReport.leader_id == ref.id)
    ).first()
    if report is None:
        return None
    return {**{DUTIES[k]: getattr(report, k) for k in DUTY_KEYS}, "述职摘要": report.narrative}
