"""console admin: an organisation can be retired (kept for history, hidden from the tree)

Revision ID: 0006_console_admin
Revises: 0004_notify (0005_audit once it lands)
"""
import os

from alembic import op
import sqlalchemy as sa

revision = "0006_console_admin"
# 0005_audit is written at the same time by another engineer; chain after it when it is there,
# so that there is one head either way.
down_revision = "0005_audit" if os.path.exists(os.path.join(os.path.dirname(__file__), "0005_audit.py")) else "0004_notify"
branch_labels = None
depends_on = None


def upgrade():
    # Retired organisations stay in the table: members' history, awards and reports still point at them.
    op.add_column("org", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    op.drop_column("org", "active")
