"""What an administrator does to a service's local tree: create and delete resources, look at the
tree merged with the remote one, remove the resources gone remotely and adopt remote ones.

The REST API and the admin pages both call these; the rules (which child a node may hold, what
counts as gone) live here once.
"""
from typing import Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
import zope.sqlalchemy
from sqlalchemy.orm import Session

from magpie import models
from magpie.helpers.local_tree import add_resource, get_service_tree, permission_names_of
from magpie.helpers.services import (
    ConflictError, InvalidInput, NotFoundError, get_sync_status, parse_id, require_sync_type, validate_name,
)
from magpie.helpers.sync_resources import has_remote_tree, merge_local_and_remote_resources

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

#: Why a resource listed for cleaning was kept.
KEPT_REASONS = {
    "not_in_service": "no local resource of this service has this id",
    "is_service": "the service itself is removed with DELETE /services/{service}",
    "exists_remotely": "it still exists on the remote service",
    "beyond_max_depth": "it lies deeper than the sync looks, so it cannot be judged",
    "never_synced": "the service was never synced, so nothing is known to be gone",
}


def allowed_child_types(service: models.Service, parent: models.Resource) -> Tuple[str, ...]:
    """Resource types ``parent`` may hold. A service of a type this table does not know may hold
    any type: its administrator knows its tree better than we do."""
    if parent.resource_id == service.resource_id:
        return SERVICE_CHILD_TYPES.get(service.type, tuple(models.RESOURCE_TYPES))
    return tuple(type(parent).child_resource_types)


def resource_as_dict(resource: models.Resource) -> dict:
    is_service = isinstance(resource, models.Service)
    return {
        "resource_id": resource.resource_id,
        "resource_name": resource.resource_name,
        "resource_display_name": resource.display_name,
        "resource_type": resource.resource_type,
        "parent_id": resource.parent_id,
        "service_id": resource.resource_id if is_service else resource.root_service_id,
        "permission_names": permission_names_of(resource.resource_type),
    }


def get_resource(session: Session, resource_id: int) -> models.Resource:
    resource = session.get(models.Resource, resource_id) if parse_id(resource_id) else None
    if resource is None:
        raise NotFoundError(f"no resource {resource_id!r}")
    return resource


def _find_child(session: Session, parent_id: int, name: str) -> Optional[models.Resource]:
    return session.execute(
        sa.select(models.Resource).where(models.Resource.parent_id == parent_id,
                                         models.Resource.resource_name == name)
        .order_by(models.Resource.resource_id)
    ).scalars().first()


def _add_child(session: Session, service: models.Service, parent: models.Resource, name: str,
               resource_type: str, display_name: Optional[str]) -> models.Resource:
    if resource_type not in models.RESOURCE_TYPES:
        raise InvalidInput("resource_type", f"unknown resource type {resource_type!r}")
    allowed = allowed_child_types(service, parent)
    if resource_type not in allowed:
        raise ConflictError(
            f"a {parent.resource_type} ({parent.resource_name!r}) cannot hold a {resource_type}; "
            f"it may hold: {', '.join(allowed) or 'nothing'}")
    if _find_child(session, parent.resource_id, name) is not None:
        raise ConflictError(f"{parent.resource_name!r} already holds a resource named {name!r}")
    return add_resource(session, service, name, resource_type, parent_id=parent.resource_id,
                        display_name=display_name)


def create_local_resource(session: Session, service: models.Service, resource_name: str, resource_type: str,
                          parent_id: Optional[int] = None,
                          resource_display_name: Optional[str] = None) -> models.Resource:
    """Create a resource below ``parent_id`` (the service when None) where its parent may hold it."""
    name = validate_name(resource_name)
    parent: models.Resource = service
    if parent_id is not None and parent_id != service.resource_id:
        parent = session.get(models.Resource, parent_id) if parse_id(parent_id) else None
        if parent is None or parent.root_service_id != service.resource_id:
            raise NotFoundError(f"service {service.resource_name!r} has no resource {parent_id!r}")
    return _add_child(session, service, parent, name, resource_type, resource_display_name)


def delete_local_resource(session: Session, resource_id: int) -> dict:
    """Delete a resource and its subtree; services go through :func:`delete_service` instead."""
    resource = get_resource(session, resource_id)
    if isinstance(resource, models.Service):
        raise ConflictError(f"resource {resource_id} is a service: delete it with DELETE /services/{resource_id}")
    answer = resource_as_dict(resource)
    session.delete(resource)
    session.flush()
    return answer


def get_resource_tree(service: models.Service, session: Session, with_remote: bool = False) -> dict:
    """The local tree, or merged with the stored remote one (no request to the remote service)
    along with the sync status."""
    local_tree = get_service_tree(service, session)
    if not with_remote:
        return {"resources": local_tree}
    sync_type = require_sync_type(service)
    try:
        merged = merge_local_and_remote_resources(local_tree, sync_type, service.resource_id, session)
    except ValueError as exc:  # an unknown sync type or configuration stored by other means
        raise ConflictError(f"service {service.resource_name!r} cannot be merged: {exc}") from None
    return {"resources": merged, "sync": get_sync_status(service, session)}


def _walk(tree: dict, parent_id: Optional[int] = None) -> Iterable[Tuple[dict, Optional[int]]]:
    stack = [(node, parent_id) for node in tree.values()]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        stack.extend((child, node["id"]) for child in node["children"].values())


def clean_gone_resources(session: Session, service: models.Service, resource_ids: Iterable[int]) -> dict:
    """Remove the listed local resources that are gone remotely now (recomputed from the stored
    remote tree, not from what the caller saw). Removing a node removes its subtree."""
    sync_type = require_sync_type(service)
    requested = list(dict.fromkeys(resource_ids))
    if not has_remote_tree(service.resource_id, session):
        kept = [{"resource_id": rid, "reason": "never_synced", "detail": KEPT_REASONS["never_synced"]}
                for rid in requested]
        return {"removed": [], "removed_descendants": [], "kept": kept}
    merged = merge_local_and_remote_resources(get_service_tree(service, session), sync_type,
                                              service.resource_id, session)
    nodes: Dict[int, dict] = {}
    parents: Dict[int, Optional[int]] = {}
    for node, parent_id in _walk(merged):
        if node["id"] is not None:
            nodes[node["id"]] = node
            parents[node["id"]] = parent_id

    removed: List[int] = []
    kept: List[dict] = []
    for rid in requested:
        node = nodes.get(rid)
        if node is None:
            reason = "not_in_service"
        elif rid == service.resource_id:
            reason = "is_service"
        elif node.get("beyond_max_depth"):
            reason = "beyond_max_depth"
        elif node.get("matches_remote"):
            reason = "exists_remotely"
        else:
            removed.append(rid)
            continue
        kept.append({"resource_id": rid, "reason": reason, "detail": KEPT_REASONS[reason]})

    removed_set = set(removed)

    def has_removed_ancestor(rid: int) -> bool:
        parent = parents.get(rid)
        while parent is not None:
            if parent in removed_set:
                return True
            parent = parents.get(parent)
        return False

    tops = [rid for rid in removed if not has_removed_ancestor(rid)]
    descendants = sorted(rid for rid in nodes if rid not in removed_set and has_removed_ancestor(rid))
    if tops:
        # The database cascades each deletion to the subtree (parent_id ON DELETE CASCADE).
        session.execute(models.Resource.__table__.delete().where(models.Resource.resource_id.in_(tops)))
        zope.sqlalchemy.mark_changed(session)  # a Core statement alone: else the manager rolls back
    return {"removed": removed, "removed_descendants": descendants, "kept": kept}


def adopt_remote_resource(session: Session, service: models.Service, remote_id: int) -> dict:
    """Create the local path down to remote node ``remote_id``, reusing the local ancestors that
    already exist, so the node can be given permissions."""
    remote = session.get(models.RemoteResource, remote_id) if parse_id(remote_id) else None
    if remote is None or remote.service_id != service.resource_id:
        raise NotFoundError(f"service {service.resource_name!r} has no remote resource {remote_id!r}")
    chain = [remote]
    while chain[-1].parent_id is not None:
        parent = session.get(models.RemoteResource, chain[-1].parent_id)
        if parent is None or len(chain) > 10_000:
            raise ConflictError(f"remote resource {remote_id} does not reach its service's main node")
        chain.append(parent)
    path = list(reversed(chain))[1:]  # below the main node, which stands for the service

    current: models.Resource = service
    created: List[int] = []
    existing: List[int] = []
    for remote_node in path:
        child = _find_child(session, current.resource_id, remote_node.resource_name)
        if child is None:
            display = remote_node.resource_display_name
            child = _add_child(session, service, current, remote_node.resource_name, remote_node.resource_type,
                               display if display and display != remote_node.resource_name else None)
            created.append(child.resource_id)
        else:
            existing.append(child.resource_id)
        current = child
    return {"resource_id": current.resource_id, "created": created, "existing": existing}
