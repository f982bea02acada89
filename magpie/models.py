"""Tables: ziggurat_foundations users, groups and resources, services, and the stored remote trees.

Models describe data only; queries and behaviour live in the domain packages (accounts,
services, resources, sync).
"""
import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase
from ziggurat_foundations import ziggurat_model_init
from ziggurat_foundations.models.external_identity import ExternalIdentityMixin
from ziggurat_foundations.models.group import GroupMixin
from ziggurat_foundations.models.group_permission import GroupPermissionMixin
from ziggurat_foundations.models.group_resource_permission import GroupResourcePermissionMixin
from ziggurat_foundations.models.resource import ResourceMixin
from ziggurat_foundations.models.user import UserMixin
from ziggurat_foundations.models.user_group import UserGroupMixin
from ziggurat_foundations.models.user_permission import UserPermissionMixin
from ziggurat_foundations.models.user_resource_permission import UserResourcePermissionMixin
from sqlalchemy.ext.declarative import declared_attr

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Longest resource name stored. THREDDS file names of CMIP-style data exceed ziggurat's 100.
NAME_LENGTH = 512


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL.

    SQLite has no time zones: values are stored as naive UTC and given back their zone on load.
    A naive value handed in is refused rather than guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime.datetime], dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(datetime.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime.datetime], dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class Group(GroupMixin, Base):
    pass


class GroupPermission(GroupPermissionMixin, Base):
    pass


class UserGroup(UserGroupMixin, Base):
    pass


class GroupResourcePermission(GroupResourcePermissionMixin, Base):
    pass


class UserPermission(UserPermissionMixin, Base):
    pass


class UserResourcePermission(UserResourcePermissionMixin, Base):
    pass


class User(UserMixin, Base):
    pass


class ExternalIdentity(ExternalIdentityMixin, Base):
    pass


class Resource(ResourceMixin, Base):
    """Any node of a local resource tree. Single-table polymorphic on ``resource_type``
    (services add their own joined table).

    ``root_service_id`` lets a service's whole tree load in one indexed query instead of one
    query per level.
    """

    #: Permission names that can be granted on this kind of resource.
    permission_names: tuple = ("read", "write")
    #: Resource types that may be created below this one (checked by the helpers).
    child_resource_types: tuple = ()

    @declared_attr
    def parent_id(cls):
        # Deleting a node deletes its subtree (ziggurat's default would orphan it).
        return sa.Column(
            sa.Integer(),
            sa.ForeignKey("resources.resource_id", onupdate="CASCADE", ondelete="CASCADE"),
            index=True,
        )

    @declared_attr
    def resource_name(cls):
        return sa.Column(sa.Unicode(NAME_LENGTH), nullable=False)

    resource_display_name = sa.Column(sa.Unicode(NAME_LENGTH), nullable=True)
    root_service_id = sa.Column(
        sa.Integer(),
        sa.ForeignKey("services.resource_id", ondelete="CASCADE", use_alter=True,
                      name="fk_resources_root_service_id_services"),
        index=True,
        nullable=True,
    )

    __mapper_args__ = {"polymorphic_on": "resource_type", "polymorphic_identity": "resource"}

    @property
    def display_name(self) -> str:
        return self.resource_display_name or self.resource_name


# Names are what paths are made of: unique among siblings, and service names unique, so two
# requests racing to create the same thing cannot both succeed.
Resource.__table__.append_constraint(
    sa.UniqueConstraint("parent_id", "resource_name", name="uq_resources_parent_id_resource_name"))
sa.Index("uq_resources_service_name", Resource.__table__.c.resource_name, unique=True,
         sqlite_where=sa.text("resource_type = 'service'"), postgresql_where=sa.text("resource_type = 'service'"))


class Service(Resource):
    """A remote service protected by Magpie: a row of ``resources`` plus its connection details."""

    __tablename__ = "services"

    resource_id = sa.Column(
        sa.Integer(), sa.ForeignKey("resources.resource_id", ondelete="CASCADE"), primary_key=True
    )
    # Two foreign keys join services and resources (this one and root_service_id): name the one
    # that means "is a".
    __mapper_args__ = {"polymorphic_identity": "service",
                       "inherit_condition": resource_id == Resource.resource_id}
    type = sa.Column(sa.Unicode(50), nullable=False)
    url = sa.Column(sa.UnicodeText(), nullable=False)
    sync_type = sa.Column(sa.Unicode(50), nullable=True, index=True)
    configuration = sa.Column(sa.JSON(), nullable=True)


class Directory(Resource):
    __mapper_args__ = {"polymorphic_identity": "directory"}
    child_resource_types = ("directory", "file")


class File(Resource):
    __mapper_args__ = {"polymorphic_identity": "file"}


class Workspace(Resource):
    __mapper_args__ = {"polymorphic_identity": "workspace"}
    child_resource_types = ("layer",)


class Layer(Resource):
    __mapper_args__ = {"polymorphic_identity": "layer"}


class Process(Resource):
    __mapper_args__ = {"polymorphic_identity": "process"}
    permission_names = ("describeprocess", "execute")


class Route(Resource):
    __mapper_args__ = {"polymorphic_identity": "route"}
    child_resource_types = ("route",)


class Collection(Resource):
    __mapper_args__ = {"polymorphic_identity": "collection"}


#: resource_type -> model class of the local tree (service excluded).
RESOURCE_TYPES = {
    cls.__mapper_args__["polymorphic_identity"]: cls
    for cls in (Directory, File, Workspace, Layer, Process, Route, Collection)
}


class RemoteResource(Base):
    """One node of the tree last crawled from a service. Rows keep their id across syncs for as
    long as the node exists remotely, so a page opened before a sync still names the same node."""

    __tablename__ = "remote_resources"
    __table_args__ = (sa.UniqueConstraint("service_id", "parent_id", "resource_name",
                                          name="uq_remote_resources_sibling_name"),)

    resource_id = sa.Column(sa.Integer(), primary_key=True, autoincrement=True)
    # No index of its own: uq_remote_resources_sibling_name leads with service_id and serves it.
    service_id = sa.Column(
        sa.Integer(), sa.ForeignKey("services.resource_id", onupdate="CASCADE", ondelete="CASCADE"),
        nullable=False,
    )
    parent_id = sa.Column(
        sa.Integer(), sa.ForeignKey("remote_resources.resource_id", onupdate="CASCADE", ondelete="CASCADE"),
        index=True, nullable=True,
    )
    ordering = sa.Column(sa.Integer(), default=0, nullable=False)
    resource_name = sa.Column(sa.Unicode(NAME_LENGTH), nullable=False)
    resource_display_name = sa.Column(sa.Unicode(NAME_LENGTH), nullable=True)
    resource_type = sa.Column(sa.Unicode(30), nullable=False)

    def __repr__(self):
        return f"<RemoteResource {self.resource_type} {self.resource_name!r} id={self.resource_id}>"


class RemoteResourcesSyncInfo(Base):
    """Sync status of one service: the main remote node and how the last attempts went."""

    __tablename__ = "remote_resources_sync_info"

    id = sa.Column(sa.Integer(), primary_key=True, autoincrement=True)
    service_id = sa.Column(
        sa.Integer(), sa.ForeignKey("services.resource_id", onupdate="CASCADE", ondelete="CASCADE"),
        unique=True, nullable=False,
    )
    remote_resource_id = sa.Column(
        sa.Integer(), sa.ForeignKey("remote_resources.resource_id", ondelete="SET NULL"), nullable=True
    )
    last_sync = sa.Column(UTCDateTime(), nullable=True)
    last_attempt = sa.Column(UTCDateTime(), nullable=True)
    last_error = sa.Column(sa.UnicodeText(), nullable=True)
    last_duration = sa.Column(sa.Float(), nullable=True)
    added = sa.Column(sa.Integer(), nullable=True)
    removed = sa.Column(sa.Integer(), nullable=True)
    kept = sa.Column(sa.Integer(), nullable=True)

    def __repr__(self):
        return f"<RemoteResourcesSyncInfo service_id={self.service_id} last_sync={self.last_sync}>"


class SyncRun(Base):
    """One sync attempt of one service, kept for the history an administrator reads when a
    service goes out of sync. Old rows are pruned per service."""

    __tablename__ = "sync_runs"
    __table_args__ = (sa.Index("ix_sync_runs_service_id_started", "service_id", "started"),)

    id = sa.Column(sa.Integer(), primary_key=True, autoincrement=True)
    service_id = sa.Column(
        sa.Integer(), sa.ForeignKey("services.resource_id", onupdate="CASCADE", ondelete="CASCADE"),
        nullable=False,
    )
    started = sa.Column(UTCDateTime(), nullable=False)
    finished = sa.Column(UTCDateTime(), nullable=False)
    status = sa.Column(sa.Unicode(20), nullable=False)  # "success" or "failed"
    added = sa.Column(sa.Integer(), nullable=True)
    removed = sa.Column(sa.Integer(), nullable=True)
    kept = sa.Column(sa.Integer(), nullable=True)
    error = sa.Column(sa.UnicodeText(), nullable=True)
    origin = sa.Column(sa.Unicode(20), nullable=True)  # "cron", "api", ...


class SyncLock(Base):
    """Lock row used on SQLite (PostgreSQL uses advisory locks) so one service syncs at a time."""

    __tablename__ = "sync_locks"

    service_id = sa.Column(
        sa.Integer(), sa.ForeignKey("services.resource_id", ondelete="CASCADE"), primary_key=True
    )
    owner = sa.Column(sa.Unicode(255), nullable=False)
    acquired_at = sa.Column(UTCDateTime(), nullable=False)


ziggurat_model_init(
    User, Group, UserGroup, GroupPermission, UserPermission, UserResourcePermission,
    GroupResourcePermission, Resource, ExternalIdentity, passwordmanager=None,
)
