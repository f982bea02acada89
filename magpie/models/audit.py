"""The access-control audit log, and the version counter that tells every process its decisions
must be recomputed."""
import sqlalchemy as sa

from magpie.models.base import Base, UTCDateTime


class AuditEntry(Base):
    """One change to access-control data: who, when, what, and the state before and after.

    Append-only, and with no foreign keys: an entry outlives the user, group, service or resource
    it names, which is the point of keeping it. Names are copied for the same reason.
    """

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_at", "at"),
                      sa.Index("ix_audit_log_service_id_at", "service_id", "at"),
                      sa.Index("ix_audit_log_user_name_at", "user_name", "at"))

    id = sa.Column(sa.Integer(), primary_key=True, autoincrement=True)
    at = sa.Column(UTCDateTime(), nullable=False)
    actor = sa.Column(sa.Unicode(128), nullable=False)  # the user name, or "system", "cron" ...
    action = sa.Column(sa.Unicode(50), nullable=False)  # "permission.grant", "user.delete" ...
    service_id = sa.Column(sa.Integer(), nullable=True)
    resource_id = sa.Column(sa.Integer(), nullable=True)
    user_name = sa.Column(sa.Unicode(128), nullable=True)  # the user the change is about
    group_name = sa.Column(sa.Unicode(128), nullable=True)  # the group the change is about
    before = sa.Column(sa.JSON(), nullable=True)
    after = sa.Column(sa.JSON(), nullable=True)


class AclVersion(Base):
    """A single row counting committed changes to access-control data (users, groups,
    memberships, permissions, resources). Decision indexes compare it with the version they were
    built at, so no process answers from a stale index."""

    __tablename__ = "acl_version"

    id = sa.Column(sa.Integer(), primary_key=True, autoincrement=False)
    version = sa.Column(sa.BigInteger(), nullable=False, default=0)
