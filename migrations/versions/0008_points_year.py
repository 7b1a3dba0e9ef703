"""points year: declarations, 公示 and appeals, settlement, opening balances, rule versions, memberships

Revision ID: 0008_points_year
Revises: 0007_console_login
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_points_year"
down_revision = "0007_console_login"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
At = sa.DateTime(timezone=True)


def fk(column, target, table):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade():
    with op.batch_alter_table("rule") as batch:
        batch.add_column(sa.Column("declarable", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("ledger_entry") as batch:
        batch.add_column(sa.Column("rule_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("late_correction", sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table(
        "rule_version",
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("cap_period", sa.String(10), nullable=True),
        sa.Column("cap", sa.Integer(), nullable=True),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("declarable", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=True),
        sa.Column("created_at", At, nullable=False),
        fk("rule_id", "rule", "rule_version"),
        sa.PrimaryKeyConstraint("rule_id", "version", name="pk_rule_version"),
    )
    # Every rule so far is its version 1; entries posted before versions existed were posted under it.
    op.execute("INSERT INTO rule_version (rule_id, version, name, points, cap_period, cap, needs_approval, declarable,"
               " created_at) SELECT id, 1, name, points, cap_period, cap, needs_approval, declarable, CURRENT_TIMESTAMP"
               " FROM rule")
    op.execute("UPDATE ledger_entry SET rule_version = 1 WHERE rule_id IS NOT NULL")

    op.create_table(
        "declaration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("entry_id", BigId, nullable=True),
        sa.Column("decided_by", sa.String(40), nullable=True),
        sa.Column("decided_at", At, nullable=True),
        sa.Column("created_at", At, nullable=False),
        sa.Column("updated_at", At, nullable=False),
        fk("member_id", "member", "declaration"), fk("org_id", "org", "declaration"),
        fk("rule_id", "rule", "declaration"), fk("entry_id", "ledger_entry", "declaration"),
        sa.PrimaryKeyConstraint("id", name="pk_declaration"),
        sa.UniqueConstraint("member_id", "rule_id", "occurred_on", name="uq_declaration_item"),
    )
    op.create_index("ix_declaration_member_id", "declaration", ["member_id"])
    op.create_index("ix_declaration_org_status", "declaration", ["org_id", "status"])

    op.create_table(
        "publicity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("opens_at", At, nullable=False),
        sa.Column("closes_at", At, nullable=False),
        sa.Column("published_by", sa.String(40), nullable=False),
        sa.Column("created_at", At, nullable=False),
        fk("org_id", "org", "publicity"),
        sa.PrimaryKeyConstraint("id", name="pk_publicity"),
        sa.UniqueConstraint("org_id", "period", "period_start", name="uq_publicity_period"),
    )
    op.create_index("ix_publicity_org_id", "publicity", ["org_id"])
    op.create_index("ix_publicity_closes_at", "publicity", ["closes_at"])

    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publicity_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", BigId, nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("correction_entry_id", BigId, nullable=True),
        sa.Column("resolved_by", sa.String(40), nullable=True),
        sa.Column("resolved_at", At, nullable=True),
        sa.Column("created_at", At, nullable=False),
        fk("publicity_id", "publicity", "appeal"), fk("member_id", "member", "appeal"),
        fk("entry_id", "ledger_entry", "appeal"), fk("rule_id", "rule", "appeal"),
        sa.ForeignKeyConstraint(["correction_entry_id"], ["ledger_entry.id"],
                                name="fk_appeal_correction_entry_id_ledger_entry"),
        sa.PrimaryKeyConstraint("id", name="pk_appeal"),
        sa.UniqueConstraint("correction_entry_id", name="uq_appeal_correction_entry_id"),
    )
    op.create_index("ix_appeal_publicity_id", "appeal", ["publicity_id"])
    op.create_index("ix_appeal_member_id", "appeal", ["member_id"])

    op.create_table(
        "settlement_policy",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(40), nullable=True),
        sa.Column("updated_at", At, nullable=False),
        fk("org_id", "org", "settlement_policy"),
        sa.PrimaryKeyConstraint("org_id", name="pk_settlement_policy"),
    )

    op.create_table(
        "settlement_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(40), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("members_checked", sa.Integer(), nullable=False),
        sa.Column("members_expired", sa.Integer(), nullable=False),
        sa.Column("points_expired", sa.Integer(), nullable=False),
        sa.Column("started_at", At, nullable=False),
        sa.Column("finished_at", At, nullable=True),
        fk("org_id", "org", "settlement_run"),
        sa.PrimaryKeyConstraint("id", name="pk_settlement_run"),
    )
    op.create_index("ix_settlement_run_year", "settlement_run", ["year"])

    op.create_table(
        "settlement_notice",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("notified_at", At, nullable=False),
        fk("member_id", "member", "settlement_notice"),
        sa.PrimaryKeyConstraint("member_id", "year", name="pk_settlement_notice"),
    )

    op.create_table(
        "opening_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("created_at", At, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_opening_import"),
    )

    op.create_table(
        "opening_balance",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("spendable", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        fk("member_id", "member", "opening_balance"), fk("import_id", "opening_import", "opening_balance"),
        sa.PrimaryKeyConstraint("member_id", name="pk_opening_balance"),
    )
    op.create_index("ix_opening_balance_import_id", "opening_balance", ["import_id"])

    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        fk("member_id", "member", "membership"), fk("org_id", "org", "membership"),
        sa.PrimaryKeyConstraint("id", name="pk_membership"),
    )
    op.create_index("ix_membership_member_id", "membership", ["member_id"])
    op.create_index("ix_membership_org", "membership", ["org_id", "since"])
    # One open membership per member: two transfers at once cannot both leave one open.
    op.create_index("uq_membership_open", "membership", ["member_id"], unique=True,
                    postgresql_where=sa.text("until IS NULL"), sqlite_where=sa.text("until IS NULL"))
    # Everyone belongs to their branch from before the service knew.
    op.execute("INSERT INTO membership (member_id, org_id) SELECT id, org_id FROM member")

    op.create_table(
        "member_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("before", sa.String(100), nullable=False),
        sa.Column("after", sa.String(100), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(40), nullable=True),
        sa.Column("created_at", At, nullable=False),
        fk("member_id", "member", "member_change"),
        sa.PrimaryKeyConstraint("id", name="pk_member_change"),
    )
    op.create_index("ix_member_change_member_id", "member_change", ["member_id"])

    # The points archive (积分档案) pages the ledger newest first by (occurred_at, id), with a keyset cursor:
    # across the scope, one member, one rule, one kind, or the late corrections only (a small partial index).
    op.create_index("ix_ledger_entry_occurred", "ledger_entry", ["occurred_at", "id"])
    # INCLUDE: the score sheet sums a branch's period from this index alone (index-only scans, no heap visits).
    op.create_index("ix_ledger_entry_member_occurred", "ledger_entry", ["member_id", "occurred_at", "id"],
                    postgresql_include=["dimension", "delta_score"])
    op.create_index("ix_ledger_entry_rule_occurred", "ledger_entry", ["rule_id", "occurred_at", "id"])
    op.create_index("ix_ledger_entry_kind_occurred", "ledger_entry", ["kind", "occurred_at", "id"])
    op.create_index("ix_ledger_entry_late", "ledger_entry", ["occurred_at", "id"],
                    postgresql_where=sa.text("late_correction"), sqlite_where=sa.text("late_correction"))
    if op.get_bind().dialect.name == "postgresql":
        # A member found by the last four digits of their phone.
        op.execute("CREATE INDEX ix_member_phone_last4 ON member (right(phone, 4))")


def downgrade():
    for index in ("ix_ledger_entry_occurred", "ix_ledger_entry_member_occurred", "ix_ledger_entry_rule_occurred",
                  "ix_ledger_entry_kind_occurred", "ix_ledger_entry_late"):
        op.drop_index(index, table_name="ledger_entry")
    op.execute("DROP INDEX IF EXISTS ix_member_phone_last4")
    for table in ("member_change", "membership", "opening_balance", "opening_import", "settlement_notice",
                  "settlement_run", "settlement_policy", "appeal", "publicity",
                  "declaration", "rule_version"):
        op.drop_table(table)
    with op.batch_alter_table("ledger_entry") as batch:
        batch.drop_column("late_correction")
        batch.drop_column("rule_version")
    with op.batch_alter_table("rule") as batch:
        batch.drop_column("version")
        batch.drop_column("declarable")
