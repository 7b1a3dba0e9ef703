"""purchase costs: an index of each product's purchases, so an order's average cost reads those only

Revision ID: 0009_purchase_costs
Revises: 0008_points_year
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_purchase_costs"
down_revision = "0008_points_year"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_stock_movement_purchases", "stock_movement", ["product_id", "quantity", "unit_cost"],
                    postgresql_where=sa.text("kind = 'purchase'"), sqlite_where=sa.text("kind = 'purchase'"))


def downgrade():
    op.drop_index("ix_stock_movement_purchases", table_name="stock_movement")
