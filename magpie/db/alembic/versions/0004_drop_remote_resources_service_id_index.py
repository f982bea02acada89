"""Drop the index on remote_resources.service_id: uq_remote_resources_sibling_name leads with
service_id and serves the same lookups and the cascade from services, while each extra index
slows the bulk inserts of a sync.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 17:00:00
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_remote_resources_service_id", table_name="remote_resources")


def downgrade() -> None:
    op.create_index("ix_remote_resources_service_id", "remote_resources", ["service_id"], unique=False)
