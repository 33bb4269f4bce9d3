"""committee members per village and year, and committee sheet drafts

committee_member lists the 两委成员 of a village in a year (name without spaces, post such as
书记/主任/委员); the 两委打分 page picks the rater from it. committee_draft holds a member's
partly filled sheet: it is a separate table so that no result query can read a draft; saving the
complete sheet removes the member's draft rows.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DUTY_KEYS = ("info", "service", "publicity", "mediation", "sanitation", "patrol", "unity")


def upgrade() -> None:
    op.create_table(
        "committee_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("post", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["year"], ["assessment_year.year"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "village_id", "name"),
    )
    with op.batch_alter_table("committee_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_member_year"), ["year"], unique=False)
        batch_op.create_index(batch_op.f("ix_committee_member_village_id"), ["village_id"], unique=False)
    op.create_table(
        "committee_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("rater", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        *(sa.Column(key, sa.Float(), nullable=True) for key in DUTY_KEYS),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["year"], ["assessment_year.year"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["leader_id"], ["leader.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "quarter", "rater", "leader_id"),
    )
    with op.batch_alter_table("committee_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_draft_year"), ["year"], unique=False)
        batch_op.create_index(batch_op.f("ix_committee_draft_leader_id"), ["leader_id"], unique=False)


def downgrade() -> None:
    op.drop_table("committee_draft")
    op.drop_table("committee_member")
