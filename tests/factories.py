"""The test factories: small hand-made regions and years, built through the app's own tables and
services, independent of the sample data. Every database test seeds through this module.

build_world — three villages, the open year 2024, one user per role (entry, auth, app tests):
    舟曲县 > 南峪乡 > 南峪村 (grid 第一网格: 网格长 NY-G1, 联户长 NY-H1 and NY-H2)
                    > 江盘村 (grid 第一网格: 网格长 JP-G1, 联户长 JP-H1)
           > 大川镇 > 南峪村 (same village name in another township; grid 一组: 网格长 DC-G1)

    Year 2024 is open (录入中) with the default scheme. Users (password "correct-horse-1"):
    admin, assessor (南峪乡/南峪村 only), viewer (南峪乡), official (no township).

build_year — one township year with scores worked by hand (workflow, backup, concurrency,
security tests); build_region and add_year are its parts, make_user a signed-in user:
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

real_workbook and zip_bomb are upload files.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from sqlmodel import select

from dashboard.data.db import transaction
from dashboard.domain import DUTY_KEYS
from dashboard.scoring.scheme import Scheme
from dashboard.services.accounts import create_user
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

PASSWORD = "correct-horse-1"
YEAR = 2024


@dataclass(frozen=True)
class World:
    engine: object
    village_ids: dict[str, int]  # "南峪乡/南峪村" -> id

    def user(self, session, username: str) -> User:
        return session.exec(select(User).where(User.username == username)).one()


def build_world(engine, *, users: bool = True) -> World:
    """Create the region, leaders, the open year 2024 and (optionally) one user per role."""
    village_ids: dict[str, int] = {}
    with transaction(engine) as s:
        county = County(name="舟曲县")
        s.add(county)
        s.flush()
        places = {
            ("南峪乡", "南峪村"): [("NY-G1", "杨卓玛", "女", "网格长", None),
                                 ("NY-H1", "马小军", "男", "联户长", "一组"),
                                 ("NY-H2", "才让草", "女", "联户长", "二组")],
            ("南峪乡", "江盘村"): [("JP-G1", "李明", "男", "网格长", None),
                                 ("JP-H1", "王芳", "女", "联户长", "一组")],
            ("大川镇", "南峪村"): [("DC-G1", "赵强", "男", "网格长", None)],
        }
        towns: dict[str, int] = {}
        for (town, village), leaders in places.items():
            if town not in towns:
                t = Township(county_id=county.id, name=town)
                s.add(t)
                s.flush()
                towns[town] = t.id
            v = Village(township_id=towns[town], name=village)
            s.add(v)
            s.flush()
            village_ids[f"{town}/{village}"] = v.id
            g = Grid(village_id=v.id, name="第一网格")
            s.add(g)
            s.flush()
            for code, name, gender, role, group in leaders:
                group_id = None
                if group:
                    dg = DefenseGroup(grid_id=g.id, name=group)
                    s.add(dg)
                    s.flush()
                    group_id = dg.id
                s.add(Leader(code=code, name=name, gender=gender, role=role, grid_id=g.id,
                             group_id=group_id, appointed_on=date(2020, 3, 1)))
        s.add(AssessmentYear(year=YEAR, scheme_json=Scheme.default().to_json()))
        s.flush()
        if users:
            create_user(session=s, username="admin", password=PASSWORD, role="admin")
            create_user(session=s, username="assessor", password=PASSWORD, role="assessor",
                        villages=["南峪乡/南峪村"])
            create_user(session=s, username="viewer", password=PASSWORD, role="viewer", township="南峪乡")
            create_user(session=s, username="official", password=PASSWORD, role="official")
    return World(engine=engine, village_ids=village_ids)


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
