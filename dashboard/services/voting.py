"""Voting with a one-time code: no account, nothing that links a vote to a slip or a person.

A code opens the ballot of its round and village (the active 网格长 and 联户长). Submitting
spends the code with one conditional UPDATE (`spent = false` → `true`) and, in the same
transaction, writes ordinary ballot_mark rows under a fresh random 票号 with the round's rater
type, so every score and page counts them unchanged. The 票号 carries the round only; the code
row keeps no reference to it and no time of use, and nothing about the voter's device or
address is stored. Wrong codes are rate limited per client address in this process
(`Limiter`): a process restart forgets the counts, and each app process counts on its own.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dashboard.data.db import read_session, transaction
from dashboard.data.years import YearClosed, bump_revision, get_year, require_open
from dashboard.domain import ACTIVE, GRID_LEADER, LEADER_ROLES, MARKS, YEAR_OPEN
from dashboard.services.rounds import OPEN, ballot_prefix, hash_code, normalise_code, round_title
from models import BallotMark, EvaluationRound, Grid, Leader, Village, VoteCode

# One message for every code that does not vote: it never tells a wrong code from a used one
# until the code is known to be real (then "已使用" helps the honest voter).
CODE_UNKNOWN = "评议码不正确，请核对评议票上的 10 位评议码（字母不分大小写）"
CODE_SPENT = "该评议码已经使用过，每张评议票只能投一次"
ROUND_CLOSED = "本次评议已经结束，评议码不能再使用"
TOO_MANY = "输入错误次数过多，请 10 分钟后再试"


class VoteRefused(ValueError):
    """The code does not vote (now); the message (Chinese) is shown to the voter as is.

    `fix_ballot`: the code is still good and the voter should complete the ballot and submit again.
    """

    def __init__(self, message: str, *, fix_ballot: bool = False) -> None:
        super().__init__(message)
        self.fix_ballot = fix_ballot


@dataclass(frozen=True)
class BallotLeader:
    leader_id: int
    name: str
    role: str
    grid: str


@dataclass(frozen=True)
class Ballot:
    """What a valid code opens: the round's title, village and the leaders to mark."""

    title: str
    village: str
    leaders: list[BallotLeader]


def _code_row(session: Session, code: str) -> VoteCode | None:
    normalised = normalise_code(code)
    if not normalised:
        return None
    return session.exec(select(VoteCode).where(VoteCode.code_hash == hash_code(normalised))).first()


def _leaders(session: Session, village_id: int) -> list[BallotLeader]:
    rows = session.exec(
        select(Leader.id, Leader.name, Leader.role, Grid.name, Leader.code)
        .join(Grid, Grid.id == Leader.grid_id)
        .where(Grid.village_id == village_id, Leader.status == ACTIVE, Leader.role.in_(LEADER_ROLES))
    ).all()
    # 网格长 first, then 联户长; within a role by grid and 编号 as on the roster.
    rows = sorted(rows, key=lambda r: (r[2] != GRID_LEADER, r[3], r[4]))
    return [BallotLeader(leader_id=lid, name=name, role=role, grid=grid) for lid, name, role, grid, _ in rows]


def _usable(session: Session, row: VoteCode | None) -> EvaluationRound:
    if row is None:
        raise VoteRefused(CODE_UNKNOWN)
    rnd = session.get(EvaluationRound, row.round_id)
    if rnd.status != OPEN:
        raise VoteRefused(ROUND_CLOSED)
    year = get_year(session, rnd.year)
    if year is not None and year.status != YEAR_OPEN:
        raise VoteRefused(f"{rnd.year} 年度已{year.status}，本次评议已经结束")
    if row.spent:
        raise VoteRefused(CODE_SPENT)
    return rnd


def open_ballot(*, engine: Engine, code: str) -> Ballot:
    """The ballot a code opens, or VoteRefused (wrong, used, closed)."""
    with read_session(engine) as session:
        row = _code_row(session, code)
        rnd = _usable(session, row)
        village = session.get(Village, row.village_id)
        return Ballot(title=round_title(session, rnd), village=village.name,
                      leaders=_leaders(session, row.village_id))


def new_ballot_no(round_id: int) -> str:
    """A fresh random 票号: the round and 12 random hex digits, nothing from the code."""
    return f"{ballot_prefix(round_id)}{secrets.token_hex(6).upper()}"


def cast_vote(*, engine: Engine, code: str, marks: dict[int, str]) -> int:
    """Spend the code and record its marks in one transaction; returns the number of marks.

    Every leader of the ballot needs a mark (弃权 included). Two submits of one code at once:
    the conditional UPDATE lets exactly one of them through; the other is refused.
    """
    try:
        with transaction(engine) as session:
            row = _code_row(session, code)
            if row is None:
                raise VoteRefused(CODE_UNKNOWN)
            rnd = session.get(EvaluationRound, row.round_id)
            require_open(session, rnd.year)
            rnd = _usable(session, row)
            leaders = _leaders(session, row.village_id)
            missing = [f"{x.role}{x.name}" for x in leaders if marks.get(x.leader_id) not in MARKS]
            if missing:
                raise VoteRefused("还有人未选择：" + "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
                                  + "；不评价请选「弃权」", fix_ballot=True)
            spent = session.execute(
                update(VoteCode).where(VoteCode.id == row.id, VoteCode.spent.is_(False)).values(spent=True)
            )
            if spent.rowcount != 1:
                raise VoteRefused(CODE_SPENT)
            ballot_no = new_ballot_no(rnd.id)
            for x in leaders:
                session.add(BallotMark(year=rnd.year, ballot_no=ballot_no, rater_type=rnd.rater_type,
                                       leader_id=x.leader_id, mark=marks[x.leader_id]))
            bump_revision(session, rnd.year)
            return len(leaders)
    except YearClosed as exc:
        raise VoteRefused(str(exc)) from exc


class Limiter:
    """At most `limit` refused codes per client in `window` seconds (in this process only)."""

    def __init__(self, limit: int = 10, window: float = 600.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.setdefault(client, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, client: str, *, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(client, now)
            if not times:
                self._failures.pop(client, None)
            return len(times) >= self.limit

    def fail(self, client: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._failures) > 50_000:  # bound memory under a flood of addresses
                self._failures.clear()
