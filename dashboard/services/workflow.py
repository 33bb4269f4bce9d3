"""The year's workflow 年度流程: 录入中 → 公示中 → 已定稿, publicity objections 异议.

- Publishing (发布公示) freezes the year's results as a ResultSnapshot (the results of the
  scoring engine on the stored inputs, plus the scheme they were computed with) and stores
  the publicity period. From then on every write service refuses (``require_open``).
- During publicity, officials record objections raised by the public and the answers.
- Finalising (定稿) makes the publicity snapshot the official record; the next year reads
  its grades as the previous year's grades.
- Reopening (重新开放录入) needs an admin and a written reason.

An official or an admin moves a year forward. Every step is audited in its own transaction.
"""

from __future__ import annotations

import getpass
import json
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.data.db import transaction
from dashboard.data.export import results_records
from dashboard.data.queries import assess_year
from dashboard.data.years import YearClosed, lock_year, require_open  # noqa: F401 (re-exported)
from dashboard.domain import YEAR_FINAL, YEAR_OPEN, YEAR_PUBLICITY
from dashboard.scoring.scheme import Scheme
from dashboard.services.auth import ADMIN, OFFICIAL, SignedInUser, require_role
from models import AssessmentYear, Leader, Objection, ResultSnapshot

WORKFLOW_ROLES = (ADMIN, OFFICIAL)
REOPEN_ROLES = (ADMIN,)
OBJECTION_ROLES = (ADMIN, OFFICIAL)
# Default publicity period: seven calendar days including the first.
DEFAULT_PUBLICITY_DAYS = 7
MAX_TEXT = 2000


class WorkflowError(ValueError):
    """A workflow step that is not allowed now; the message (Chinese) is shown as is."""


def cli_user() -> SignedInUser:
    """The acting user of the command line: whoever may run it has the database, i.e. admin."""
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        who = "unknown"
    return SignedInUser(user_id=0, username=f"命令行:{who}"[:64], role=ADMIN, display_name="命令行")


# --- reading the state ----------------------------------------------------------------------


def year_status(session: Session, year: int) -> str | None:
    """The year's workflow status, or None when the year does not exist."""
    row = session.get(AssessmentYear, year)
    return None if row is None else row.status


def latest_snapshot(session: Session, year: int) -> ResultSnapshot | None:
    """The newest snapshot of a year (the publicity snapshot of the current cycle)."""
    stmt = (
        select(ResultSnapshot)
        .where(ResultSnapshot.year == year)
        .order_by(ResultSnapshot.created_at.desc(), ResultSnapshot.id.desc())
    )
    return session.exec(stmt).first()


def current_snapshot(session: Session, year: int) -> ResultSnapshot | None:
    """The snapshot in force: the latest one while the year is 公示中 or 已定稿, else None."""
    row = session.get(AssessmentYear, year)
    if row is None or row.status == YEAR_OPEN:
        return None
    return latest_snapshot(session, year)


def official_snapshot(session: Session, year: int) -> ResultSnapshot | None:
    """The official record of a final (已定稿) year, or None when the year is not final."""
    row = session.get(AssessmentYear, year)
    if row is None or row.status != YEAR_FINAL:
        return None
    return latest_snapshot(session, year)


def snapshot_records(snapshot: ResultSnapshot) -> list[dict[str, Any]]:
    """The result rows (interfaces.md keys) frozen in a snapshot."""
    return json.loads(snapshot.results_json)


def snapshot_scheme(snapshot: ResultSnapshot) -> Scheme:
    """The scheme the snapshot was computed with."""
    return Scheme.from_json(snapshot.scheme_json)


def final_grades(session: Session, year: int) -> dict[str, str]:
    """Leader code → grade from a final year's official snapshot (empty when not final)."""
    snapshot = official_snapshot(session, year)
    if snapshot is None:
        return {}
    return {rec["code"]: rec["grade"] for rec in snapshot_records(snapshot)}


# --- computing the results to freeze ----------------------------------------------------------


def compute_records(engine: Engine, year: int, scheme: Scheme | None = None) -> tuple[list[dict[str, Any]], str]:
    """The year's result rows (interfaces.md) from the stored inputs, and the scheme's JSON.

    Without `scheme`, the year's stored scheme is used (as at publication).
    """
    assessment = assess_year(engine, year, scheme)
    return results_records(assessment.results), assessment.scheme.to_json()


# --- steps ----------------------------------------------------------------------------------


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise WorkflowError(f"公示结束日期（{end}）不能早于开始日期（{start}）")


def publish_year(
    *,
    engine: Engine,
    user: SignedInUser | None,
    year: int,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> ResultSnapshot:
    """录入中 → 公示中: freeze the results as a snapshot and store the publicity period."""
    require_role(user, WORKFLOW_ROLES, action="发布公示")
    start = start or today or date.today()
    end = end or start + timedelta(days=DEFAULT_PUBLICITY_DAYS - 1)
    _check_period(start, end)
    with transaction(engine) as session:
        row = lock_year(session, year)
        if row is None:
            raise WorkflowError(f"{year} 年度不存在，请先导入该年度的数据")
        if row.status != YEAR_OPEN:
            raise WorkflowError(f"{year} 年度当前为{row.status}，只有录入中的年度可以发布公示")
        # The year's row is locked, so no write can land while the results are computed on a
        # separate read connection (which sees exactly the committed inputs).
        records, scheme_json = compute_records(engine, year)
        snapshot = ResultSnapshot(
            year=year,
            created_at=audit.now_utc(),
            created_by=user.username,
            scheme_json=scheme_json,
            results_json=json.dumps(records, ensure_ascii=False),
        )
        session.add(snapshot)
        old = {"status": row.status}
        row.status = YEAR_PUBLICITY
        row.publicity_start = start
        row.publicity_end = end
        row.revision += 1
        session.add(row)
        session.flush()
        awarded = sum(1 for r in records if r.get("award"))
        audit.record(
            session, username=user.username, action="year.publish", year=year, target=str(year),
            old=old,
            new={"status": YEAR_PUBLICITY, "publicity_start": start, "publicity_end": end,
                 "snapshot_id": snapshot.id, "leaders": len(records), "awards": awarded},
        )
    return snapshot


def unanswered_objections(session: Session, year: int) -> int:
    stmt = select(Objection).where(Objection.year == year, Objection.answer.is_(None))
    return len(session.exec(stmt).all())


def finalize_year(
    *, session: Session, user: SignedInUser | None, year: int, today: date | None = None
) -> AssessmentYear:
    """公示中 → 已定稿: after the publicity period, with every objection answered."""
    require_role(user, WORKFLOW_ROLES, action="定稿")
    today = today or date.today()
    row = lock_year(session, year)
    if row is None:
        raise WorkflowError(f"{year} 年度不存在")
    if row.status != YEAR_PUBLICITY:
        raise WorkflowError(f"{year} 年度当前为{row.status}，只有公示中的年度可以定稿")
    if row.publicity_end is not None and today < row.publicity_end:
        raise WorkflowError(
            f"{year} 年度公示期至 {row.publicity_end} 结束，公示期满后才能定稿"
        )
    open_count = unanswered_objections(session, year)
    if open_count:
        raise WorkflowError(f"{year} 年度还有 {open_count} 条异议未答复，答复后才能定稿")
    snapshot = latest_snapshot(session, year)
    if snapshot is None:
        raise WorkflowError(f"{year} 年度没有公示结果，不能定稿")
    row.status = YEAR_FINAL
    row.revision += 1
    session.add(row)
    audit.record(
        session, username=user.username, action="year.finalize", year=year, target=str(year),
        old={"status": YEAR_PUBLICITY}, new={"status": YEAR_FINAL, "snapshot_id": snapshot.id},
    )
    return row


def reopen_year(
    *, session: Session, user: SignedInUser | None, year: int, reason: str
) -> AssessmentYear:
    """公示中 or 已定稿 → 录入中: admin only, with a written reason (kept in the audit trail)."""
    require_role(user, REOPEN_ROLES, action="重新开放录入")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("重新开放录入必须填写理由")
    if len(reason) > MAX_TEXT:
        raise WorkflowError(f"理由不能超过 {MAX_TEXT} 个字符")
    row = lock_year(session, year)
    if row is None:
        raise WorkflowError(f"{year} 年度不存在")
    if row.status == YEAR_OPEN:
        raise WorkflowError(f"{year} 年度已经是录入中，无需重新开放")
    old = {"status": row.status, "publicity_start": row.publicity_start,
           "publicity_end": row.publicity_end}
    row.status = YEAR_OPEN
    row.publicity_start = None
    row.publicity_end = None
    row.revision += 1
    session.add(row)
    audit.record(
        session, username=user.username, action="year.reopen", year=year, target=str(year),
        old=old, new={"status": YEAR_OPEN}, reason=reason,
    )
    return row


# --- objections 异议 --------------------------------------------------------------------------


def _require_publicity(session: Session, year: int) -> AssessmentYear:
    row = lock_year(session, year)
    if row is None:
        raise WorkflowError(f"{year} 年度不存在")
    if row.status != YEAR_PUBLICITY:
        raise WorkflowError(f"{year} 年度当前为{row.status}，只有公示期间可以登记或答复异议")
    return row


def _text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkflowError(f"请填写{field}")
    if len(value) > limit:
        raise WorkflowError(f"{field}不能超过 {limit} 个字符")
    return value


def record_objection(
    *,
    session: Session,
    user: SignedInUser | None,
    year: int,
    leader_code: str,
    raised_by: str,
    content: str,
) -> Objection:
    """Record an objection to a leader's published result (公示期间)."""
    require_role(user, OBJECTION_ROLES, action="登记异议")
    raised_by = _text(raised_by, "异议人", 64)
    content = _text(content, "异议内容", MAX_TEXT)
    _require_publicity(session, year)
    code = (leader_code or "").strip()
    leader = session.exec(select(Leader).where(Leader.code == code)).first()
    if leader is None:
        raise WorkflowError(f"编号 {code or '（空）'} 不在人员名册中")
    objection = Objection(
        year=year, leader_id=leader.id, raised_by=raised_by, content=content,
        raised_at=audit.now_utc(), recorded_by=user.username,
    )
    session.add(objection)
    session.flush()
    audit.record(
        session, username=user.username, action="objection.add", year=year,
        target=f"{leader.code} {leader.name}",
        new={"objection_id": objection.id, "raised_by": raised_by, "content": content},
    )
    return objection


def answer_objection(
    *, session: Session, user: SignedInUser | None, objection_id: int, answer: str
) -> Objection:
    """Record the answer to an objection (公示期间, once)."""
    require_role(user, OBJECTION_ROLES, action="答复异议")
    answer = _text(answer, "答复内容", MAX_TEXT)
    objection = session.get(Objection, objection_id)
    if objection is None:
        raise WorkflowError(f"异议 {objection_id} 不存在")
    _require_publicity(session, objection.year)
    session.refresh(objection)
    if objection.answer is not None:
        raise WorkflowError(
            f"异议 {objection_id} 已由 {objection.answered_by} 答复，不能重复答复"
        )
    objection.answer = answer
    objection.answered_by = user.username
    objection.answered_at = audit.now_utc()
    session.add(objection)
    leader = session.get(Leader, objection.leader_id)
    audit.record(
        session, username=user.username, action="objection.answer", year=objection.year,
        target=f"{leader.code} {leader.name}",
        new={"objection_id": objection.id, "answer": answer},
    )
    return objection


OBJECTION_COLUMNS = {
    "id": "序号",
    "code": "编号",
    "name": "姓名",
    "raised_by": "异议人",
    "content": "异议内容",
    "raised_at": "登记时间（UTC）",
    "recorded_by": "登记人",
    "answer": "答复",
    "answered_by": "答复人",
    "answered_at": "答复时间（UTC）",
}


def objections_frame(session: Session, year: int) -> pd.DataFrame:
    """The year's objections with the leader's code and name, oldest first."""
    stmt = (
        select(Objection, Leader.code, Leader.name)
        .join(Leader, Leader.id == Objection.leader_id)
        .where(Objection.year == year)
        .order_by(Objection.raised_at, Objection.id)
    )
    rows = [
        {
            "id": o.id, "code": code, "name": name, "raised_by": o.raised_by,
            "content": o.content, "raised_at": o.raised_at, "recorded_by": o.recorded_by,
            "answer": o.answer, "answered_by": o.answered_by, "answered_at": o.answered_at,
        }
        for o, code, name in session.exec(stmt)
    ]
    return pd.DataFrame(rows, columns=list(OBJECTION_COLUMNS))


AWARD_LIST_COLUMNS = {
    "code": "编号", "name": "姓名", "role": "职务", "township": "乡镇", "village": "行政村",
    "grid": "网格", "group": "联防组", "final": "最终得分", "grade": "等次",
    "township_rank": "乡镇排名",
}


def publicity_award_list(session: Session, year: int) -> pd.DataFrame:
    """The award list (表彰名单) frozen in the snapshot in force, 网格长 first."""
    snapshot = current_snapshot(session, year)
    if snapshot is None:
        return pd.DataFrame(columns=list(AWARD_LIST_COLUMNS))
    rows = [r for r in snapshot_records(snapshot) if r.get("award")]
    frame = pd.DataFrame(rows, columns=list(AWARD_LIST_COLUMNS))
    return frame
