"""scope: one organisation per name under a parent, one shop per name in an organisation, one product per name
in a shop, one grant per holder, role and scope; who uploaded which photo

Duplicates made before these indexes are kept apart, not deleted: a later organisation, shop or product with
its neighbour's name is renamed "名称（id）" (staff see it and rename it); a grant identical to an earlier one is
dropped, since it gave nothing the earlier one does not.

Photos already in use keep working: each declaration's photos count as uploaded by its member, and each
product's picture at one of our upload addresses as uploaded by the system. A product picture at another host
is cleared (goods pages show only our own uploads).

Revision ID: 0011_scope
Revises: 0010_selfpoints
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_scope"
down_revision = "0010_selfpoints"
branch_labels = None
depends_on = None

# table, the columns a name is unique within, the index
NAMED = (("org", "COALESCE(parent_id, 0)", "uq_org_name"), ("shop", "org_id", "uq_shop_name"),
         ("product", "shop_id", "uq_product_name"))
PHOTOS = "/api/v1/uploads/photos/"
OURS = "^" + PHOTOS + r"[0-9a-f]{64}\.(jpg|png|webp)$"
GRANT_KEY = ("COALESCE(member_id, 0)", "COALESCE(staff_id, 0)", "role", "COALESCE(org_id, 0)",
             "COALESCE(shop_id, 0)")


def upgrade():
    for table, within, index in NAMED:
        op.execute(f"""
            UPDATE {table} SET name = left(name, 90) || '（' || id || '）'
            WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY {within}, name ORDER BY id) AS n
                                         FROM {table}) AS ranked WHERE n > 1)""")
        op.execute(f"CREATE UNIQUE INDEX {index} ON {table} ({within}, name)")
    key = ", ".join(GRANT_KEY)
    op.execute(f"""
        DELETE FROM "grant" WHERE id IN (
            SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY {key} ORDER BY id) AS n FROM "grant") AS ranked
            WHERE n > 1)""")
    op.execute(f'CREATE UNIQUE INDEX uq_grant ON "grant" ({key})')
    op.create_table(
        "photo_upload",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("owner", sa.String(40), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.execute("""
        INSERT INTO photo_upload (key, owner)
        SELECT DISTINCT photo.key, 'member:' || declaration.member_id
        FROM declaration, json_array_elements_text(declaration.photos) AS photo(key)
        ON CONFLICT DO NOTHING""")
    op.execute(f"""
        INSERT INTO photo_upload (key, owner)
        SELECT DISTINCT substr(image_url, {len(PHOTOS) + 1}), 'system:0' FROM product WHERE image_url ~ '{OURS}'
        ON CONFLICT DO NOTHING""")
    op.execute(f"UPDATE product SET image_url = '' WHERE image_url <> '' AND image_url !~ '{OURS}'")


def downgrade():
    op.drop_table("photo_upload")
    op.drop_index("uq_grant", table_name="grant")
    for table, _, index in NAMED:
        op.drop_index(index, table_name=table)
