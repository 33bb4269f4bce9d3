"""Conflicting edits 并发修改 (optimistic concurrency) for the entry sheets.

A page loads a sheet together with its version token: a hash of the stored rows of that
sheet (their values, versions and who saved them when). The save passes the token back;
inside the save's transaction — after the year's row lock (dashboard.data.years.lock_year), so
no other save of the year can run in between — the token is computed again. When it
differs, somebody else saved the sheet since it was loaded: the save is refused with
ConflictError, which carries the other user's current values, and nothing is written.

Sheets:
- committee sheet 两委打分: year + quarter + committee member + the leaders on the sheet;
- self-report 个人述职: year + leader;
- ballot sheet 测评票: year + ballot number.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, select

from dashboard.data.validation import FieldError, parse_code, parse_name
from dashboard.domain import DUTIES, DUTY_KEYS
from models import BallotMark, CommitteeScore, Leader, SelfReport

# The token of a sheet with no stored rows (a new sheet): stable and recognisable.
EMPTY_TOKEN = "empty"


class ConflictError(Exception):
    """The sheet changed since it was loaded; `current` holds the stored rows now (Chinese keys)."""

    def __init__(
        self, message: str, *, current: Sequence[dict[str, Any]] = (), token: str = "", what: str = ""
    ):
        super().__init__(message)
        self.message = message
        self.current = list(current)
        self.token = token
        self.what = what

    def message_for(self, username: str | None) -> str:
        """The message as the signed-in user reads it: when every stored change is his own
        (another tab or window of his), it says so instead of blaming 其他用户."""
        if not self.what:
            return self.message
        return _message(self.what, self.current, username=username)


def _digest(items: Iterable[Any]) -> str:
    rows = sorted(json.dumps(item, ensure_ascii=False, sort_keys=True, default=str) for item in items)
    if not rows:
        return EMPTY_TOKEN
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:20]


def _stamp(value) -> str | None:
    return None if value is None else value.isoformat()


# --- committee sheet -------------------------------------------------------------------------


def _committee_rows(session: Session, *, year: int, quarter: int, rater: str, leader_ids: Iterable[int]):
    ids = sorted(set(leader_ids))
    if not ids:
        return []
    stmt = (
        select(CommitteeScore, Leader.code, Leader.name)
        .join(Leader, Leader.id == CommitteeScore.leader_id)
        .where(
            CommitteeScore.year == year,
            CommitteeScore.quarter == quarter,
            CommitteeScore.rater == rater,
            CommitteeScore.leader_id.in_(ids),
        )
        .order_by(Leader.code)
    )
    return session.exec(stmt).all()


def committee_sheet_token(
    session: Session, *, year: int, quarter: int, rater: str, leader_ids: Iterable[int]
) -> str:
    """Version token of one member's quarter sheet over the given leaders."""
    rows = _committee_rows(session, year=year, quarter=quarter, rater=rater, leader_ids=leader_ids)
    return _digest(
        {"leader": s.leader_id, "version": s.version, "at": _stamp(s.updated_at), "by": s.updated_by,
         **{k: getattr(s, k) for k in DUTY_KEYS}}
        for s, _code, _name in rows
    )


def committee_sheet_current(
    session: Session, *, year: int, quarter: int, rater: str, leader_ids: Iterable[int]
) -> list[dict[str, Any]]:
    """The stored rows of the sheet as the page shows them (编号, 姓名, seven duties, 修改人)."""
    rows = _committee_rows(session, year=year, quarter=quarter, rater=rater, leader_ids=leader_ids)
    return [
        {"编号": code, "姓名": name, **{DUTIES[k]: getattr(s, k) for k in DUTY_KEYS},
         "修改人": s.updated_by, "修改时间（UTC）": _short(s.updated_at)}
        for s, code, name in rows
    ]


def check_committee_sheet(
    session: Session, *, expected: str | None, year: int, quarter: int, rater: str,
    leader_ids: Iterable[int],
) -> None:
    """Refuse (ConflictError) when the sheet's stored rows changed since `expected` was taken."""
    if expected is None:
        return
    ids = sorted(set(leader_ids))
    actual = committee_sheet_token(session, year=year, quarter=quarter, rater=rater, leader_ids=ids)
    if actual != expected:
        current = committee_sheet_current(session, year=year, quarter=quarter, rater=rater, leader_ids=ids)
        what = f"{rater} 第 {quarter} 季度的两委打分表"
        raise ConflictError(_message(what, current), current=current, token=actual, what=what)


# --- self-report -----------------------------------------------------------------------------


def _self_row(session: Session, *, year: int, leader_id: int):
    stmt = (
        select(SelfReport, Leader.code, Leader.name)
        .join(Leader, Leader.id == SelfReport.leader_id)
        .where(SelfReport.year == year, SelfReport.leader_id == leader_id)
    )
    return session.exec(stmt).first()


def self_report_token(session: Session, *, year: int, leader_id: int) -> str:
    """Version token of one leader's self-report."""
    row = _self_row(session, year=year, leader_id=leader_id)
    if row is None:
        return EMPTY_TOKEN
    s = row[0]
    return _digest([{"version": s.version, "at": _stamp(s.updated_at), "by": s.updated_by,
                     "narrative": s.narrative, **{k: getattr(s, k) for k in DUTY_KEYS}}])


def check_self_report(session: Session, *, expected: str | None, year: int, leader_id: int) -> None:
    """Refuse (ConflictError) when the self-report changed since `expected` was taken."""
    if expected is None:
        return
    actual = self_report_token(session, year=year, leader_id=leader_id)
    if actual != expected:
        row = _self_row(session, year=year, leader_id=leader_id)
        current = []
        if row is not None:
            s, code, name = row
            current = [{"编号": code, "姓名": name, **{DUTIES[k]: getattr(s, k) for k in DUTY_KEYS},
                        "述职摘要": s.narrative, "修改人": s.updated_by,
                        "修改时间（UTC）": _short(s.updated_at)}]
        raise ConflictError(_message("这份个人述职", current), current=current, token=actual, what="这份个人述职")


# --- ballot sheet ----------------------------------------------------------------------------


def _ballot_rows(session: Session, *, year: int, ballot_no: str):
    stmt = (
        select(BallotMark, Leader.code, Leader.name)
        .join(Leader, Leader.id == BallotMark.leader_id)
        .where(BallotMark.year == year, BallotMark.ballot_no == ballot_no)
        .order_by(Leader.code)
    )
    return session.exec(stmt).all()


def ballot_sheet_token(session: Session, *, year: int, ballot_no: str) -> str:
    """Version token of one ballot sheet (its marks and rater type)."""
    return _digest(
        {"leader": m.leader_id, "mark": m.mark, "type": m.rater_type, "id": m.id}
        for m, _code, _name in _ballot_rows(session, year=year, ballot_no=ballot_no)
    )


def check_ballot_sheet(session: Session, *, expected: str | None, year: int, ballot_no: str) -> None:
    """Refuse (ConflictError) when the ballot sheet changed since `expected` was taken."""
    if expected is None:
        return
    actual = ballot_sheet_token(session, year=year, ballot_no=ballot_no)
    if actual != expected:
        current = [
            {"编号": code, "姓名": name, "评价": m.mark, "评议人类别": m.rater_type}
            for m, code, name in _ballot_rows(session, year=year, ballot_no=ballot_no)
        ]
        what = f"测评票 {ballot_no}"
        raise ConflictError(_message(what, current), current=current, token=actual, what=what)


# --- messages --------------------------------------------------------------------------------


def _short(moment) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}"


def _message(what: str, current: Sequence[dict[str, Any]], *, username: str | None = None) -> str:
    editors = sorted({r["修改人"] for r in current if r.get("修改人")})
    if username is not None and editors == [username]:
        by, who, whose = "您在另一个窗口或标签页中", "", "那边的修改"
    else:
        by, who, whose = "其他用户", f"（{'、'.join(editors)}）" if editors else "", "他人的修改"
    if not current:
        return f"{what}在您打开之后已被{by}删除{who}。为避免覆盖{whose}，本次没有保存；请重新载入后再录入。"
    return (
        f"{what}在您打开之后已被{by}修改{who}。为避免覆盖{whose}，本次没有保存。"
        "下面是目前保存的数据；请核对后重新载入再保存。"
    )


# --- read services for the pages (signature of dashboard.ui.state.read) ------------------------


def _ids_for_codes(session: Session, codes: Iterable[str]) -> list[int]:
    codes = sorted({str(c) for c in codes if c})
    if not codes:
        return []
    return list(session.exec(select(Leader.id).where(Leader.code.in_(codes))).all())


def committee_sheet_version(
    *, session: Session, user: Any, year: int, quarter: int, rater: str, codes: Iterable[str]
) -> str:
    """The token of the committee sheet the page shows (its leaders by 编号; 评分人 as on save)."""
    try:
        rater = parse_name(rater, field="评分人")
    except FieldError:
        return EMPTY_TOKEN  # the save will refuse the name itself
    return committee_sheet_token(
        session, year=year, quarter=quarter, rater=rater, leader_ids=_ids_for_codes(session, codes)
    )


def self_report_version(*, session: Session, user: Any, year: int, code: str) -> str:
    """The token of the self-report the page shows."""
    ids = _ids_for_codes(session, [code])
    return self_report_token(session, year=year, leader_id=ids[0]) if ids else EMPTY_TOKEN


def ballot_sheet_version(*, session: Session, user: Any, year: int, ballot_no: str) -> str:
    """The token of the ballot sheet the page is about to enter (票号 normalised as on save)."""
    try:
        number = parse_code(ballot_no, field="票号", what="票号", max_len=64)
    except FieldError:
        return EMPTY_TOKEN  # the save will refuse the number itself
    return ballot_sheet_token(session, year=year, ballot_no=number)
