"""Service credentials, sealed with the secrets key.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_credentials",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Unicode(length=16), nullable=False),
        sa.Column("sealed", sa.UnicodeText(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.resource_id"], ondelete="CASCADE",
                                name=op.f("fk_service_credentials_service_id_services")),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_service_credentials")),
    )


def downgrade() -> None:
    op.drop_table("service_credentials")
