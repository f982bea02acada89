"""The local resource tree of a service, loaded in one query.

ziggurat's tree service uses PostgreSQL-only SQL; this loads every resource of a service by its
indexed ``root_service_id`` and assembles the tree in Python, identically on SQLite and
PostgreSQL.
"""
from typing import Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models

_RESOURCES = models.Resource.__table__


def permission_names_of(resource_type: str) -> List[str]:
    cls = models.Service if resource_type == "service" else models.RESOURCE_TYPES.get(resource_type, models.Resource)
    return list(cls.permission_names)


def get_service_tree(service: models.Service, session: Session) -> dict:
    """``{service_name: {id, resource_type, resource_display_name, permission_names, children}}``
    with children keyed by name (the shape of ``is_valid_resource_schema``)."""
    rows = session.execute(
        sa.select(_RESOURCES.c.resource_id, _RESOURCES.c.parent_id, _RESOURCES.c.resource_name,
                  _RESOURCES.c.resource_display_name, _RESOURCES.c.resource_type)
        .where(_RESOURCES.c.root_service_id == service.resource_id)
    ).all()
    by_parent: Dict[Optional[int], list] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    permissions = {rtype: permission_names_of(rtype) for rtype in {row.resource_type for row in rows}}

    def children_of(parent_id: int) -> dict:
        return {
            row.resource_name: {
                "id": row.resource_id,
                "resource_type": row.resource_type,
                "resource_display_name": row.resource_display_name or row.resource_name,
                "permission_names": list(permissions[row.resource_type]),
                "children": children_of(row.resource_id),
            }
            for row in by_parent.get(parent_id, ())
        }

    return {service.resource_name: {
        "id": service.resource_id,
        "resource_type": "service",
        "resource_display_name": service.resource_display_name or service.resource_name,
        "permission_names": permission_names_of("service"),
        "children": children_of(service.resource_id),
    }}


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
