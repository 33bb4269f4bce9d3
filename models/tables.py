"""Tables: region tree, leaders, assessment years and the year's inputs (scoring.md, workbook.md).

Constraints live in the schema (unique keys, ranges, foreign keys), not only in Python.
Upper bounds of committee scores depend on the year's scheme (role_max), so the schema
only checks them to be non-negative; the importer and services check the rubric maxima.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True):
    return Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
        ),
    )


# --- region tree: county > township > village > grid > joint-defense group ---------------


class County(SQLModel, table=True):
    """县."""

    __tablename__ = "county"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)


class Township(SQLModel, table=True):
    """乡镇."""

    __tablename__ = "township"
    __table_args__ = (UniqueConstraint("county_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    county_id: int = _fk("county.id")
    name: str = Field(max_length=64)


class Village(SQLModel, table=True):
    """行政村: identified by (township, name)."""

    __tablename__ = "village"
    __table_args__ = (UniqueConstraint("township_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    township_id: int = _fk("township.id")
    name: str = Field(max_length=64)


class Grid(SQLModel, table=True):
    """网格."""

    __tablename__ = "grid"
    __table_args__ = (UniqueConstraint("village_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    village_id: int = _fk("village.id")
    name: str = Field(max_length=64)


class DefenseGroup(SQLModel, table=True):
    """联防组 (about 10–30 households)."""

    __tablename__ = "defense_group"
    __table_args__ = (UniqueConstraint("grid_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    grid_id: int = _fk("grid.id")
    name: str = Field(max_length=64)


# --- leaders ------------------------------------------------------------------------------


class LeaderBase(SQLModel):
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=64)
    gender: str = Field(max_length=2)
    ethnicity: str | None = Field(default=None, max_length=32)
    role: str = Field(max_length=8)
    phone: str | None = Field(default=None, max_length=32)
    appointed_on: date
    status: str = Field(default="在任", max_length=8)


class Leader(LeaderBase, table=True):
    """网格长 or 联户长; a 联户长 sits in a joint-defense group, a 网格长 leads a grid."""

    __tablename__ = "leader"
    __table_args__ = (
        CheckConstraint("role IN ('网格长', '联户长')", name="ck_leader_role"),
        CheckConstraint("status IN ('在任', '离任')", name="ck_leader_status"),
        CheckConstraint("gender IN ('男', '女')", name="ck_leader_gender"),
        CheckConstraint(
            "(role = '网格长' AND group_id IS NULL) OR (role = '联户长' AND group_id IS NOT NULL)",
            name="ck_leader_group_by_role",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    grid_id: int = _fk("grid.id", ondelete="RESTRICT")
    group_id: int | None = _fk("defense_group.id", nullable=True, ondelete="RESTRICT")


# --- assessment years and their inputs ----------------------------------------------------


class AssessmentYear(SQLModel, table=True):
    """One assessment year: its scheme (JSON, scheme.md), workflow status and data revision."""

    __tablename__ = "assessment_year"
    __table_args__ = (
        CheckConstraint("status IN ('录入中', '公示中', '已定稿')", name="ck_year_status"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_year_range"),
        CheckConstraint("revision >= 0", name="ck_year_revision"),
    )
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    scheme_json: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="录入中", max_length=8)
    revision: int = Field(default=0)
    publicity_start: date | None = None
    publicity_end: date | None = None


def _year_fk():
    return _fk("assessment_year.year")


def _leader_fk():
    return _fk("leader.id")


_DUTY_RANGE_SELF = tuple(
    CheckConstraint(f"{k} >= 0 AND {k} <= 100", name=f"ck_self_{k}")
    for k in ("info", "service", "publicity", "mediation", "sanitation", "patrol", "unity")
)
_DUTY_RANGE_COMMITTEE = tuple(
    CheckConstraint(f"{k} >= 0", name=f"ck_committee_{k}")
    for k in ("info", "service", "publicity", "mediation", "sanitation", "patrol", "unity")
)


class DutyScores(SQLModel):
    """One score per duty of the 七大员 (keys of dashboard.domain.DUTIES)."""

    info: float
    service: float
    publicity: float
    mediation: float
    sanitation: float
    patrol: float
    unity: float


class SelfReport(DutyScores, table=True):
    """个人述职: the leader's own rating of each duty (0–100) and a narrative."""

    __tablename__ = "self_report"
    __table_args__ = (
        UniqueConstraint("year", "leader_id"),
        CheckConstraint("status IN ('已确认', '待确认', '已退回')", name="ck_self_status"),
        *_DUTY_RANGE_SELF,
    )
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    leader_id: int = _leader_fk()
    narrative: str | None = Field(default=None, max_length=2000)
    # A leader's own report waits (待确认) for the village's assessor; only 已确认 counts.
    # Rows typed or imported by clerks are confirmed as they are saved.
    status: str = Field(default="已确认", max_length=8, sa_column_kwargs={"server_default": "已确认"})
    review_note: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


class CommitteeScore(DutyScores, table=True):
    """村两委量化打分: one committee member's scores for one leader in one quarter."""

    __tablename__ = "committee_score"
    __table_args__ = (
        UniqueConstraint("year", "quarter", "rater", "leader_id"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_committee_quarter"),
        Index("ix_committee_year_leader_quarter", "year", "leader_id", "quarter"),  # GROUP BY leader, quarter
        *_DUTY_RANGE_COMMITTEE,
    )
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    quarter: int
    rater: str = Field(max_length=64)
    leader_id: int = _leader_fk()
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


class CommitteeMember(SQLModel, table=True):
    """两委成员: one member of a village committee in one year (the raters of 两委打分)."""

    __tablename__ = "committee_member"
    __table_args__ = (UniqueConstraint("year", "village_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    village_id: int = _fk("village.id")
    # Stored without spaces (dashboard.data.validation.parse_name): 「测试 委员」 is 「测试委员」.
    name: str = Field(max_length=64)
    post: str = Field(default="委员", max_length=16)


class CommitteeDraft(SQLModel, table=True):
    """草稿: a committee member's partly filled sheet; counts in no result until saved complete.

    Kept apart from committee_score so that no query of the results can ever read a draft.
    """

    __tablename__ = "committee_draft"
    __table_args__ = (UniqueConstraint("year", "quarter", "rater", "leader_id"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    quarter: int
    rater: str = Field(max_length=64)
    leader_id: int = _leader_fk()
    info: float | None = None
    service: float | None = None
    publicity: float | None = None
    mediation: float | None = None
    sanitation: float | None = None
    patrol: float | None = None
    unity: float | None = None
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


class BallotMark(SQLModel, table=True):
    """群众评议: one mark for one leader on one ballot sheet (测评票)."""

    __tablename__ = "ballot_mark"
    __table_args__ = (
        UniqueConstraint("year", "ballot_no", "leader_id"),
        CheckConstraint("mark IN ('优秀', '称职', '基本称职', '不称职', '弃权')", name="ck_ballot_mark"),
        Index("ix_ballot_year_leader_mark", "year", "leader_id", "mark"),  # covers the mass count
    )
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    ballot_no: str = Field(max_length=64)
    rater_type: str = Field(max_length=32)
    leader_id: int = _leader_fk()
    mark: str = Field(max_length=8)


class PlatformCount(SQLModel, table=True):
    """综治E通上报: a leader's report count for one month."""

    __tablename__ = "platform_count"
    __table_args__ = (
        UniqueConstraint("year", "leader_id", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_platform_month"),
        CheckConstraint("reports >= 0", name="ck_platform_reports"),
    )
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    leader_id: int = _leader_fk()
    month: int
    reports: int


class Adjustment(SQLModel, table=True):
    """加减分: 加分 / 减分 with points > 0, or 一票否决 (veto) without points."""

    __tablename__ = "adjustment"
    __table_args__ = (
        CheckConstraint("kind IN ('加分', '减分', '一票否决')", name="ck_adjustment_kind"),
        CheckConstraint(
            "(kind = '一票否决' AND points IS NULL) OR (kind <> '一票否决' AND points > 0)",
            name="ck_adjustment_points",
        ),
        Index("ix_adjustment_year_leader", "year", "leader_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    leader_id: int = _leader_fk()
    kind: str = Field(max_length=8)
    points: float | None = None
    reason: str = Field(max_length=500)


class PriorGrade(SQLModel, table=True):
    """往年等次: a leader's imported grade for an earlier year."""

    __tablename__ = "prior_grade"
    __table_args__ = (
        UniqueConstraint("leader_id", "year"),
        CheckConstraint("grade IN ('优秀', '称职', '基本称职', '不称职')", name="ck_prior_grade"),
    )
    id: int | None = Field(default=None, primary_key=True)
    leader_id: int = _leader_fk()
    year: int
    grade: str = Field(max_length=8)


class ResultSnapshot(SQLModel, table=True):
    """Frozen results of a year at publicity (公示) and final (定稿): the official record."""

    __tablename__ = "result_snapshot"
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    created_at: datetime
    created_by: str = Field(max_length=64)
    scheme_json: str = Field(sa_column=Column(Text, nullable=False))
    results_json: str = Field(sa_column=Column(Text, nullable=False))


# --- accounts and audit -------------------------------------------------------------------


class User(SQLModel, table=True):
    """A local account: 管理员 admin, 评分员 assessor, 查看 viewer, 官员 official, 本人 leader."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'assessor', 'viewer', 'official', 'leader')", name="ck_user_role"),
        CheckConstraint("failed_logins >= 0", name="ck_user_failed"),
        CheckConstraint("(role = 'leader') = (leader_id IS NOT NULL)", name="ck_user_leader"),
    )
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)
    display_name: str | None = Field(default=None, max_length=64)
    township_id: int | None = _fk("township.id", nullable=True, ondelete="SET NULL")
    is_demo: bool = Field(default=False)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = None
    created_at: datetime | None = None
    # A disabled account cannot sign in; disabling it ends its sessions.
    disabled_at: datetime | None = None
    # A 本人 account is one leader's own; it sees and writes only that leader's inputs.
    leader_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("leader.id", ondelete="CASCADE"), nullable=True, unique=True),
    )
    # Set for accounts made with a printed one-time password: the first sign-in must replace it.
    must_change_password: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class UserVillage(SQLModel, table=True):
    """The villages an assessor may enter scores for."""

    __tablename__ = "user_village"
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    )
    village_id: int = Field(
        sa_column=Column(Integer, ForeignKey("village.id", ondelete="CASCADE"), primary_key=True)
    )


class LoginSession(SQLModel, table=True):
    """A signed-in browser session: only SHA-256 hashes of its cookie token and exchange ticket.

    The row is made at sign-in with a one-time ticket; the browser trades the ticket for the
    cookie token at the app's own route. Revoked rows stay until they are past every limit.
    """

    __tablename__ = "login_session"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _fk("app_user.id")
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    ticket_expires_at: datetime | None = None
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """Audit trail: who did what when, old and new value, reason."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    username: str = Field(max_length=64, index=True)
    action: str = Field(max_length=64, index=True)
    year: int | None = Field(default=None, index=True)
    target: str | None = Field(default=None, max_length=200)
    old_value: str | None = Field(default=None, sa_column=Column(Text))
    new_value: str | None = Field(default=None, sa_column=Column(Text))
    reason: str | None = Field(default=None, sa_column=Column(Text))


class Objection(SQLModel, table=True):
    """异议: an objection raised during publicity (公示) against a leader's result, and its answer."""

    __tablename__ = "objection"
    __table_args__ = (
        CheckConstraint(
            "(answer IS NULL AND answered_by IS NULL AND answered_at IS NULL)"
            " OR (answer IS NOT NULL AND answered_by IS NOT NULL AND answered_at IS NOT NULL)",
            name="ck_objection_answer",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    leader_id: int = _leader_fk()
    raised_by: str = Field(max_length=64)
    content: str = Field(sa_column=Column(Text, nullable=False))
    raised_at: datetime
    recorded_by: str = Field(max_length=64)
    answer: str | None = Field(default=None, sa_column=Column(Text))
    answered_by: str | None = Field(default=None, max_length=64)
    answered_at: datetime | None = None


# --- online mass evaluation: rounds and one-time codes -------------------------------------


class EvaluationRound(SQLModel, table=True):
    """评议批次: one online mass evaluation of a village (or every village of a township).

    A township round issues its number of slips for each of its villages.
    """

    __tablename__ = "evaluation_round"
    __table_args__ = (
        CheckConstraint("scope IN ('village', 'township')", name="ck_round_scope"),
        CheckConstraint("status IN ('open', 'closed')", name="ck_round_status"),
        CheckConstraint("slips > 0", name="ck_round_slips"),
        CheckConstraint(
            "(scope = 'village' AND village_id IS NOT NULL) OR (scope = 'township' AND village_id IS NULL)",
            name="ck_round_scope_village",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    year: int = _year_fk()
    scope: str = Field(max_length=16)
    township_id: int = _fk("township.id")
    village_id: int | None = _fk("village.id", nullable=True)
    rater_type: str = Field(max_length=32)
    slips: int
    status: str = Field(default="open", max_length=8)
    created_by: str = Field(max_length=64)
    created_at: datetime
    closed_by: str | None = Field(default=None, max_length=64)
    closed_at: datetime | None = None


class VoteCode(SQLModel, table=True):
    """A one-time voting code (评议码): only its SHA-256 and whether it was used.

    Deliberately nothing that points at a vote: no ballot number, no time of use.
    """

    __tablename__ = "vote_code"
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = _fk("evaluation_round.id")
    village_id: int = _fk("village.id", index=False)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    spent: bool = Field(default=False)
