"""Background sync jobs: run status and progress on sync_runs, one active run per service, and
procrastinate's schema on PostgreSQL (its job queue lives in the app's database).

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-07 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ACTIVE = "status IN ('queued', 'running')"


def upgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch:
        batch.alter_column("finished", existing_type=sa.DateTime(timezone=True), nullable=True)
        batch.add_column(sa.Column("dry_run", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("running_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("progress", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("result", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("job_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE sync_runs SET status = 'succeeded' WHERE status = 'success'")
    op.create_index("uq_sync_runs_active_service_id", "sync_runs", ["service_id"], unique=True,
                    sqlite_where=sa.text(_ACTIVE), postgresql_where=sa.text(_ACTIVE))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # On the driver's cursor, without parameters: the schema's text holds % signs.
        bind.connection.dbapi_connection.cursor().execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for kind, query in (
            ("TABLE", "SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%%'"),
            ("FUNCTION", "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proname LIKE 'procrastinate%%'"),
            ("TYPE", "SELECT typname FROM pg_type WHERE typname LIKE 'procrastinate%%' AND typtype = 'e'"),
        ):
            for (name,) in bind.exec_driver_sql(query).fetchall():
                bind.exec_driver_sql(f"DROP {kind} IF EXISTS {name} CASCADE")  # names from the catalog
    op.drop_index("uq_sync_runs_active_service_id", table_name="sync_runs")
    op.execute("DELETE FROM sync_runs WHERE finished IS NULL")
    op.execute("UPDATE sync_runs SET status = 'success' WHERE status = 'succeeded'")
    with op.batch_alter_table("sync_runs") as batch:
        for column in ("cancel_requested", "job_id", "result", "progress", "running_since", "dry_run"):
            batch.drop_column(column)
        batch.alter_column("finished", existing_type=sa.DateTime(timezone=True), nullable=False)
