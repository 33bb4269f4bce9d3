"""Security: every write service × every role × signed in or not × in and out of scope.

The expected outcome of each call is written out in TABLE below: A = allowed, D = refused
with PermissionDenied, R = refused by the workbook check (rows outside the user's scope).
Each cell is "in-scope/out-of-scope": the target is H1 (南峪村, the assessor's village) or
X1 (东山村, outside it). Year-level services (scheme, workflow) have no scope: both halves
are the same. Allowed calls on session services are rolled back after they succeed, so
every call meets the same starting state.

Also here: sign-in lockout, session expiry, and formula text neutralised in every export.
"""

from __future__ import annotations

import csv
import inspect
import io
import tomllib
from datetime import UTC, date, datetime, timedelta

import pytest
from factories import build_year, zip_bomb
from openpyxl import Workbook, load_workbook
from sqlalchemy import update
from sqlmodel import select

from dashboard.data import audit
from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import read_session, transaction
from dashboard.data.export.award_book import write_award_workbook
from dashboard.data.export.files import write_results_xlsx
from dashboard.data.export.records import write_results_csv
from dashboard.data.filesafety import MAX_UPLOAD_MB
from dashboard.data.queries import assess_year
from dashboard.data.roster import roster_frame
from dashboard.data.sample import seed_sample
from dashboard.data.workbook import (
    ROSTER,
    SELF_REPORT,
    WorkbookRejected,
    build_workbook,
    write_template,
)
from dashboard.domain import DUTIES, DUTY_KEYS
from dashboard.scoring.scheme import Scheme
from dashboard.services import (
    inputs,
    leader_accounts,
    leader_self,
    roster,
    rounds,
    scheme,
    uploads,
    workflow,
)
from dashboard.services import roster as roster_service
from dashboard.services import scheme as scheme_service
from dashboard.services.accounts import create_demo_accounts
from dashboard.services.auth import PermissionDenied, authenticate, hash_password, session_expired
from dashboard.services.uploads import check_upload, import_upload
from models import (
    Adjustment,
    AssessmentYear,
    EvaluationRound,
    Grid,
    Leader,
    Objection,
    ResultSnapshot,
    SelfReport,
    User,
    UserVillage,
    Village,
)

ROLES = ("admin", "assessor", "viewer", "official", "leader", None)

TABLE = """
service                   admin  assessor  viewer  official  leader  anonymous
save_self_report          A/A    A/D       D/D     D/D       D/D     D/D
delete_self_report        A/A    A/D       D/D     D/D       D/D     D/D
save_committee_sheet      A/A    A/D       D/D     D/D       D/D     D/D
save_ballot_sheet         A/A    A/D       D/D     D/D       D/D     D/D
save_ballot_tallies       A/A    A/D       D/D     D/D       D/D     D/D
save_platform_counts      A/A    A/D       D/D     D/D       D/D     D/D
add_adjustment            A/A    A/D       D/D     D/D       D/D     D/D
delete_adjustment         A/A    A/D       D/D     D/D       D/D     D/D
save_leader               A/A    A/D       D/D     D/D       D/D     D/D
retire_leader             A/A    A/D       D/D     D/D       D/D     D/D
import_upload             A/A    A/R       D/D     A/A       D/D     D/D
save_scheme               A/A    D/D       D/D     D/D       D/D     D/D
publish_year              A/A    D/D       D/D     A/A       D/D     D/D
finalize_year             A/A    D/D       D/D     A/A       D/D     D/D
reopen_year               A/A    D/D       D/D     D/D       D/D     D/D
record_objection          A/A    D/D       D/D     A/A       D/D     D/D
answer_objection          A/A    D/D       D/D     A/A       D/D     D/D
open_round                A/A    D/D       D/D     A/A       D/D     D/D
close_round               A/A    D/D       D/D     A/A       D/D     D/D
record_slips_download     A/A    D/D       D/D     A/A       D/D     D/D
review_self_report        A/A    A/D       D/D     D/D       D/D     D/D
submit_own_self_report    D/D    D/D       D/D     D/D       A/A     D/D
create_leader_accounts    A/A    D/D       D/D     D/D       D/D     D/D
"""


def _expected() -> dict[str, dict[str | None, tuple[str, str]]]:
    lines = [line.split() for line in TABLE.strip().splitlines()[1:]]
    return {
        name: {role: tuple(cell.split("/")) for role, cell in zip(ROLES, cells, strict=True)}
        for name, *cells in lines
    }


EXPECTED = _expected()
CODE = {"in": "H1", "out": "X1"}
VILLAGE = {"in": "南峪村", "out": "东山村"}
GRID = {"in": "南峪村第一网格", "out": "东山村第一网格"}


class _Rollback(Exception):
    """Raised after an allowed call so that its writes are undone."""


def _setup(engine) -> dict:
    """The tiny year, one stored account per role (本人: H1), one adjustment, pending own report and round per target."""
    ids = build_year(engine)
    digest = hash_password("password123")  # one argon2 hash for all five accounts
    users = {}
    with transaction(engine) as s:
        for role in ("admin", "assessor", "viewer", "official", "leader"):
            # the 本人 account is H1's own (in scope: his own report; the rows have no other target)
            user = User(username=role, password_hash=digest, role=role,
                        leader_id=ids["H1"] if role == "leader" else None)
            s.add(user)
            s.flush()
            users[role] = user.id
        nanyu = s.exec(select(Village).where(Village.name == "南峪村")).one()
        s.add(UserVillage(user_id=users["assessor"], village_id=nanyu.id))
        adjustments = {}
        for scope, code in CODE.items():
            adj = Adjustment(year=2024, leader_id=ids[code], kind="加分", points=1, reason="表扬")
            s.add(adj)
            s.flush()
            adjustments[scope] = adj.id
            own = s.exec(select(SelfReport).where(SelfReport.leader_id == ids[code])).one()
            own.status = "待确认"  # waiting for review_self_report
            s.add(own)
        round_ids = {}
        for scope, vname in VILLAGE.items():
            village = s.exec(select(Village).where(Village.name == vname)).one()
            rnd = EvaluationRound(year=2024, scope="village", township_id=village.township_id,
                                  village_id=village.id, rater_type="群众代表", slips=1, created_by="admin",
                                  created_at=datetime.now(UTC))
            s.add(rnd)
            s.flush()
            round_ids[scope] = rnd.id
    return {"ids": ids, "users": users, "adjustments": adjustments, "rounds": round_ids}


def _workbook(scope: str) -> bytes:
    """A data workbook whose roster names only the target leader (as stored)."""
    code = CODE[scope]
    wb = Workbook()
    ws = wb.active
    ws.title = "人员名册"
    ws.append(["编号", "姓名", "性别", "职务", "乡镇", "村", "网格", "联防组", "任职日期", "状态"])
    name = {"H1": "马海军", "X1": "赵德明"}[code]
    ws.append([code, name, "男", "联户长", "南峪乡", VILLAGE[scope], GRID[scope], f"{code}联防组",
               date(2020, 3, 1), "在任"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _publish_directly(engine) -> None:
    """Put 2024 in publicity with a period already over (as an admin would)."""
    with read_session(engine) as s:
        admin = s.exec(select(User).where(User.username == "admin")).one()
    workflow.publish_year(engine=engine, user=admin, year=2024, start=date(2025, 1, 1), end=date(2025, 1, 7))


def _reset_year(engine) -> None:
    with transaction(engine) as s:
        s.execute(update(AssessmentYear).values(status="录入中", publicity_start=None, publicity_end=None))
        for snap in s.exec(select(ResultSnapshot)).all():
            s.delete(snap)


# --- the calls ---------------------------------------------------------------------------------


def _session_call(name: str, s, user, scope: str, ctx: dict) -> None:
    code = CODE[scope]
    if name == "save_self_report":
        inputs.save_self_report(session=s, user=user, year=2024, code=code,
                               scores={DUTIES[k]: 90 for k in DUTY_KEYS}, narrative="述职")
    elif name == "delete_self_report":
        inputs.delete_self_report(session=s, user=user, year=2024, code=code)
    elif name == "save_committee_sheet":
        inputs.save_committee_sheet(session=s, user=user, year=2024, quarter=2, rater="李委员",
                                   rows=[{"编号": code, **{DUTIES[k]: 5 for k in DUTY_KEYS}}])
    elif name == "save_ballot_sheet":
        inputs.save_ballot_sheet(session=s, user=user, year=2024, ballot_no="S1", rater_type="群众代表",
                                rows=[{"编号": code, "评价": "称职"}])
    elif name == "save_ballot_tallies":
        inputs.save_ballot_tallies(session=s, user=user, year=2024, rater_type="党员代表",
                                  rows=[{"编号": code, "优秀": 2}])
    elif name == "save_platform_counts":
        inputs.save_platform_counts(session=s, user=user, year=2024, rows=[{"编号": code, "1月": 3}])
    elif name == "add_adjustment":
        inputs.add_adjustment(session=s, user=user, year=2024, code=code, kind="加分", points=1,
                             reason="表扬")
    elif name == "delete_adjustment":
        inputs.delete_adjustment(session=s, user=user, year=2024, adjustment_id=ctx["adjustments"][scope])
    elif name == "save_leader":
        village = s.exec(select(Village).where(Village.name == VILLAGE[scope])).one()
        roster_service.save_leader(session=s, user=user, village_id=village.id, fields={
            "编号": f"N-{scope}", "姓名": "新联户长", "性别": "女", "职务": "联户长",
            "网格": GRID[scope], "联防组": "新组", "任职日期": date(2024, 5, 1)})
    elif name == "retire_leader":
        roster_service.retire_leader(session=s, user=user, code=code)
    elif name == "save_scheme":
        scheme = Scheme.from_dict({**Scheme.default().to_dict(), "bonus_cap": 4})
        scheme_service.save_scheme(session=s, user=user, year=2024, scheme=scheme)
    elif name == "finalize_year":
        workflow.finalize_year(session=s, user=user, year=2024, today=date(2025, 2, 1))
    elif name == "reopen_year":
        workflow.reopen_year(session=s, user=user, year=2024, reason="更正数据")
    elif name == "record_objection":
        workflow.record_objection(session=s, user=user, year=2024, leader_code=code,
                                  raised_by="村民", content="有异议")
    elif name == "answer_objection":
        workflow.answer_objection(session=s, user=user, objection_id=ctx["objection"], answer="已核实")
    elif name == "review_self_report":
        leader_self.review_self_report(session=s, user=user, year=2024, code=code, confirm=True)
    elif name == "submit_own_self_report":
        leader_self.submit_own_self_report(session=s, user=user, year=2024,
                                           scores={DUTIES[k]: 80 for k in DUTY_KEYS}, narrative="本人")
    elif name == "create_leader_accounts":
        village = s.exec(select(Village).where(Village.name == VILLAGE[scope])).one()
        leader_accounts.create_leader_accounts(session=s, user=user, village_id=village.id)
    elif name == "open_round":
        village = s.exec(select(Village).where(Village.name == VILLAGE[scope])).one()
        rounds.open_round(session=s, user=user, year=2024, rater_type="群众代表", slips=2, village_id=village.id)
    elif name == "close_round":
        rounds.close_round(session=s, user=user, round_id=ctx["rounds"][scope])
    elif name == "record_slips_download":
        rounds.record_slips_download(session=s, user=user, round_id=ctx["rounds"][scope], count=2)
    else:  # pragma: no cover - a name in TABLE without a call is a test bug
        raise AssertionError(name)


def _attempt(engine, name: str, role: str | None, scope: str, ctx: dict) -> str:
    """Run one call as `role`; A, D or R, or the unexpected exception's text."""
    try:
        if name in ("import_upload", "publish_year"):
            with read_session(engine) as s:
                user = s.get(User, ctx["users"][role]) if role else None
            if name == "import_upload":
                import_upload(engine=engine, user=user, data=_workbook(scope), year=2024)
            else:
                workflow.publish_year(engine=engine, user=user, year=2024)
                _reset_year(engine)
            return "A"
        with transaction(engine) as s:
            user = s.get(User, ctx["users"][role]) if role else None
            _session_call(name, s, user, scope, ctx)
            raise _Rollback
    except _Rollback:
        return "A"
    except PermissionDenied:
        return "D"
    except WorkbookRejected as exc:
        if all("不在您负责的村内" in e.reason for e in exc.errors):
            return "R"
        return f"rejected: {[str(e) for e in exc.errors][:3]}"
    except Exception as exc:  # noqa: BLE001 - reported as a mismatch
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("service", list(EXPECTED))
def test_service_allows_exactly_the_roles_in_the_table(db_engine, service):
    """Each role, signed in or not, in and out of scope, gets exactly the table's outcome."""
    ctx = _setup(db_engine)
    if service in ("finalize_year", "reopen_year", "record_objection", "answer_objection"):
        _publish_directly(db_engine)
        if service == "answer_objection":
            with transaction(db_engine) as s:
                obj = Objection(year=2024, leader_id=ctx["ids"]["H1"], raised_by="村民", content="有异议",
                                raised_at=datetime.now(UTC), recorded_by="official")
                s.add(obj)
                s.flush()
                ctx["objection"] = obj.id
    with read_session(db_engine) as s:
        revision = s.get(AssessmentYear, 2024).revision
    got, want = {}, {}
    for role in ROLES:
        for half, scope in enumerate(("in", "out")):
            want[(role, scope)] = EXPECTED[service][role][half]
            got[(role, scope)] = _attempt(db_engine, service, role, scope, ctx)
    mismatches = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
    assert mismatches == {}
    if service not in ("import_upload", "publish_year"):
        with read_session(db_engine) as s:  # refused and rolled-back calls left nothing behind
            assert s.get(AssessmentYear, 2024).revision == revision


def test_every_write_service_is_in_the_table():
    """A new write service in entry, scheme_service, uploads, workflow or rounds must be added to TABLE."""

    writers = set()
    for module in (inputs, roster, scheme, uploads, workflow, rounds, leader_self, leader_accounts):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            if name.split("_")[0] in ("save", "delete", "add", "retire", "import", "publish",
                                      "finalize", "reopen", "record", "answer", "open", "close", "review",
                                      "submit", "create"):
                writers.add(name)
    assert writers == set(EXPECTED)


# --- sign-in lockout and session expiry -----------------------------------------------------------


def test_five_wrong_passwords_lock_even_the_right_one(db_engine):
    """After five wrong passwords the right one is refused for 15 minutes, then accepted."""
    _setup(db_engine)
    t0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

    def attempt(password, now):
        with transaction(db_engine) as s:
            return authenticate(session=s, username="assessor", password=password, now=now)

    for i in range(5):
        assert not attempt("wrong", t0 + timedelta(seconds=i)).ok
    locked = attempt("password123", t0 + timedelta(minutes=14))
    assert not locked.ok and "已锁定" in locked.message
    assert attempt("password123", t0 + timedelta(minutes=15, seconds=5)).ok


def test_session_expires_after_idle_limit():
    """A session idle more than 8 hours is expired; one idle 7 h 59 min is not."""
    last = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    assert not session_expired(last, now=last + timedelta(hours=7, minutes=59))
    assert session_expired(last, now=last + timedelta(hours=8, minutes=1))
    assert session_expired(None)


# --- formula text in every export ---------------------------------------------------------------

EVIL = "=HYPERLINK(\"http://evil\",\"点我\")"
TRIGGERS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _xlsx_cells_safe(data: bytes, *, guard: bool = True) -> list[str]:
    """Cells that a spreadsheet would run as a formula (or, with `guard`, text without the ' guard)."""
    bad = []
    book = load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    guard and isinstance(cell.value, str) and cell.value.startswith(TRIGGERS)
                ):
                    bad.append(f"{ws.title}!{cell.coordinate}={cell.value!r}")
    return bad


def _csv_cells_safe(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row
            if cell.startswith(TRIGGERS) and not _is_number(cell)]


def test_formula_text_is_neutralised_in_every_export(db_engine, tmp_path):
    """A leader, place and audit reason typed as formulas come out as text in every file."""
    ctx = _setup(db_engine)
    with transaction(db_engine) as s:
        leader = s.get(Leader, ctx["ids"]["H1"])
        leader.name = EVIL
        village = s.exec(select(Village).where(Village.name == "东山村")).one()
        village.name = "+东山村"
        audit.record(s, username="@admin", action="year.reopen", year=2024, target="-2024",
                     reason=EVIL)
    assessment = assess_year(db_engine, 2024)
    outputs = {}
    for suffix, writer in ((".xlsx", write_results_xlsx), (".csv", write_results_csv)):
        writer(assessment.results, tmp_path / f"results{suffix}")
        outputs[f"results{suffix}"] = (tmp_path / f"results{suffix}").read_bytes()
    write_award_workbook(assessment, year=2024, path=tmp_path / "awards.xlsx")
    outputs["awards.xlsx"] = (tmp_path / "awards.xlsx").read_bytes()
    with read_session(db_engine) as s:
        frame = audit.audit_frame(s)
        write_template(session=s, out=tmp_path / "template.xlsx", year=2024)
    outputs["audit.xlsx"] = audit.export_audit_bytes(frame, "xlsx")
    outputs["audit.csv"] = audit.export_audit_bytes(frame, "csv")
    outputs["template.xlsx"] = (tmp_path / "template.xlsx").read_bytes()

    problems, missing = {}, []
    for name, data in outputs.items():
        if name.endswith(".xlsx"):
            # The template goes back into the importer, so its text cells are stored as text
            # without the ' guard (a string cell is never evaluated); every other file has it.
            bad = _xlsx_cells_safe(data, guard=name != "template.xlsx")
            cells = [c.value for ws in load_workbook(io.BytesIO(data)).worksheets
                     for row in ws.iter_rows() for c in row]
        else:
            bad = _csv_cells_safe(data.decode("utf-8-sig"))
            cells = [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
        if bad:
            problems[name] = bad[:5]
        kept = EVIL if name == "template.xlsx" else "'" + EVIL
        if kept not in cells:  # the text itself is kept
            missing.append(name)
    assert problems == {}
    assert missing == []


# --- uploads that are not workbooks, too large, or zip bombs --------------------------------------


def test_bad_uploads_refused_cleanly_with_chinese_messages(db_engine):
    """Text, an oversized file and a zip bomb are reported as errors; nothing is imported."""


    ctx = _setup(db_engine)
    with read_session(db_engine) as s:
        admin = s.get(User, ctx["users"]["admin"])
        revision = s.get(AssessmentYear, 2024).revision
    uploads = {
        "text": "编号,姓名\nH1,马海军\n".encode(),
        "oversized": b"PK" + b"\0" * (MAX_UPLOAD_MB * 1024 * 1024),
        "zip bomb": zip_bomb(64),
    }
    expected = {"text": "无法作为 Excel 工作簿", "oversized": "超过 20 MB 的上限", "zip bomb": "压缩炸弹"}
    for label, data in uploads.items():
        check = check_upload(engine=db_engine, user=admin, data=data, year=2024)
        assert not check.ok and expected[label] in check.errors[0].reason, label
        with pytest.raises(WorkbookRejected):
            import_upload(engine=db_engine, user=admin, data=data, year=2024)
    with read_session(db_engine) as s:
        assert s.get(AssessmentYear, 2024).revision == revision
    # Streamlit's own upload limit says the same 20 MB.
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB


# --- upload × stored village: one scope rule for every write path ---------------------------------

# (stored village of the leader, village the workbook's 人员名册 gives it) → outcome for the
# assessor of 南峪村. "new" is a leader the database does not have yet.
UPLOAD_PLACES = {
    ("in", "in"): "A",
    ("in", "out"): "R",
    ("out", "in"): "R",  # the escape: a leader of another village pulled into the assessor's
    ("out", "out"): "R",
    ("new", "in"): "A",
    ("new", "out"): "R",
}


def _moving_workbook(code: str, name: str, village: str, self_score: float) -> bytes:
    """A roster naming one leader in `village` and his 个人述职 with every duty `self_score`."""
    wb = Workbook()
    ws = wb.active
    ws.title = "人员名册"
    ws.append(["编号", "姓名", "性别", "职务", "乡镇", "村", "网格", "联防组", "任职日期", "状态"])
    ws.append([code, name, "男", "联户长", "南峪乡", village, f"{village}第一网格", f"{code}联防组",
               date(2020, 3, 1), "在任"])
    report = wb.create_sheet("个人述职")
    report.append(["编号", "姓名", *DUTIES.values()])
    report.append([code, name, *[self_score] * len(DUTIES)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _state(engine) -> list:
    """Everything an upload could change: leaders with their grid, self-reports, revisions."""
    with read_session(engine) as s:
        leaders = sorted((x.code, x.name, x.grid_id, x.group_id) for x in s.exec(select(Leader)).all())
        reports = sorted((r.leader_id, r.year, r.info, r.version) for r in s.exec(select(SelfReport)).all())
        years = sorted((y.year, y.revision) for y in s.exec(select(AssessmentYear)).all())
    return [leaders, reports, years]


@pytest.mark.parametrize(("stored", "written"), list(UPLOAD_PLACES))
def test_upload_checks_stored_and_written_village(db_engine, stored, written):
    """An assessor's upload touches a leader only if his stored and his new village are both in scope."""
    ctx = _setup(db_engine)
    code, name = {"in": ("H1", "马海军"), "out": ("X1", "赵德明"), "new": ("N1", "新人员")}[stored]
    data = _moving_workbook(code, name, VILLAGE[written], 90)
    with read_session(db_engine) as s:
        assessor = s.get(User, ctx["users"]["assessor"])
    before = _state(db_engine)
    check = check_upload(engine=db_engine, user=assessor, data=data, year=2024)
    if UPLOAD_PLACES[(stored, written)] == "R":
        assert not check.ok and check.plan is None
        # Both the roster row and the 个人述职 row are named (sheet, row 2, column).
        assert {(e.sheet, e.row) for e in check.errors} == {("人员名册", 2), ("个人述职", 2)}
        assert all(f"编号 {code}" in e.reason and "不在您负责的村内" in e.reason for e in check.errors)
        with pytest.raises(WorkbookRejected):
            import_upload(engine=db_engine, user=assessor, data=data, year=2024)
        assert _state(db_engine) == before
        return
    assert check.ok, check.errors
    import_upload(engine=db_engine, user=assessor, data=data, year=2024)
    with read_session(db_engine) as s:
        leader = s.exec(select(Leader).where(Leader.code == code)).one()
        assert s.get(Village, s.get(Grid, leader.grid_id).village_id).name == "南峪村"
        report = s.exec(select(SelfReport).where(SelfReport.leader_id == leader.id)).one()
        assert report.info == 90


def test_escape_upload_on_the_sample_is_refused(db_engine):
    """demo-assessor (东山村, 南峪村) cannot move 扎西卓嘎 (NYL010, 江车村) into 南峪村 by upload."""
    seed_sample(engine=db_engine)
    with transaction(db_engine) as s:
        create_demo_accounts(s)
    with read_session(db_engine) as s:
        assessor = s.exec(select(User).where(User.username == "demo-assessor")).one()
        frame = roster_frame(s)
    row = {k: (None if v != v else v) for k, v in frame[frame["编号"] == "NYL010"].iloc[0].to_dict().items()}
    assert (row["姓名"], row["村"]) == ("扎西卓嘎", "江车村")
    row.update({"村": "南峪村", "网格": "南峪村第一网格"})
    book = build_workbook({ROSTER: [row], SELF_REPORT: [{"编号": "NYL010", "姓名": "扎西卓嘎",
                                                          **{c: 100 for c in DUTIES.values()}}]})
    buffer = io.BytesIO()
    book.save(buffer)
    before = _state(db_engine)
    check = check_upload(engine=db_engine, user=assessor, data=buffer.getvalue(), year=2024)
    assert [(e.sheet, e.row, e.column) for e in check.errors] == [("人员名册", 2, "编号"), ("个人述职", 2, "编号")]
    assert check.errors[0].reason == "编号 NYL010（扎西卓嘎）：现属 南峪乡/江车村，不在您负责的村内"
    with pytest.raises(WorkbookRejected):
        import_upload(engine=db_engine, user=assessor, data=buffer.getvalue(), year=2024)
    assert _state(db_engine) == before


def test_page_services_apply_the_same_rule_to_a_move(db_engine):
    """save_leader refuses moving X1 (东山村) into 南峪村 and moving H1 out, naming 编号 and 姓名."""
    ctx = _setup(db_engine)
    fields = {"编号": "X1", "姓名": "赵德明", "性别": "男", "职务": "联户长", "网格": "南峪村第一网格",
              "联防组": "X1联防组", "任职日期": date(2020, 3, 1), "状态": "在任"}
    before = _state(db_engine)
    with transaction(db_engine) as s:
        assessor = s.get(User, ctx["users"]["assessor"])
        with pytest.raises(PermissionDenied, match="编号 X1（赵德明）现属 南峪乡/东山村"):
            roster_service.save_leader(session=s, user=assessor, village_id=ctx["ids"]["village:南峪村"], fields=fields,
                              code="X1")
        with pytest.raises(PermissionDenied, match="编号 H1（马海军）东山村 不在您负责的村内"):
            roster_service.save_leader(session=s, user=assessor, village_id=ctx["ids"]["village:东山村"],
                              fields={**fields, "编号": "H1", "姓名": "马海军"}, code="H1")
        with pytest.raises(PermissionDenied, match="添加「新人员」：东山村 不在您负责的村内"):
            roster_service.save_leader(session=s, user=assessor, village_id=ctx["ids"]["village:东山村"],
                              fields={**fields, "编号": "N1", "姓名": "新人员"})
    assert _state(db_engine) == before
