"""Granting on the merged tree: a permission on a node that so far exists only remotely.

An administrator sees the merged tree and wants to give access to a remote-only file; the local
path down to it is created (reusing the local ancestors that exist) and the permission applied in
the same transaction, so a refused permission leaves no resource behind.
"""
from typing import Optional, Tuple

from sqlalchemy.orm import Session

from magpie import models
from magpie.permissions.applied import GrantResult, PrincipalModel, check_name, grant, parse_permission
from magpie.permissions.names import resource_permissions, service_permissions
from magpie.permissions.values import PermissionInput
from magpie.resources.reconcile import adopt_remote_resource, find_remote


def grant_on_remote(session: Session, actor: Optional[str], principal: PrincipalModel, service: models.Service,
                    remote_id: int, permission: PermissionInput) -> Tuple[models.Resource, dict, GrantResult]:
    """Adopt remote node ``remote_id`` of ``service`` and apply ``permission`` on it for
    ``principal``; returns the local resource, the adoption (``created``, ``existing``) and the
    grant. The name is checked against the remote node's type before anything is created."""
    wanted = parse_permission(permission)
    remote = find_remote(session, service, remote_id)
    if remote.parent_id is None:  # the main node stands for the service
        names = service_permissions(service.type)
    else:
        names = resource_permissions(service.type, remote.resource_type)
    check_name(names, wanted, remote.resource_type, service.type)
    adopted = adopt_remote_resource(session, service, remote.resource_id, actor=actor)
    resource = session.get(models.Resource, adopted["resource_id"])
    return resource, adopted, grant(session, actor, principal, resource, wanted)
