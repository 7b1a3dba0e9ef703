"""console admin: an organisation can be retired (kept for history, hidden from the tree)

Revision ID: 0006_console_admin
Revises: 0005_audit
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_console_admin"
down_revision = "0005_audit"
branch_labels = None
depends_on = None


def upgrade():
    # Retired organisations stay in the table: members' history, awards and reports still point at them.
    op.add_column("org", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    op.drop_column("org", "active")
