"""indexes that let the year's aggregation stream in group order

committee_score (year, leader_id, quarter) replaces (year, leader_id): the GROUP BY leader,
quarter of the committee aggregation reads the index in group order, so SQLite needs no
temporary B-tree. ballot_mark (year, leader_id, mark) replaces (year, leader_id): it covers
the mass count per leader and mark, so that query reads the index only. Both new indexes
start with the old columns, so every lookup by year and leader still uses an index.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_committee_year_leader", table_name="committee_score")
    op.create_index(
        "ix_committee_year_leader_quarter", "committee_score", ["year", "leader_id", "quarter"]
    )
    op.drop_index("ix_ballot_year_leader", table_name="ballot_mark")
    op.create_index("ix_ballot_year_leader_mark", "ballot_mark", ["year", "leader_id", "mark"])


def downgrade() -> None:
    op.drop_index("ix_ballot_year_leader_mark", table_name="ballot_mark")
    op.create_index("ix_ballot_year_leader", "ballot_mark", ["year", "leader_id"])
    op.drop_index("ix_committee_year_leader_quarter", table_name="committee_score")
    op.create_index("ix_committee_year_leader", "committee_score", ["year", "leader_id"])
