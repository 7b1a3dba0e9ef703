"""wechat: when WeChat last said a member does not follow the public account (43004)

Revision ID: 0012_wechat
Revises: 0011_scope
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_wechat"
down_revision = "0011_scope"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("member", sa.Column("oa_unreachable_since", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("member", "oa_unreachable_since")
