"""A small hand-made region for the entry, auth and app tests (independent of the sample data).

舟曲县 > 南峪乡 > 南峪村 (grid 第一网格: 网格长 NY-G1, 联户长 NY-H1 and NY-H2)
                > 江盘村 (grid 第一网格: 网格长 JP-G1, 联户长 JP-H1)
       > 大川镇 > 南峪村 (same village name in another township; grid 一组: 网格长 DC-G1)

Year 2024 is open (录入中) with the default scheme. Users (password "correct-horse-1"):
admin, assessor (南峪乡/南峪村 only), viewer (南峪乡), official (no township).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from dashboard.data.db import transaction
from dashboard.scoring.scheme import Scheme
from dashboard.services.accounts import create_user
from models import AssessmentYear, County, DefenseGroup, Grid, Leader, Township, User, Village

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
