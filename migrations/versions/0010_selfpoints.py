"""no one makes their own points: one appeal per item, and a correction beyond its bound waits for approval

One appeal per 公示, member and item (open or closed); a correction beyond what the item gave or took waits
(pending, proposed_delta, proposed_by) for a second organizer.

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
    twice = op.get_bind().execute(sa.text(
        "SELECT string_agg(id::text, ', ' ORDER BY id) FROM appeal GROUP BY publicity_id, member_id, "
        "coalesce(entry_id, 0), CASE WHEN entry_id IS NULL THEN rule_id END HAVING count(*) > 1")).scalars().all()
    if twice:  # lodged again after an earlier one was resolved, before this rule: an organizer decides which stays
        raise RuntimeError("these appeals name the same item of the same 公示 and member more than once: "
                           + "; ".join(twice) + ". Keep one of each group (the others' outcomes are in the audit "
                           "trail), then run the upgrade again.")
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
