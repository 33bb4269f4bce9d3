"""Write services for the year's inputs: self-reports, committee sheets, ballots (sheets or
tallies), platform counts and adjustments (the rules every entry service follows:
dashboard.services.entry). Each writes through dashboard.data.inputs, the importer's write path.

Tallies (汇总票): when only the count of each mark per leader is known, the marks are
stored as generated ballot marks, one per counted vote, with ballot numbers
``汇总-<编号>-<n>`` (n = 1, 2, …). Entering tallies again for the same leader and rater type
replaces that leader's earlier tally marks of that rater type; paper ballot sheets are
never touched by tallies, and ``汇总-`` ballot numbers are reserved for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, select

from dashboard.data.inputs import next_version, replace_rows
from dashboard.data.validation import (
    FieldError,
    check_not_formula,
    is_blank,
    parse_adjustment_kind,
    parse_code,
    parse_count,
    parse_mark,
    parse_narrative,
    parse_positive_points,
    parse_score,
    parse_text,
)
from dashboard.domain import ADJUSTMENT_KINDS, DUTIES, DUTY_KEYS, MARKS, VETO
from dashboard.services.committee import clear_committee_draft, committee_sheet_header
from dashboard.services.concurrency import (
    check_ballot_sheet,
    check_committee_sheet,
    check_self_report,
)
from dashboard.services.entry import (
    SHEET_ADJUSTMENTS,
    SHEET_BALLOTS,
    SHEET_COMMITTEE,
    SHEET_PLATFORM,
    SHEET_SELF,
    EntryContext,
    EntryError,
    LeaderRef,
    SaveResult,
    duty_value,
    entry_context,
    finish_save,
    leader_label,
    resolve_rows,
    sheet_rows_by_leader,
)
from models import Adjustment, BallotMark, CommitteeScore, Leader, PlatformCount, SelfReport

TALLY_PREFIX = "汇总-"
MONTH_COLUMNS = tuple(f"{m}月" for m in range(1, 13))
TALLY_COLUMNS = MARKS  # 优秀, 称职, 基本称职, 不称职, 弃权


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
    ctx = entry_context(session, user, year, SHEET_SELF, "录入个人述职")
    ((_, ref),) = resolve_rows(ctx, session, [{"编号": code, "姓名": name}])
    values: dict[str, float] = {}
    for key in DUTY_KEYS:
        try:
            values[key] = parse_score(duty_value(scores, key), max_value=100, field=DUTIES[key])
        except FieldError as exc:
            ctx.field_error(exc, 1, DUTIES[key], ref)
    try:
        text = parse_narrative(narrative)
    except FieldError as exc:
        ctx.field_error(exc, 1, "述职摘要")
    ctx.raise_if_any("个人述职")
    check_self_report(session, expected=expected_token, year=year, leader_id=ref.id)
    stored = session.exec(
        select(SelfReport.id, SelfReport.version).where(SelfReport.year == year, SelfReport.leader_id == ref.id)
    ).all()
    # A clerk's entry counts at once (a leader's own report waits for confirmation: services/leader_self).
    replace_rows(
        session, SelfReport, year=year, remove=[i for i, _ in stored], username=user.username,
        add=[{
            "leader_id": ref.id, **values, "narrative": text, "status": "已确认", "review_note": None,
            "version": next_version(v for _, v in stored),
        }],
    )
    revision = finish_save(
        session, ctx, action="self_report.save", target=f"{ref.code} {ref.name}",
        new={**values, "narrative": text},
    )
    return SaveResult(saved=1, revision=revision, message=f"已保存 {ref.name} 的个人述职")


def delete_self_report(*, session: Session, user, year: int, code: str) -> SaveResult:
    """Remove one leader's self-report (entered by mistake)."""
    ctx = entry_context(session, user, year, SHEET_SELF, "删除个人述职")
    ((_, ref),) = resolve_rows(ctx, session, [{"编号": code}])
    ctx.raise_if_any("个人述职")
    stored = session.exec(
        select(SelfReport.id).where(SelfReport.year == year, SelfReport.leader_id == ref.id)
    ).all()
    if not stored:
        return SaveResult(message="没有可删除的个人述职")
    replace_rows(session, SelfReport, year=year, remove=list(stored))
    revision = finish_save(session, ctx, action="self_report.save", target=f"{ref.code} {ref.name}", new=None)
    return SaveResult(cleared=1, revision=revision, message=f"已删除 {ref.name} 的个人述职")


# --- committee sheet 两委打分 ---------------------------------------------------------------


def committee_sheet_scores(session: Session, *, year: int, quarter: int, rater: str) -> dict[int, CommitteeScore]:
    """One member's stored scores for one quarter, by leader id."""
    return sheet_rows_by_leader(session, CommitteeScore, year=year, quarter=quarter, rater=rater)


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
    ctx = entry_context(session, user, year, SHEET_COMMITTEE, "录入两委打分")
    quarter, rater = committee_sheet_header(ctx, quarter, rater)
    resolved = resolve_rows(ctx, session, rows)
    to_save: list[tuple[LeaderRef, dict[str, float]]] = []
    to_clear: list[LeaderRef] = []
    for (number, ref), row in zip(resolved, rows, strict=True):
        raw = {key: duty_value(row, key) for key in DUTY_KEYS}
        if all(is_blank(v) for v in raw.values()):
            if ref is not None:
                to_clear.append(ref)
            continue
        values = {}
        for key, value in raw.items():
            try:
                values[key] = parse_score(value, max_value=ctx.scheme.role_max[key], field=DUTIES[key])
            except FieldError as exc:
                ctx.field_error(exc, number, DUTIES[key], ref)
        if ref is not None:
            to_save.append((ref, values))
    ctx.raise_if_any("两委打分")
    check_committee_sheet(
        session, expected=expected_token, year=year, quarter=quarter, rater=rater,
        leader_ids=[ref.id for _, ref in resolved if ref is not None],
    )
    existing = committee_sheet_scores(session, year=year, quarter=quarter, rater=rater)
    cleared = [existing[ref.id] for ref in to_clear if ref.id in existing]
    replaced = [existing[ref.id] for ref, _ in to_save if ref.id in existing]
    replace_rows(
        session, CommitteeScore, year=year, remove=[s.id for s in replaced + cleared], username=user.username,
        add=[
            {"quarter": quarter, "rater": rater, "leader_id": ref.id, **values,
             "version": next_version([existing[ref.id].version] if ref.id in existing else [])}
            for ref, values in to_save
        ],
    )
    clear_committee_draft(session, year=year, quarter=quarter, rater=rater)  # the sheet is complete now
    revision = finish_save(
        session, ctx, action="committee.save", target=f"第{quarter}季度 评分人 {rater}",
        new={ref.code: values for ref, values in to_save},
    )
    return SaveResult(
        saved=len(to_save), cleared=len(cleared), revision=revision,
        message=f"已保存 {rater} 第 {quarter} 季度对 {len(to_save)} 人的打分",
    )


# --- ballots 群众评议 -----------------------------------------------------------------------


def _parse_ballot_header(ctx: EntryContext, ballot_no: Any, rater_type: Any) -> tuple[str | None, str | None]:
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
    ctx = entry_context(session, user, year, SHEET_BALLOTS, "录入群众评议")
    number, kind = _parse_ballot_header(ctx, ballot_no, rater_type)
    resolved = resolve_rows(ctx, session, rows)
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
            ctx.field_error(exc, row_no, "评价", ref)
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
    cleared = [existing[ref.id].id for ref in blanks if ref.id in existing]
    replace_rows(
        session, BallotMark, year=year,
        remove=[existing[ref.id].id for ref, _ in marks if ref.id in existing] + cleared,
        add=[{"ballot_no": number, "leader_id": ref.id, "rater_type": kind, "mark": mark} for ref, mark in marks],
    )
    revision = finish_save(
        session, ctx, action="ballot.save", target=f"票号 {number}",
        new={"rater_type": kind, "marks": {ref.code: mark for ref, mark in marks}},
    )
    return SaveResult(
        saved=len(marks), cleared=len(cleared), revision=revision,
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
    ctx = entry_context(session, user, year, SHEET_BALLOTS, "录入群众评议")
    kind = None
    try:
        kind = parse_rater_type(rater_type)
    except FieldError as exc:
        ctx.field_error(exc, None, "评议人类别")
    resolved = resolve_rows(ctx, session, rows)
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
                ctx.field_error(exc, row_no, mark, ref)
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
        used = {m.ballot_no for m in tally_rows if m.rater_type != kind}
        add, n = [], 0
        for mark in TALLY_COLUMNS:
            for _ in range(counts[mark]):
                n += 1
                while tally_ballot_no(ref.code, n) in used:
                    n += 1
                add.append({"ballot_no": tally_ballot_no(ref.code, n), "rater_type": kind,
                            "leader_id": ref.id, "mark": mark})
        replace_rows(
            session, BallotMark, year=year, remove=[m.id for m in tally_rows if m.rater_type == kind], add=add
        )
        saved += len(add)
    revision = finish_save(
        session, ctx, action="ballot.save", target=f"汇总票数（{kind}）",
        new={ref.code: counts for ref, counts in tallies},
    )
    return SaveResult(
        saved=saved, revision=revision,
        message=f"已按汇总票数为 {len(tallies)} 人保存 {saved} 个评价",
    )


# --- platform counts 平台上报 ---------------------------------------------------------------


def save_platform_counts(
    *, session: Session, user, year: int, rows: Iterable[Mapping[str, Any]]
) -> SaveResult:
    """Save a month × leader grid of report counts (columns 1月 … 12月); an empty cell removes the month."""
    rows = list(rows)
    ctx = entry_context(session, user, year, SHEET_PLATFORM, "录入平台上报")
    resolved = resolve_rows(ctx, session, rows)
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
                    ctx.field_error(exc, row_no, column, ref)
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
    remove, add = [], []
    cleared = 0
    for ref, month, count in cells:
        row = existing.get((ref.id, month))
        if row is not None:
            remove.append(row.id)
            cleared += count is None
        if count is not None:
            add.append({"leader_id": ref.id, "month": month, "reports": count})
    replace_rows(session, PlatformCount, year=year, remove=remove, add=add)
    saved = len(add)
    revision = finish_save(
        session, ctx, action="platform.save", target=f"{len(ids)} 人",
        new={f"{ref.code}-{month}": count for ref, month, count in cells if count is not None},
    )
    return SaveResult(
        saved=saved, cleared=cleared, revision=revision, message=f"已保存 {saved} 个月度上报数"
    )


# --- adjustments 加减分 ---------------------------------------------------------------------


def add_adjustment(
    *, session: Session, user, year: int, code: Any, kind: Any, points: Any, reason: Any, name: Any = None
) -> SaveResult:
    """Add one 加分 / 减分 (points > 0) or 一票否决 (no points), always with a reason 事由."""
    ctx = entry_context(session, user, year, SHEET_ADJUSTMENTS, "录入加减分")
    ((_, ref),) = resolve_rows(ctx, session, [{"编号": code, "姓名": name}])
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
    ctx.name_leader(leader_label(ref) if ref is not None else None)
    ctx.raise_if_any("加减分")
    replace_rows(
        session, Adjustment, year=year, add=[{"leader_id": ref.id, "kind": kind, "points": value, "reason": text}]
    )
    revision = finish_save(
        session, ctx, action="adjustment.save", target=f"{ref.code} {ref.name}",
        new={"kind": kind, "points": value, "reason": text},
    )
    shown = kind if value is None else f"{kind} {value:g} 分"
    return SaveResult(saved=1, revision=revision, message=f"已为 {ref.name} 登记{shown}")


def delete_adjustment(*, session: Session, user, year: int, adjustment_id: int) -> SaveResult:
    """Remove one adjustment entered by mistake."""
    ctx = entry_context(session, user, year, SHEET_ADJUSTMENTS, "删除加减分")
    row = session.get(Adjustment, adjustment_id)
    if row is None or row.year != year:
        raise EntryError("要删除的加减分记录不存在")
    leader = session.get(Leader, row.leader_id)
    ((_, ref),) = resolve_rows(ctx, session, [{"编号": leader.code}])
    ctx.raise_if_any("加减分")
    old = {"kind": row.kind, "points": row.points, "reason": row.reason}
    replace_rows(session, Adjustment, year=year, remove=[row.id])
    revision = finish_save(session, ctx, action="adjustment.save", target=f"{ref.code} {ref.name}",
                       new=None, old=old, reason="删除")
    return SaveResult(cleared=1, revision=revision, message=f"已删除 {ref.name} 的一条{old['kind']}")
