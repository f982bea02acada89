"""What an administrator does to a service's local tree: create and delete resources, and look at
the tree, merged with the remote one on demand.

The REST API and the admin pages both call these; the rules (which child a node may hold) live
here once.
"""
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import audit, models
from magpie.errors import ConflictError, InvalidInput, NotFoundError
from magpie.names import parse_id, validate_name
from magpie.permissions.applied import service_type_of
from magpie.permissions.listing import permissions_on_resources
from magpie.resources.tree import add_resource, get_service_tree, permission_names_of, subtree_ids
from magpie.services.crud import require_sync_type
from magpie.sync.status import get_sync_status
from magpie.sync.store import merged_tree

#: Service type -> resource types its root may hold. The names follow the sync types' trees
#: (THREDDS directories and files, GeoServer workspaces > layers, WPS processes ...).
SERVICE_CHILD_TYPES: Dict[str, Tuple[str, ...]] = {
    "thredds": ("directory", "file"),
    "geoserver": ("workspace",),
    "geoserver-api": ("workspace",),
    "geoserverwms": ("workspace", "layer"),
    "wms": ("workspace", "layer"),
    "wfs": ("workspace", "layer"),
    "ncwms": ("directory", "file", "layer"),
    "wps": ("process",),
    "stac": ("collection",),
    "project-api": ("route",),
    "api": ("route",),
    "access": ("route",),
}

def allowed_child_types(service: models.Service, parent: models.Resource) -> Tuple[str, ...]:
    """Resource types ``parent`` may hold. A service of a type this table does not know may hold
    any type: its administrator knows its tree better than we do."""
    if parent.resource_id == service.resource_id:
        return SERVICE_CHILD_TYPES.get(service.type, tuple(models.RESOURCE_TYPES))
    return tuple(type(parent).child_resource_types)


def resource_as_dict(session: Session, resource: models.Resource) -> dict:
    """The API's view of a resource; ``permission_names`` are those its service's type gives it."""
    is_service = isinstance(resource, models.Service)
    return {
        "resource_id": resource.resource_id,
        "resource_name": resource.resource_name,
        "resource_display_name": resource.display_name,
        "resource_type": resource.resource_type,
        "parent_id": resource.parent_id,
        "service_id": resource.resource_id if is_service else resource.root_service_id,
        "permission_names": permission_names_of(service_type_of(session, resource), resource.resource_type),
    }


def get_resource(session: Session, resource_id: int) -> models.Resource:
    resource = session.get(models.Resource, resource_id) if parse_id(resource_id) else None
    if resource is None:
        raise NotFoundError(f"no resource {resource_id!r}")
    return resource


def find_child(session: Session, parent_id: int, name: str) -> Optional[models.Resource]:
    return session.execute(
        sa.select(models.Resource).where(models.Resource.parent_id == parent_id,
                                         models.Resource.resource_name == name)
        .order_by(models.Resource.resource_id)
    ).scalars().first()


def add_child(session: Session, service: models.Service, parent: models.Resource, name: str,
               resource_type: str, display_name: Optional[str]) -> models.Resource:
    if resource_type not in models.RESOURCE_TYPES:
        raise InvalidInput("resource_type", f"unknown resource type {resource_type!r}")
    allowed = allowed_child_types(service, parent)
    if resource_type not in allowed:
        raise ConflictError(
            f"a {parent.resource_type} ({parent.resource_name!r}) cannot hold a {resource_type}; "
            f"it may hold: {', '.join(allowed) or 'nothing'}")
    if find_child(session, parent.resource_id, name) is not None:
        raise ConflictError(f"{parent.resource_name!r} already holds a resource named {name!r}")
    return add_resource(session, service, name, resource_type, parent_id=parent.resource_id,
                        display_name=display_name)


def create_local_resource(session: Session, service: models.Service, resource_name: str, resource_type: str,
                          parent_id: Optional[int] = None, resource_display_name: Optional[str] = None,
                          *, actor: Optional[str] = None) -> models.Resource:
    """Create a resource below ``parent_id`` (the service when None) where its parent may hold it;
    audited as ``resource.create`` (``actor``: who asked)."""
    name = validate_name(resource_name)
    parent: models.Resource = service
    if parent_id is not None and parent_id != service.resource_id:
        parent = session.get(models.Resource, parent_id) if parse_id(parent_id) else None
        if parent is None or parent.root_service_id != service.resource_id:
            raise NotFoundError(f"service {service.resource_name!r} has no resource {parent_id!r}")
    resource = add_child(session, service, parent, name, resource_type, resource_display_name)
    audit.record(session, actor, "resource.create", service_id=service.resource_id,
                 resource_id=resource.resource_id, after=resource_as_dict(session, resource))
    return resource


def delete_local_resource(session: Session, resource_id: int, *, actor: Optional[str] = None) -> dict:
    """Delete a resource and its subtree; services go through :func:`delete_service` instead.

    The database cascades the deletion to the subtree and to every permission applied on it;
    those are listed in the answer (``descendants``, ``permissions``) and in the audit entry,
    which is the only trace of them left.
    """
    resource = get_resource(session, resource_id)
    if isinstance(resource, models.Service):
        raise ConflictError(f"resource {resource_id} is a service: delete it with DELETE /services/{resource_id}")
    answer = resource_as_dict(session, resource)
    descendants = subtree_ids(session, resource)
    permissions = permissions_on_resources(session, [resource.resource_id, *descendants])
    session.delete(resource)
    session.flush()
    audit.record(session, actor, "resource.delete", service_id=answer["service_id"], resource_id=resource_id,
                 before={"resource": answer, "descendants": descendants, "permissions": permissions})
    return {"resource": answer, "descendants": descendants, "permissions": permissions}


def get_resource_tree(service: models.Service, session: Session, with_remote: bool = False) -> dict:
    """The local tree, or merged with the stored remote one (no request to the remote service)
    along with the sync status."""
    local_tree = get_service_tree(service, session)
    if not with_remote:
        return {"resources": local_tree}
    sync_type = require_sync_type(service)
    try:
        merged = merged_tree(local_tree, sync_type, service.resource_id, session)
    except ValueError as exc:  # an unknown sync type or configuration stored by other means
        raise ConflictError(f"service {service.resource_name!r} cannot be merged: {exc}") from None
    _name_remote_only(merged, service.type)
    return {"resources": merged, "sync": get_sync_status(service, session)}


def _name_remote_only(merged: dict, service_type: str) -> None:
    """Give remote-only nodes the permission names of their type too: they can be granted
    permissions (their local path is created then)."""
    names: Dict[str, List[str]] = {}
    stack = list(merged.values())
    while stack:
        node = stack.pop()
        if node["id"] is None:
            resource_type = node["resource_type"]
            if resource_type not in names:
                names[resource_type] = permission_names_of(service_type, resource_type)
            node["permission_names"] = list(names[resource_type])
        stack.extend(node["children"].values())
