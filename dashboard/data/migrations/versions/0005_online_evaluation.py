"""online mass evaluation (rounds, one-time codes) and leaders' own accounts and self-reports

evaluation_round is one online evaluation of a village or of every village of a township.
vote_code holds, per slip, only the SHA-256 of its code and whether it was used: no
column points at the ballot marks a code produced, and no time of use is kept.

app_user gains the role 'leader' (本人) with the one leader it belongs to, and the flag that a
printed one-time password must be replaced at the first sign-in. self_report gains a status:
rows already stored were typed or imported by clerks and count as confirmed (已确认).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluation_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("rater_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("slips", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("scope IN ('village', 'township')", name="ck_round_scope"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_round_status"),
        sa.CheckConstraint("slips > 0", name="ck_round_slips"),
        sa.CheckConstraint(
            "(scope = 'village' AND village_id IS NOT NULL) OR (scope = 'township' AND village_id IS NULL)",
            name="ck_round_scope_village",
        ),
        sa.ForeignKeyConstraint(["year"], ["assessment_year.year"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["township_id"], ["township.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evaluation_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_round_year"), ["year"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_round_township_id"), ["township_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_round_village_id"), ["village_id"], unique=False)
    op.create_table(
        "vote_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("spent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["evaluation_round.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vote_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_code_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_code_code_hash"), ["code_hash"], unique=True)


    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leader_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_unique_constraint(batch_op.f("uq_app_user_leader_id"), ["leader_id"])
        batch_op.create_foreign_key("fk_app_user_leader_id", "leader", ["leader_id"], ["id"], ondelete="CASCADE")
        batch_op.drop_constraint("ck_user_role", type_="check")
        batch_op.create_check_constraint("ck_user_role", "role IN ('admin', 'assessor', 'viewer', 'official', 'leader')")
        batch_op.create_check_constraint("ck_user_leader", "(role = 'leader') = (leader_id IS NOT NULL)")
    with op.batch_alter_table("self_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8),
                                      server_default="已确认", nullable=False))
        batch_op.add_column(sa.Column("review_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.create_check_constraint("ck_self_status", "status IN ('已确认', '待确认', '已退回')")


def downgrade() -> None:
    with op.batch_alter_table("self_report", schema=None) as batch_op:
        batch_op.drop_constraint("ck_self_status", type_="check")
        batch_op.drop_column("review_note")
        batch_op.drop_column("status")
    op.execute("DELETE FROM app_user WHERE role = 'leader'")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint("ck_user_leader", type_="check")
        batch_op.drop_constraint("ck_user_role", type_="check")
        batch_op.create_check_constraint("ck_user_role", "role IN ('admin', 'assessor', 'viewer', 'official')")
        batch_op.drop_constraint("fk_app_user_leader_id", type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_app_user_leader_id"), type_="unique")
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("leader_id")
    op.drop_table("vote_code")
    op.drop_table("evaluation_round")
