"""objections raised during publicity (异议)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("raised_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("raised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "(answer IS NULL AND answered_by IS NULL AND answered_at IS NULL)"
            " OR (answer IS NOT NULL AND answered_by IS NOT NULL AND answered_at IS NOT NULL)",
            name="ck_objection_answer",
        ),
        sa.ForeignKeyConstraint(["leader_id"], ["leader.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["year"], ["assessment_year.year"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objection_year"), ["year"], unique=False)
        batch_op.create_index(batch_op.f("ix_objection_leader_id"), ["leader_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_leader_id"))
        batch_op.drop_index(batch_op.f("ix_objection_year"))
    op.drop_table("objection")
