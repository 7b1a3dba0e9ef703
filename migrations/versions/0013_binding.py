"""binding: SMS codes and one-time binding codes (绑定码) that prove who binds a WeChat to a member

Revision ID: 0013_binding
Revises: 0012_wechat
"""
from alembic import op
import sqlalchemy as sa

revision = "0013_binding"
down_revision = "0012_wechat"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sms_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sms_code"),
    )
    op.create_index("ix_sms_code_phone", "sms_code", ["phone"])
    op.create_table(
        "binding_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.String(40), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name="fk_binding_code_member_id_member",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_binding_code"),
        sa.UniqueConstraint("digest", name="uq_binding_code_digest"),
    )
    op.create_index("ix_binding_code_member_id", "binding_code", ["member_id"])


def downgrade():
    op.drop_index("ix_binding_code_member_id", table_name="binding_code")
    op.drop_table("binding_code")
    op.drop_index("ix_sms_code_phone", table_name="sms_code")
    op.drop_table("sms_code")
