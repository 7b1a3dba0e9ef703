"""no one makes their own points: one appeal per 公示, member and item; a correction beyond the bound waits
for a second organizer

Revision ID: 0010_selfpoints
Revises: 0009_purchase_costs
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_selfpoints"
down_revision = "0009_purchase_costs"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("appeal", sa.Column("proposed_delta", sa.Integer(), nullable=True))
    op.add_column("appeal", sa.Column("proposed_by", sa.String(40), nullable=True))
    op.create_index("uq_appeal_entry", "appeal", ["publicity_id", "member_id", "entry_id"], unique=True,
                    postgresql_where=sa.text("entry_id IS NOT NULL"))
    op.create_index("uq_appeal_rule", "appeal", ["publicity_id", "member_id", "rule_id"], unique=True,
                    postgresql_where=sa.text("entry_id IS NULL"))


def downgrade():
    op.drop_index("uq_appeal_rule", table_name="appeal")
    op.drop_index("uq_appeal_entry", table_name="appeal")
    op.drop_column("appeal", "proposed_by")
    op.drop_column("appeal", "proposed_delta")
