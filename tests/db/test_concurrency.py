"""Conflicting edits: a stale sheet is refused with the other user's values; nothing is lost."""

from __future__ import annotations

import threading

import pytest
from factories import build_year, make_user
from sqlmodel import select

from dashboard.data.db import make_engine, read_session, transaction
from dashboard.domain import DUTIES, DUTY_KEYS
from dashboard.services import concurrency
from dashboard.services.concurrency import ConflictError
from dashboard.services.inputs import save_ballot_sheet, save_committee_sheet, save_self_report
from models import BallotMark, CommitteeScore, Leader, SelfReport, User

SHEET_CODES = ["G1", "H1", "H2", "H3", "H4", "H5"]  # 南峪村's leaders: one sheet


def _ids(engine, codes):
    with read_session(engine) as s:
        return [s.exec(select(Leader.id).where(Leader.code == c)).one() for c in codes]


def _rows(points: float, codes=SHEET_CODES):
    # every duty gets `points`; all role maxima are ≥ 10 so 0–10 is always valid
    return [{"编号": c, **{DUTIES[k]: points for k in DUTY_KEYS}} for c in codes]


def _token(engine, *, quarter=2, rater="李委员", codes=SHEET_CODES):
    with read_session(engine) as s:
        return concurrency.committee_sheet_token(
            s, year=2024, quarter=quarter, rater=rater, leader_ids=_ids(engine, codes))


def _save(engine, signed, token, points, *, quarter=2, rater="李委员"):
    with transaction(engine) as s:
        user = s.get(User, signed.user_id)
        return save_committee_sheet(session=s, user=user, year=2024, quarter=quarter, rater=rater,
                                    rows=_rows(points), expected_token=token)


def test_second_save_of_a_stale_committee_sheet_is_refused(db_engine):
    """Two clerks load the same sheet; the first save lands, the second is refused with its values."""
    build_year(db_engine)
    alice = make_user(db_engine, "alice", "assessor", villages=("南峪村",))
    bob = make_user(db_engine, "bob", "assessor", villages=("南峪村",))
    loaded = _token(db_engine)
    assert loaded == concurrency.EMPTY_TOKEN  # a new sheet
    _save(db_engine, alice, loaded, 8.0)
    with pytest.raises(ConflictError) as caught:
        _save(db_engine, bob, loaded, 3.0)
    err = caught.value
    assert "已被其他用户修改（alice）" in err.message and "本次没有保存" in err.message
    assert [r["编号"] for r in err.current] == SHEET_CODES
    assert {r[DUTIES["info"]] for r in err.current} == {8.0}
    assert {r["修改人"] for r in err.current} == {"alice"}
    with read_session(db_engine) as s:
        stored = s.exec(select(CommitteeScore).where(CommitteeScore.quarter == 2)).all()
    assert {(x.info, x.updated_by, x.version) for x in stored} == {(8.0, "alice", 1)}
    # Bob reloads (fresh token) and saves: accepted, versions bump to 2.
    _save(db_engine, bob, _token(db_engine), 3.0)
    with read_session(db_engine) as s:
        stored = s.exec(select(CommitteeScore).where(CommitteeScore.quarter == 2)).all()
    assert {(x.info, x.updated_by, x.version) for x in stored} == {(3.0, "bob", 2)}


def test_token_changes_when_a_row_is_cleared(db_engine):
    """Clearing one leader's row (all seven blank) changes the sheet's token too."""
    build_year(db_engine)
    alice = make_user(db_engine, "alice", "assessor", villages=("南峪村",))
    _save(db_engine, alice, None, 5.0)
    before = _token(db_engine)
    rows = _rows(5.0)
    rows[0] = {"编号": "G1", **dict.fromkeys((DUTIES[k] for k in DUTY_KEYS), None)}
    with transaction(db_engine) as s:
        save_committee_sheet(session=s, user=s.get(User, alice.user_id), year=2024, quarter=2,
                             rater="李委员", rows=rows, expected_token=before)
    assert _token(db_engine) not in (before, concurrency.EMPTY_TOKEN)


def test_saves_of_different_sheets_do_not_conflict(db_engine):
    """Two committee members' sheets loaded at the same time both save."""
    build_year(db_engine)
    alice = make_user(db_engine, "alice", "assessor", villages=("南峪村",))
    t1, t2 = _token(db_engine, rater="甲委员"), _token(db_engine, rater="乙委员")
    _save(db_engine, alice, t1, 6.0, rater="甲委员")
    _save(db_engine, alice, t2, 7.0, rater="乙委员")
    with read_session(db_engine) as s:
        got = {(x.rater, x.info) for x in s.exec(select(CommitteeScore).where(CommitteeScore.quarter == 2))}
    assert got == {("甲委员", 6.0), ("乙委员", 7.0)}


def test_stale_self_report_is_refused(db_engine):
    """A self-report changed since the form was loaded is refused, showing the stored scores."""
    ids = build_year(db_engine)
    alice = make_user(db_engine, "alice", "assessor", villages=("南峪村",))
    bob = make_user(db_engine, "bob", "admin")
    with read_session(db_engine) as s:
        loaded = concurrency.self_report_token(s, year=2024, leader_id=ids["H1"])

    def save(signed, value):
        with transaction(db_engine) as s:
            save_self_report(session=s, user=s.get(User, signed.user_id), year=2024, code="H1",
                             scores={DUTIES[k]: value for k in DUTY_KEYS}, narrative="改过",
                             expected_token=loaded)

    save(alice, 90.0)
    with pytest.raises(ConflictError) as caught:
        save(bob, 70.0)
    assert caught.value.current[0][DUTIES["unity"]] == 90.0
    assert caught.value.current[0]["修改人"] == "alice"
    with read_session(db_engine) as s:
        report = s.exec(select(SelfReport).where(SelfReport.leader_id == ids["H1"])).one()
    assert (report.unity, report.version) == (90.0, 2)  # built as version 1, one save → 2


def test_stale_ballot_sheet_is_refused(db_engine):
    """Two clerks entering the same ballot number: the second sees the first one's marks."""
    build_year(db_engine)
    alice = make_user(db_engine, "alice", "assessor", villages=("南峪村",))
    bob = make_user(db_engine, "bob", "assessor", villages=("南峪村",))
    with read_session(db_engine) as s:
        loaded = concurrency.ballot_sheet_token(s, year=2024, ballot_no="P900")
    assert loaded == concurrency.EMPTY_TOKEN

    def save(signed, mark):
        with transaction(db_engine) as s:
            save_ballot_sheet(session=s, user=s.get(User, signed.user_id), year=2024,
                              ballot_no="P900", rater_type="群众代表",
                              rows=[{"编号": "H1", "评价": mark}], expected_token=loaded)

    save(alice, "称职")
    with pytest.raises(ConflictError) as caught:
        save(bob, "不称职")
    assert caught.value.current == [{"编号": "H1", "姓名": "马海军", "评价": "称职", "评议人类别": "群众代表"}]
    with read_session(db_engine) as s:
        marks = s.exec(select(BallotMark.mark).where(BallotMark.ballot_no == "P900")).all()
    assert marks == ["称职"]


def test_simultaneous_saves_of_different_sheets_all_land(db_engine):
    """Eight threads, each with its own engine, save eight different sheets at once: all land."""
    build_year(db_engine)
    clerk = make_user(db_engine, "clerk", "admin")
    url = db_engine.url.render_as_string(hide_password=False)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        engine = make_engine(url)
        try:
            token = _token(engine, rater=f"委员{i}")
            start.wait()
            _save(engine, clerk, token, float(i), rater=f"委员{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with read_session(db_engine) as s:
        got = sorted({(x.rater, x.info) for x in s.exec(select(CommitteeScore).where(CommitteeScore.quarter == 2))})
    assert got == [(f"委员{i}", float(i)) for i in range(8)]


def test_stale_sheet_saved_by_the_same_user_says_another_window(db_engine):
    """Alice saves in one tab, then her stale second tab is refused: 「您在另一个窗口」, not 其他用户."""
    build_year(db_engine)
    alice = make_user(db_engine, "alice", "assessor", villages=("南峪村",))
    loaded = _token(db_engine)
    _save(db_engine, alice, loaded, 8.0)
    with pytest.raises(ConflictError) as caught:
        _save(db_engine, alice, loaded, 3.0)
    err = caught.value
    assert "已被您在另一个窗口或标签页中修改" in err.message_for("alice")
    assert "其他用户" not in err.message_for("alice")
    assert "已被其他用户修改（alice）" in err.message_for("bob")
