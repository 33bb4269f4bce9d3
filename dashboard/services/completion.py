"""Completion overview 完成情况: which assessed leaders still lack an input, per village.

A leader is assessed in year Y when 在任 and appointed on or before 31 December Y
(scoring.md section 1). For each such leader in the user's scope the table says whether a
self-report exists, how many committee members scored the leader in each quarter, and how
many valid ballot marks (not 弃权) there are against the scheme's ``mass.min_ballots``.
Committee sheets saved as drafts are listed apart (``committee_draft_overview``): a draft counts
in no quarter column until it is saved complete.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from dashboard.data.years import year_scheme
from dashboard.domain import ABSTAIN, ACTIVE, GRID_LEADER, SELF_CONFIRMED
from dashboard.services.auth import village_scope
from models import (
    BallotMark,
    CommitteeDraft,
    CommitteeScore,
    Grid,
    Leader,
    SelfReport,
    Township,
    Village,
)

QUARTER_COLUMNS = ("一季度", "二季度", "三季度", "四季度")
LEADER_COLUMNS = [
    "乡镇", "村", "编号", "姓名", "职务", "个人述职", *QUARTER_COLUMNS, "有效票", "票数达标", "齐全", "缺项",
]
VILLAGE_COLUMNS = [
    "乡镇", "村", "人数", "个人述职", *QUARTER_COLUMNS, "票数达标", "齐全",
]


def leader_completion(*, session: Session, user, year: int) -> pd.DataFrame:
    """One row per assessed leader in the user's scope (LEADER_COLUMNS), by place, role and code.

    个人述职 and 票数达标 and 齐全 are booleans; the quarter columns count committee members
    (评分人) who scored the leader that quarter; 缺项 lists what is missing in Chinese.
    """
    min_ballots = year_scheme(session, year).mass_min_ballots
    scope = village_scope(session=session, user=user)
    query = (
        select(Leader.id, Leader.code, Leader.name, Leader.role, Township.name, Village.name, Grid.name)
        .join(Grid, Grid.id == Leader.grid_id)
        .join(Village, Village.id == Grid.village_id)
        .join(Township, Township.id == Village.township_id)
        .where(Leader.status == ACTIVE, Leader.appointed_on <= date(year, 12, 31))
    )
    if scope is not None:
        query = query.where(Village.id.in_(sorted(scope) or [-1]))
    leaders = session.exec(query).all()
    ids = [row[0] for row in leaders]
    if not ids:
        return pd.DataFrame(columns=LEADER_COLUMNS)

    with_self = set(
        session.exec(select(SelfReport.leader_id).where(SelfReport.year == year, SelfReport.status == SELF_CONFIRMED)).all()
    )
    raters: dict[tuple[int, int], int] = {
        (leader_id, quarter): n
        for leader_id, quarter, n in session.exec(
            select(CommitteeScore.leader_id, CommitteeScore.quarter, func.count(CommitteeScore.id))
            .where(CommitteeScore.year == year)
            .group_by(CommitteeScore.leader_id, CommitteeScore.quarter)
        ).all()
    }
    ballots: dict[int, int] = dict(
        session.exec(
            select(BallotMark.leader_id, func.count(BallotMark.id))
            .where(BallotMark.year == year, BallotMark.mark != ABSTAIN)
            .group_by(BallotMark.leader_id)
        ).all()
    )

    records = []
    for leader_id, code, name, role, township, village, grid in leaders:
        has_self = leader_id in with_self
        quarters = [raters.get((leader_id, q), 0) for q in range(1, 5)]
        valid = ballots.get(leader_id, 0)
        enough = valid >= min_ballots
        missing = []
        if not has_self:
            missing.append("个人述职")
        missing += [f"{QUARTER_COLUMNS[q]}两委打分" for q in range(4) if quarters[q] == 0]
        if not enough:
            missing.append(f"评议票（{valid}/{min_ballots}）")
        records.append(
            {
                "乡镇": township, "村": village, "编号": code, "姓名": name, "职务": role,
                "个人述职": has_self, **dict(zip(QUARTER_COLUMNS, quarters, strict=True)),
                "有效票": valid, "票数达标": enough, "齐全": not missing, "缺项": "、".join(missing),
                "_grid": grid, "_role": role != GRID_LEADER,
            }
        )
    frame = pd.DataFrame(records).sort_values(["乡镇", "村", "_grid", "_role", "编号"])
    return frame[LEADER_COLUMNS].reset_index(drop=True)


def village_completion(leaders: pd.DataFrame) -> pd.DataFrame:
    """Per village: headcount and how many leaders have each input, and are fully complete.

    个人述职, 票数达标 and 齐全 count leaders with that flag; each quarter column counts the
    leaders scored by at least one committee member in that quarter.
    """
    if leaders.empty:
        return pd.DataFrame(columns=VILLAGE_COLUMNS)
    flags = leaders.assign(**{q: leaders[q] > 0 for q in QUARTER_COLUMNS})
    grouped = flags.groupby(["乡镇", "村"], sort=True)
    out = grouped[["个人述职", *QUARTER_COLUMNS, "票数达标", "齐全"]].sum().astype(int)
    out.insert(0, "人数", grouped.size())
    return out.reset_index()[VILLAGE_COLUMNS]


DRAFT_COLUMNS = ["乡镇", "村", "季度", "评分人", "草稿人数"]


def committee_draft_overview(*, session: Session, user, year: int) -> pd.DataFrame:
    """Committee sheets saved as drafts (草稿) in the user's scope: they count in no result yet.

    One row per village, quarter and rater with the number of leaders in the draft.
    """
    scope = village_scope(session=session, user=user)
    query = (
        select(Township.name, Village.name, CommitteeDraft.quarter, CommitteeDraft.rater,
               func.count(CommitteeDraft.id))
        .join(Leader, Leader.id == CommitteeDraft.leader_id)
        .join(Grid, Grid.id == Leader.grid_id)
        .join(Village, Village.id == Grid.village_id)
        .join(Township, Township.id == Village.township_id)
        .where(CommitteeDraft.year == year)
        .group_by(Township.name, Village.name, CommitteeDraft.quarter, CommitteeDraft.rater)
    )
    if scope is not None:
        query = query.where(Village.id.in_(sorted(scope) or [-1]))
    rows = [
        (township, village, QUARTER_COLUMNS[quarter - 1], rater, n)
        for township, village, quarter, rater, n in session.exec(query).all()
    ]
    return pd.DataFrame(sorted(rows), columns=DRAFT_COLUMNS)
