"""Partial syncs, ids never reused, and the heartbeat of SQLite sync locks.

Remote nodes are kept unverified when their part of the remote tree could not be read, and the
count and reasons of such syncs are kept on the sync info and in the history. On SQLite,
``remote_resources`` is rebuilt with AUTOINCREMENT so that the id of a removed node is never
given to a new one (a page opened before a sync would adopt the wrong node).

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-07 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_NEW = "remote_resources_0009"


def _remote_resources_columns(self_table: str) -> list:
    return [
        sa.Column("resource_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("ordering", sa.Integer(), nullable=False),
        sa.Column("resource_name", sa.Unicode(length=512), nullable=False),
        sa.Column("resource_display_name", sa.Unicode(length=512), nullable=True),
        sa.Column("resource_type", sa.Unicode(length=30), nullable=False),
        sa.Column("unverified_reason", sa.UnicodeText(), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], [f"{self_table}.resource_id"],
                                name="fk_remote_resources_parent_id_remote_resources",
                                onupdate="CASCADE", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["service_id"], ["services.resource_id"],
                                name="fk_remote_resources_service_id_services", onupdate="CASCADE", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("resource_id", name="pk_remote_resources"),
        sa.UniqueConstraint("service_id", "parent_id", "resource_name", name="uq_remote_resources_sibling_name"),
    ]


def _rebuild_sqlite_table_with_autoincrement() -> None:
    """Copy the rows into a new AUTOINCREMENT table, drop the old one and rename the new one.
    Dropping the old table sets the sync info's main-node pointers to NULL (ON DELETE SET NULL):
    they are put back afterwards. Foreign keys are checked at commit, once all is in place."""
    bind = op.get_bind()
    bind.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    pointers = bind.execute(sa.text("SELECT id, remote_resource_id FROM remote_resources_sync_info "
                                    "WHERE remote_resource_id IS NOT NULL")).all()
    op.create_table(_NEW, *_remote_resources_columns(_NEW), sqlite_autoincrement=True)
    bind.exec_driver_sql(
        f"INSERT INTO {_NEW} (resource_id, service_id, parent_id, ordering, resource_name, resource_display_name, "
        "resource_type) SELECT resource_id, service_id, parent_id, ordering, resource_name, resource_display_name, "
        "resource_type FROM remote_resources ORDER BY resource_id")
    op.drop_index("ix_remote_resources_parent_id", table_name="remote_resources")
    op.drop_table("remote_resources")
    bind.exec_driver_sql(f"ALTER TABLE {_NEW} RENAME TO remote_resources")
    op.create_index("ix_remote_resources_parent_id", "remote_resources", ["parent_id"], unique=False)
    for info_id, remote_id in pointers:
        bind.execute(sa.text("UPDATE remote_resources_sync_info SET remote_resource_id = :rid WHERE id = :id"),
                     {"rid": remote_id, "id": info_id})


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_table_with_autoincrement()
    else:
        with op.batch_alter_table("remote_resources") as batch:
            batch.add_column(sa.Column("unverified_reason", sa.UnicodeText(), nullable=True))
            batch.add_column(sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True))
    for table in ("remote_resources_sync_info", "sync_runs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("unverified", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("partial_reasons", sa.JSON(), nullable=True))
    with op.batch_alter_table("sync_locks") as batch:
        batch.add_column(sa.Column("heartbeat", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_locks") as batch:
        batch.drop_column("heartbeat")
    for table in ("sync_runs", "remote_resources_sync_info"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("partial_reasons")
            batch.drop_column("unverified")
    with op.batch_alter_table("remote_resources") as batch:
        batch.drop_column("last_seen")
        batch.drop_column("unverified_reason")
