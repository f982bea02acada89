"""Sync history: one row per sync run of a service.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Unicode(length=20), nullable=False),
        sa.Column("added", sa.Integer(), nullable=True),
        sa.Column("removed", sa.Integer(), nullable=True),
        sa.Column("kept", sa.Integer(), nullable=True),
        sa.Column("error", sa.UnicodeText(), nullable=True),
        sa.Column("origin", sa.Unicode(length=20), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["services.resource_id"], name=op.f("fk_sync_runs_service_id_services"),
                                onupdate="CASCADE", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_index("ix_sync_runs_service_id_started", "sync_runs", ["service_id", "started"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sync_runs_service_id_started", table_name="sync_runs")
    op.drop_table("sync_runs")
