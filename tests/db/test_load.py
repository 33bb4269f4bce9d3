"""Load test: 20 clerks saving committee sheets at once, on SQLite and on PostgreSQL.

Each simulated clerk (a thread with its own engine and sessions, like a separate app session)
repeatedly opens one of six committee sheets with its version token, "edits" it for a moment
and saves it with that token. Every save must either land or be refused as a conflict — no
"database is locked", no other error — and the database must end up holding exactly the
accepted saves: per sheet, the accepted saves form one unbroken chain of versions (no two
accepted saves started from the same version, i.e. no lost update), and the stored rows are
the values of the last save in that chain.

Duration: LIANHU_LOAD_SECONDS (default 10 s per database; the issue's run is 60:
`LIANHU_LOAD_SECONDS=60 .venv/bin/python -m pytest tests/db/test_load.py`).
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass

import pytest
from factories import build_year, make_user
from sqlmodel import func, select

from dashboard.data.db import make_engine, read_session, transaction
from dashboard.domain import DUTIES, DUTY_KEYS
from dashboard.services import concurrency
from dashboard.services.concurrency import ConflictError
from dashboard.services.inputs import save_committee_sheet
from models import AssessmentYear, AuditEvent, CommitteeScore, Leader, User

CLERKS = 20
SHEETS = [f"委员{i}" for i in range(6)]  # six committee members' quarter-3 sheets
CODES = ["G1", "H1", "H2", "H3", "H4", "H5"]  # the leaders of 南峪村: one sheet's rows
QUARTER = 3
SECONDS = float(os.environ.get("LIANHU_LOAD_SECONDS", "10"))


@dataclass(frozen=True)
class Accepted:
    sheet: str
    token_before: str
    token_after: str
    values: dict[str, float]  # code -> the value entered for all seven duties
    clerk: int


def _clerk(i: int, url: str, user_id: int, ids: list[int], deadline: float, start: threading.Barrier,
           ledger: list[Accepted], conflicts: list[int], errors: list[BaseException], lock: threading.Lock):
    rng = random.Random(1000 + i)
    engine = make_engine(url)
    try:
        start.wait()
        while time.monotonic() < deadline:
            sheet = rng.choice(SHEETS)
            with read_session(engine) as s:
                token = concurrency.committee_sheet_token(
                    s, year=2024, quarter=QUARTER, rater=sheet, leader_ids=ids)
            time.sleep(rng.uniform(0, 0.02))  # the clerk types
            values = {code: rng.randint(0, 20) / 2 for code in CODES}  # 0.0 … 10.0
            rows = [{"编号": c, **{DUTIES[k]: v for k in DUTY_KEYS}} for c, v in values.items()]
            try:
                with transaction(engine) as s:
                    save_committee_sheet(session=s, user=s.get(User, user_id), year=2024,
                                         quarter=QUARTER, rater=sheet, rows=rows, expected_token=token)
                    after = concurrency.committee_sheet_token(
                        s, year=2024, quarter=QUARTER, rater=sheet, leader_ids=ids)
            except ConflictError:
                with lock:
                    conflicts.append(i)
                continue
            with lock:
                ledger.append(Accepted(sheet, token, after, values, i))
    except BaseException as exc:  # noqa: BLE001 - any other failure fails the test below
        with lock:
            errors.append(exc)
    finally:
        engine.dispose()


@pytest.mark.load
def test_twenty_clerks_saving_at_once_lose_nothing(db_engine):
    """Every save lands or is refused as a conflict; the database holds exactly the accepted saves."""
    build_year(db_engine)
    clerk = make_user(db_engine, "clerk", "admin")
    url = db_engine.url.render_as_string(hide_password=False)
    with read_session(db_engine) as s:
        ids = [s.exec(select(Leader.id).where(Leader.code == c)).one() for c in CODES]
        code_of = {i: c for i, c in zip(ids, CODES, strict=True)}
        revision0 = s.get(AssessmentYear, 2024).revision
    ledger: list[Accepted] = []
    conflicts: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(CLERKS)
    deadline = time.monotonic() + SECONDS
    threads = [
        threading.Thread(target=_clerk, args=(i, url, clerk.user_id, ids, deadline + 1, start,
                                               ledger, conflicts, errors, lock))
        for i in range(CLERKS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == [], f"saves failed other than by conflict: {errors[:3]!r}"
    assert ledger, "no save landed"
    assert conflicts, "20 clerks on 6 sheets never collided: the conflict path was not exercised"

    with read_session(db_engine) as s:
        for sheet in SHEETS:
            accepted = [a for a in ledger if a.sheet == sheet]
            # One chain of versions from the empty sheet: each accepted save started from the
            # version the previous one left; no version was the base of two accepted saves.
            by_base = {a.token_before: a for a in accepted}
            assert len(by_base) == len(accepted), f"{sheet}: two saves accepted on one version"
            chain, token = [], concurrency.EMPTY_TOKEN
            while token in by_base:
                chain.append(by_base[token])
                token = by_base[token].token_after
            assert len(chain) == len(accepted), f"{sheet}: accepted saves do not form one chain"
            stored = s.exec(select(CommitteeScore).where(
                CommitteeScore.year == 2024, CommitteeScore.quarter == QUARTER,
                CommitteeScore.rater == sheet)).all()
            if not chain:
                assert stored == []
                continue
            last = chain[-1]
            assert {code_of[r.leader_id]: {k: getattr(r, k) for k in DUTY_KEYS} for r in stored} == {
                code: dict.fromkeys(DUTY_KEYS, v) for code, v in last.values.items()}
            # every save rewrites all six rows, so each row's version counts the accepted saves
            assert {r.version for r in stored} == {len(chain)}
            assert concurrency.committee_sheet_token(
                s, year=2024, quarter=QUARTER, rater=sheet, leader_ids=ids) == last.token_after
        # each accepted save bumped the revision once and wrote one audit event; refusals nothing
        assert s.get(AssessmentYear, 2024).revision == revision0 + len(ledger)
        audited = s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "committee.save")).one()
        assert audited == len(ledger)
    print(f"\n{db_engine.dialect.name}: {len(ledger)} saves accepted, {len(conflicts)} refused as "
          f"conflicts, {SECONDS:g} s, {CLERKS} clerks")
