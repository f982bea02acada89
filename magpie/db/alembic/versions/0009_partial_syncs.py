"""Partial syncs: remote nodes kept unverified when their part of the remote tree could not be
read, and the count and reasons of such syncs on the sync info and in the history.

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-07 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remote_resources") as batch:
        batch.add_column(sa.Column("unverified_reason", sa.UnicodeText(), nullable=True))
        batch.add_column(sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True))
    for table in ("remote_resources_sync_info", "sync_runs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("unverified", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("partial_reasons", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ("sync_runs", "remote_resources_sync_info"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("partial_reasons")
            batch.drop_column("unverified")
    with op.batch_alter_table("remote_resources") as batch:
        batch.drop_column("last_seen")
        batch.drop_column("unverified_reason")
