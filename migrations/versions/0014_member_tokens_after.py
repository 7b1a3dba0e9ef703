"""member.tokens_after: a member's tokens issued before this moment are void (their WeChat moved)

Revision ID: 0014_member_tokens_after
Revises: 0013_binding
"""
from alembic import op
import sqlalchemy as sa

revision = "0014_member_tokens_after"
down_revision = "0013_binding"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("member", sa.Column("tokens_after", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("member", "tokens_after")
