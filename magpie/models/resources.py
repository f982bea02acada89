"""The local resource tree: a polymorphic ``resources`` table (ziggurat's), services with their
connection details, and one class per resource type."""
import sqlalchemy as sa
from sqlalchemy.ext.declarative import declared_attr
from ziggurat_foundations.models.resource import ResourceMixin

from magpie.models.base import NAME_LENGTH, Base


class Resource(ResourceMixin, Base):
    """Any node of a local resource tree. Single-table polymorphic on ``resource_type``
    (services add their own joined table).

    ``root_service_id`` lets a service's whole tree load in one indexed query instead of one
    query per level.
    """

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
