"""Unique names: siblings of a local tree, and services.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_resources_parent_id_resource_name", ["parent_id", "resource_name"])
    op.create_index("uq_resources_service_name", "resources", ["resource_name"], unique=True,
                    sqlite_where=sa.text("resource_type = 'service'"),
                    postgresql_where=sa.text("resource_type = 'service'"))


def downgrade() -> None:
    op.drop_index("uq_resources_service_name", table_name="resources")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_constraint("uq_resources_parent_id_resource_name", type_="unique")
