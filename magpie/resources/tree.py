"""The local resource tree of a service, loaded in one query.

ziggurat's tree service uses PostgreSQL-only SQL; this loads every resource of a service by its
indexed ``root_service_id`` and assembles the tree in Python, identically on SQLite and
PostgreSQL.
"""
from typing import Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models
from magpie.gc_pause import gc_paused
from magpie.permissions.names import resource_permissions

_RESOURCES = models.Resource.__table__


def permission_names_of(service_type: str, resource_type: str) -> List[str]:
    """The names a resource of this type can carry under a service of this type (its service's
    type decides: a THREDDS file and a GeoServer layer differ); ``service`` for the service itself."""
    return list(resource_permissions(service_type, resource_type))


@gc_paused()
def get_service_tree(service: models.Service, session: Session) -> dict:
    """``{service_name: {id, resource_type, resource_display_name, permission_names, children}}``
    with children keyed by name (the shape of ``is_valid_resource_schema``)."""
    rows = session.execute(
        sa.select(_RESOURCES.c.resource_id, _RESOURCES.c.parent_id, _RESOURCES.c.resource_name,
                  _RESOURCES.c.resource_display_name, _RESOURCES.c.resource_type)
        .where(_RESOURCES.c.root_service_id == service.resource_id)
    ).all()
    permissions: Dict[str, List[str]] = {}
    nodes = {}
    for resource_id, parent_id, name, display_name, resource_type in rows:
        names = permissions.get(resource_type)
        if names is None:
            names = permissions[resource_type] = permission_names_of(service.type, resource_type)
        nodes[resource_id] = (parent_id, name, {
            "id": resource_id,
            "resource_type": resource_type,
            "resource_display_name": display_name or name,
            "permission_names": list(names),
            "children": {},
        })
    root = {
        "id": service.resource_id,
        "resource_type": "service",
        "resource_display_name": service.resource_display_name or service.resource_name,
        "permission_names": permission_names_of(service.type, "service"),
        "children": {},
    }
    # One pass: attach every node to its parent (rows come in no particular order).
    service_id = service.resource_id
    for parent_id, name, node in nodes.values():
        parent = root if parent_id == service_id else nodes.get(parent_id, (None, None, None))[2]
        if parent is not None:
            parent["children"][name] = node
    return {service.resource_name: root}


def add_resource(session: Session, service: models.Service, name: str, resource_type: str,
                 parent_id: Optional[int] = None, display_name: Optional[str] = None) -> models.Resource:
    """Create a local resource below ``parent_id`` (the service when None) of ``service``."""
    cls = models.RESOURCE_TYPES.get(resource_type)
    if cls is None:
        raise ValueError(f"unknown resource type {resource_type!r}")
    resource = cls(resource_name=name, resource_display_name=display_name, root_service_id=service.resource_id,
                   parent_id=parent_id if parent_id is not None else service.resource_id)
    session.add(resource)
    session.flush()
    return resource


def subtree_ids(session: Session, resource: models.Resource) -> List[int]:
    """Ids of every resource below ``resource`` (not itself), from one query over its service."""
    service_id = resource.resource_id if isinstance(resource, models.Service) else resource.root_service_id
    children: Dict[int, List[int]] = {}
    for resource_id, parent_id in session.execute(
            sa.select(_RESOURCES.c.resource_id, _RESOURCES.c.parent_id)
            .where(_RESOURCES.c.root_service_id == service_id)):
        children.setdefault(parent_id, []).append(resource_id)
    found: List[int] = []
    stack = list(children.get(resource.resource_id, ()))
    while stack:
        resource_id = stack.pop()
        found.append(resource_id)
        stack.extend(children.get(resource_id, ()))
    return sorted(found)
