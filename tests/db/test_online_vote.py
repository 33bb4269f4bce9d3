"""Online mass evaluation: rounds, one-time codes, slips, atomic voting, turnout, on both back-ends."""

from __future__ import annotations

import re
import threading

import pytest
import segno
from factories import build_year, make_user
from sqlmodel import select

from dashboard.data.db import read_session, transaction
from dashboard.data.queries import assess_year
from dashboard.services import rounds, voting
from dashboard.services.auth import PermissionDenied
from dashboard.services.workflow import publish_year
from models import AuditEvent, BallotMark, EvaluationRound, User, VoteCode


def _open(engine, username: str, village: str = "东山村", slips: int = 3, **kw) -> rounds.OpenedRound:
    with transaction(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        from models import Village

        vid = s.exec(select(Village.id).where(Village.name == village)).one()
        return rounds.open_round(session=s, user=user, year=2024, rater_type="群众代表", slips=slips,
                                 village_id=vid, **kw)


def _ids(engine) -> dict:
    ids = build_year(engine)
    make_user(engine, "official", "official")
    return ids


def test_round_makes_codes_stored_only_as_hashes(db_engine):
    """Opening a round of 3 makes 3 distinct 10-character codes; the database holds only their SHA-256."""
    _ids(db_engine)
    opened = _open(db_engine, "official")
    codes = [s.code for s in opened.slips]
    assert len(set(codes)) == 3
    assert all(re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}", c) for c in codes)
    with read_session(db_engine) as s:
        stored = s.exec(select(VoteCode)).all()
        text = repr([row.model_dump() for row in stored])
    assert sorted(r.code_hash for r in stored) == sorted(rounds.hash_code(c) for c in codes)
    assert not any(c in text for c in codes)
    assert {r.spent for r in stored} == {False}


def test_code_has_at_least_40_bits():
    """31 symbols to the power 10 is more than 2**40 (49.5 bits)."""
    assert len(rounds.CODE_ALPHABET) ** rounds.CODE_LENGTH > 2**49
    assert not set("01OIL") & set(rounds.CODE_ALPHABET)


def test_slips_sheet_has_each_code_url_and_qr(db_engine, monkeypatch):
    """The sheet has every code (as printed), one QR per slip encoding its URL, on the configured base URL."""
    monkeypatch.setenv(rounds.PUBLIC_URL_ENV, "https://kaoping.example.cn/lianhu")
    _ids(db_engine)
    opened = _open(db_engine, "official", slips=9)
    sheet = rounds.slips_html(opened)
    assert sheet.count("<svg") == 9
    assert sheet.count('class="slip"') == 9
    assert sheet.count("class=\"sheet break\"") == 1  # 8 slips on page 1, a page break, 1 on page 2
    for slip in opened.slips:
        assert rounds.show_code(slip.code) in sheet
        assert slip.url == f"https://kaoping.example.cn/lianhu/vote?c={slip.code}"
        assert segno.make(slip.url, error="m").svg_inline(scale=4, border=2) in sheet
    assert "https://kaoping.example.cn/lianhu/vote<" in sheet
    assert "size: A4" in sheet


def _marks(engine, code: str, mark: str) -> dict[int, str]:
    ballot = voting.open_ballot(engine=engine, code=code)
    return {x.leader_id: mark for x in ballot.leaders}


def test_vote_records_ordinary_marks_and_spends_the_code(db_engine):
    """A vote adds one ballot_mark per leader under a random 票号 with the round's rater type; reuse is refused."""
    ids = _ids(db_engine)
    opened = _open(db_engine, "official")
    code = opened.slips[0].code
    ballot = voting.open_ballot(engine=db_engine, code=code.lower())
    assert [(x.name, x.role) for x in ballot.leaders] == [("赵德明", "联户长")]
    assert voting.cast_vote(engine=db_engine, code=code, marks={ids["X1"]: "称职"}) == 1
    with read_session(db_engine) as s:
        online = s.exec(select(BallotMark).where(BallotMark.ballot_no.like("线上%"))).all()
        spent = s.exec(select(VoteCode.spent)).all()
    assert [(m.leader_id, m.mark, m.rater_type) for m in online] == [(ids["X1"], "称职", "群众代表")]
    assert re.fullmatch(rf"线上{opened.round_id}-[0-9A-F]{{12}}", online[0].ballot_no)
    assert code not in online[0].ballot_no
    assert sorted(spent) == [False, False, True]
    with pytest.raises(voting.VoteRefused, match="已经使用过"):
        voting.cast_vote(engine=db_engine, code=code, marks={ids["X1"]: "优秀"})
    with pytest.raises(voting.VoteRefused, match="已经使用过"):
        voting.open_ballot(engine=db_engine, code=code)


def test_vote_changes_mass_score_as_the_rules_say(db_engine):
    """X1 had 5×优秀; online 称职, 基本称职, 不称职 → n=8, drop 100 and 40, mean(100×4, 80, 60) = 90.00."""
    ids = _ids(db_engine)
    opened = _open(db_engine, "official")
    before = assess_year(db_engine, 2024).results.set_index("code").loc["X1"]
    assert before["mass"] == pytest.approx(100.0)
    for slip, mark in zip(opened.slips, ("称职", "基本称职", "不称职"), strict=True):
        voting.cast_vote(engine=db_engine, code=slip.code, marks={ids["X1"]: mark})
    after = assess_year(db_engine, 2024).results.set_index("code").loc["X1"]
    assert after["ballots"] == 8
    assert after["mass"] == pytest.approx(90.0)
    # base = (0.1 × 100 + 0.3 × 90 + 0.5 × 50) / 0.9 = 62 / 0.9 = 68.89
    assert after["final"] == pytest.approx(68.89)


def test_two_simultaneous_submits_of_one_code_record_one_vote(db_engine):
    """Two threads submit the same code at once: exactly one vote lands, the other is refused."""
    ids = _ids(db_engine)
    code = _open(db_engine, "official", slips=1).slips[0].code
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(mark: str) -> None:
        barrier.wait()
        try:
            voting.cast_vote(engine=db_engine, code=code, marks={ids["X1"]: mark})
            outcomes.append("ok")
        except voting.VoteRefused as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=submit, args=(m,)) for m in ("优秀", "不称职")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["ok", voting.CODE_SPENT])
    with read_session(db_engine) as s:
        online = s.exec(select(BallotMark).where(BallotMark.ballot_no.like("线上%"))).all()
    assert len(online) == 1


def test_incomplete_ballot_is_refused_and_keeps_the_code(db_engine):
    """A ballot missing a leader's mark is refused naming him; the code stays usable."""
    _ids(db_engine)
    code = _open(db_engine, "official", village="南峪村", slips=1).slips[0].code
    marks = _marks(db_engine, code, "优秀")
    dropped = next(iter(marks))
    del marks[dropped]
    with pytest.raises(voting.VoteRefused, match="还有人未选择：网格长杨卓玛"):
        voting.cast_vote(engine=db_engine, code=code, marks=marks)
    with read_session(db_engine) as s:
        assert s.exec(select(VoteCode.spent)).all() == [False]
    assert voting.cast_vote(engine=db_engine, code=code, marks=_marks(db_engine, code, "弃权")) == 6


def test_wrong_code_and_closed_round_are_refused(db_engine):
    """An unknown code gets the one wrong-code message; after closing, a round's codes no longer vote."""
    ids = _ids(db_engine)
    opened = _open(db_engine, "official")
    with pytest.raises(voting.VoteRefused, match="评议码不正确"):
        voting.open_ballot(engine=db_engine, code="ABCDEFGHJK")
    with transaction(db_engine) as s:
        user = s.exec(select(User).where(User.username == "official")).one()
        title = rounds.close_round(session=s, user=user, round_id=opened.round_id)
    assert title == "2024 年度南峪乡东山村群众评议（群众代表）"
    with pytest.raises(voting.VoteRefused, match="已经结束"):
        voting.cast_vote(engine=db_engine, code=opened.slips[0].code, marks={ids["X1"]: "优秀"})
    with read_session(db_engine) as s:
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
        assert s.get(EvaluationRound, opened.round_id).status == "closed"
    assert actions[-2:] == ["round.open", "round.close"]


def test_no_votes_or_rounds_while_the_year_is_published(db_engine):
    """After 发布公示 a code no longer votes and no round can be opened."""
    ids = _ids(db_engine)
    make_user(db_engine, "admin", "admin")
    opened = _open(db_engine, "official")
    with read_session(db_engine) as s:
        admin = s.exec(select(User).where(User.username == "admin")).one()
    publish_year(engine=db_engine, user=admin, year=2024)
    with pytest.raises(voting.VoteRefused, match="公示"):
        voting.cast_vote(engine=db_engine, code=opened.slips[0].code, marks={ids["X1"]: "优秀"})
    from dashboard.data.years import YearClosed

    with pytest.raises(YearClosed):
        _open(db_engine, "official")


def test_turnout_counts_slips_and_ballots_never_marks(db_engine):
    """Turnout: 3 slips, 2 used; X1 has received 2 online ballots; no mark appears in the turnout."""
    ids = _ids(db_engine)
    opened = _open(db_engine, "official")
    for slip in opened.slips[:2]:
        voting.cast_vote(engine=db_engine, code=slip.code, marks={ids["X1"]: "不称职"})
    with read_session(db_engine) as s:
        user = s.exec(select(User).where(User.username == "official")).one()
        per_village, per_leader = rounds.round_turnout(session=s, user=user, round_id=opened.round_id)
        listed = rounds.list_rounds(session=s, user=user, year=2024)
    assert per_village == [{"村": "东山村", "发放": 3, "已投票": 2}]
    assert per_leader == [{"村": "东山村", "编号": "X1", "姓名": "赵德明", "角色": "联户长", "已收到评议票": 2}]
    assert "不称职" not in repr(per_leader)
    assert [(r["发放"], r["已投票"], r["状态"]) for r in listed] == [(3, 2, "进行中")]


def test_township_round_issues_slips_per_village(db_engine):
    """A township round of 2 slips makes 2 codes for each of 南峪乡's two villages."""
    _ids(db_engine)
    with transaction(db_engine) as s:
        user = s.exec(select(User).where(User.username == "official")).one()
        (tid, _), = rounds.scope_townships(session=s, user=user)
        opened = rounds.open_round(session=s, user=user, year=2024, rater_type="党员代表", slips=2,
                                   township_id=tid)
    assert sorted(x.village for x in opened.slips) == ["东山村", "东山村", "南峪村", "南峪村"]
    ballot = voting.open_ballot(engine=db_engine, code=next(x.code for x in opened.slips if x.village == "南峪村"))
    assert len(ballot.leaders) == 6 and ballot.leaders[0].role == "网格长"


def test_scoped_official_cannot_open_a_round_elsewhere(db_engine):
    """An official scoped to another township may not open a round for 东山村; an assessor may not at all."""
    _ids(db_engine)
    make_user(db_engine, "clerk", "assessor", villages=("东山村",))
    with transaction(db_engine) as s:
        from models import County, Township

        county = s.exec(select(County)).one()
        other = Township(county_id=county.id, name="江车乡")
        s.add(other)
        s.flush()
        user = User(username="far", password_hash="x", role="official", township_id=other.id)
        s.add(user)
    with pytest.raises(PermissionDenied, match="不在您的范围内"):
        _open(db_engine, "far")
    with pytest.raises(PermissionDenied, match="评分员"):
        _open(db_engine, "clerk")


def test_limiter_blocks_after_ten_wrong_codes_for_ten_minutes():
    """Ten refused codes within 10 minutes block that client only; 601 s later it may try again."""
    limiter = voting.Limiter()
    for i in range(10):
        assert not limiter.blocked("1.2.3.4", now=100.0 + i)
        limiter.fail("1.2.3.4", now=100.0 + i)
    assert limiter.blocked("1.2.3.4", now=110.0)
    assert not limiter.blocked("5.6.7.8", now=110.0)
    assert not limiter.blocked("1.2.3.4", now=710.0)
