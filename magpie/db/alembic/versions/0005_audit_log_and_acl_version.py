"""Access control: the audit log and the version counter of access-control data.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Unicode(length=128), nullable=False),
        sa.Column("action", sa.Unicode(length=50), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.Unicode(length=128), nullable=True),
        sa.Column("group_name", sa.Unicode(length=128), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_service_id_at", "audit_log", ["service_id", "at"], unique=False)
    op.create_index("ix_audit_log_user_name_at", "audit_log", ["user_name", "at"], unique=False)
    acl_version = op.create_table(
        "acl_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acl_version")),
    )
    op.bulk_insert(acl_version, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("acl_version")
    op.drop_index("ix_audit_log_user_name_at", table_name="audit_log")
    op.drop_index("ix_audit_log_service_id_at", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
