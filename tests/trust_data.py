"""A tiny township year for the workflow, backup, concurrency and security tests.

One village 南峪村 with one grid: grid leader G1 and household leaders H1–H5, each in its own
joint-defense group; a second village 东山村 with household leader X1 (for scope tests).
Year `year` with the default scheme, no platform records (so that component is not in use):

- self-report: all seven duties 100 → self = 100 for everybody;
- five ballots 优秀 each → n = 5 ≥ trim threshold, mean of the middle three = 100;
- one committee member 张委员 in quarter 1 scores role r as role_max[r] × p, so the quarter
  total is 100 × p: G1 p = 1.00, H1 0.95, H2 0.90, H3 0.80, H4 0.70, H5 0.60, X1 0.50.

base = (0.1 × 100 + 0.3 × 100 + 0.5 × c) / 0.9 = (40 + 0.5 c) / 0.9, so
G1 100.00 优秀; H1 87.5/0.9 = 97.22 优秀; H2 85/0.9 = 94.44 优秀; H3 80/0.9 = 88.89 称职;
H4 75/0.9 = 83.33 称职; H5 70/0.9 = 77.78 称职; X1 65/0.9 = 72.22 基本称职.
Household-leader award quota per township: floor(0.2 × 6) = 1 → H1 only.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

from openpyxl import Workbook
from sqlmodel import select

from dashboard.data.db import transaction
from dashboard.domain import DUTY_KEYS
from dashboard.scoring.scheme import Scheme
from dashboard.services.auth import SignedInUser, hash_password
from models import (
    AssessmentYear,
    BallotMark,
    CommitteeScore,
    County,
    DefenseGroup,
    Grid,
    Leader,
    SelfReport,
    Township,
    User,
    UserVillage,
    Village,
)

ROLE_MAX = Scheme.default().role_max
COMMITTEE_SHARE = {"G1": 1.00, "H1": 0.95, "H2": 0.90, "H3": 0.80, "H4": 0.70, "H5": 0.60, "X1": 0.50}
NAMES = {"G1": "杨卓玛", "H1": "马海军", "H2": "才让东智", "H3": "李秀兰", "H4": "王建国",
         "H5": "拉毛草", "X1": "赵德明"}
RATER = "张委员"


def committee_values(code: str) -> dict[str, float]:
    share = COMMITTEE_SHARE[code]
    return {k: ROLE_MAX[k] * share for k in DUTY_KEYS}


def build_region(engine) -> dict[str, int]:
    """The region tree and the seven leaders; returns code → leader id (and village ids)."""
    ids: dict[str, int] = {}
    with transaction(engine) as s:
        county = County(name="舟曲县")
        s.add(county)
        s.flush()
        town = Township(county_id=county.id, name="南峪乡")
        s.add(town)
        s.flush()
        for vname, codes in (("南峪村", ["G1", "H1", "H2", "H3", "H4", "H5"]), ("东山村", ["X1"])):
            village = Village(township_id=town.id, name=vname)
            s.add(village)
            s.flush()
            ids[f"village:{vname}"] = village.id
            grid = Grid(village_id=village.id, name=f"{vname}第一网格")
            s.add(grid)
            s.flush()
            for code in codes:
                group_id = None
                if code != "G1":
                    group = DefenseGroup(grid_id=grid.id, name=f"{code}联防组")
                    s.add(group)
                    s.flush()
                    group_id = group.id
                leader = Leader(
                    code=code, name=NAMES[code], gender="女" if code in ("G1", "H3", "H5") else "男",
                    role="网格长" if code == "G1" else "联户长", grid_id=grid.id, group_id=group_id,
                    appointed_on=date(2020, 3, 1),
                )
                s.add(leader)
                s.flush()
                ids[code] = leader.id
    return ids


def add_year(engine, year: int, ids: dict[str, int], *, shares: dict[str, float] | None = None) -> None:
    """Year `year` (录入中) with the inputs described in the module docstring."""
    shares = shares or COMMITTEE_SHARE
    with transaction(engine) as s:
        s.add(AssessmentYear(year=year, scheme_json=Scheme.default().to_json()))
        s.flush()
        for code, share in shares.items():
            lid = ids[code]
            s.add(SelfReport(year=year, leader_id=lid, narrative="本年度工作总结",
                             **{k: 100.0 for k in DUTY_KEYS}))
            s.add(CommitteeScore(year=year, quarter=1, rater=RATER, leader_id=lid,
                                 **{k: ROLE_MAX[k] * share for k in DUTY_KEYS}))
            for n in range(1, 6):
                s.add(BallotMark(year=year, ballot_no=f"P{n:03d}", rater_type="群众代表",
                                 leader_id=lid, mark="优秀"))


def build_year(engine, year: int = 2024) -> dict[str, int]:
    ids = build_region(engine)
    add_year(engine, year, ids)
    return ids


def make_user(engine, username: str, role: str, *, villages: tuple[str, ...] = ()) -> SignedInUser:
    """A stored account (password "password123") and the signed-in user the app would hold."""
    with transaction(engine) as s:
        user = User(username=username, password_hash=hash_password("password123"), role=role,
                    display_name=username)
        s.add(user)
        s.flush()
        for vname in villages:
            village = s.exec(select(Village).where(Village.name == vname)).one()
            s.add(UserVillage(user_id=user.id, village_id=village.id))
        return SignedInUser(user_id=user.id, username=username, role=role, display_name=username)


def real_workbook() -> bytes:
    """A minimal genuine .xlsx made by openpyxl."""
    wb = Workbook()
    wb.active.title = "人员名册"
    wb.active.append(["编号", "姓名"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bomb(expanded_mb: int = 64) -> bytes:
    """A .xlsx whose sheet XML expands to `expanded_mb` MB of blanks (about 1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        real = zipfile.ZipFile(io.BytesIO(real_workbook()))
        for info in real.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, real.read(info.filename))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b" " * (1024 * 1024)
            for _ in range(expanded_mb):
                part.write(chunk)
    return buf.getvalue()
