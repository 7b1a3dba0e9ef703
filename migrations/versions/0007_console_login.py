"""console login: the tickets of the console's WeChat QR log-in

Revision ID: 0007_console_login
Revises: 0006_console_admin
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_console_login"
down_revision = "0006_console_admin"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "console_ticket",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("user_agent", sa.String(300), nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name="fk_console_ticket_member_id_member",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", name="pk_console_ticket"),
    )
    op.create_index("ix_console_ticket_expires_at", "console_ticket", ["expires_at"])


def downgrade():
    op.drop_index("ix_console_ticket_expires_at", table_name="console_ticket")
    op.drop_table("console_ticket")
