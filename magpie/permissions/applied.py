"""Applied permissions: what is stored for one user or group on one resource, and changing it.

Rows of ziggurat's ``users_resources_permissions`` and ``groups_resources_permissions`` hold
Magpie's explicit form (``read-allow-recursive``) in ``perm_name``. As in Magpie, a principal has
at most one permission of a name on a resource: granting the name again with another access or
scope replaces it, granting the very same permission again is a conflict. The REST API and the
permissions file both go through :func:`grant` and :func:`revoke`, so every change is validated
against the service type's names, serialized per principal and written to the audit log in the
caller's transaction.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union

import sqlalchemy as sa
import zope.sqlalchemy
from sqlalchemy.orm import Session

from magpie import audit, models
from magpie.errors import ConflictError, InvalidInput, NotFoundError
from magpie.permissions.names import resource_permissions
from magpie.permissions.values import InvalidPermission, Permission, PermissionInput, parse_stored

PrincipalModel = Union[models.User, models.Group]


@dataclass(frozen=True)
class GrantResult:
    """What :func:`grant` did: ``created`` when the principal had no permission of that name on
    the resource, else ``replaced`` is the permission of that name it had."""
    permission: Permission
    created: bool
    replaced: Optional[Permission]


class NameNotCarried(ConflictError):
    """A valid permission name that the resource's type cannot carry: 409, since the request is
    well formed and only the stored resource (its type, its service's type) rules it out."""


class PermissionExists(ConflictError):
    """The principal already has exactly this permission on the resource (answered 409)."""

    def __init__(self, message: str, existing: Permission):
        super().__init__(message)
        self.existing = existing


def parse_permission(value: PermissionInput, field: str = "permission") -> Permission:
    """A permission from any form Magpie accepts, or :class:`InvalidInput` naming ``field``."""
    try:
        return Permission.parse(value)
    except InvalidPermission as exc:
        raise InvalidInput(field, str(exc)) from None


def is_user(principal: PrincipalModel) -> bool:
    return isinstance(principal, models.User)


def describe(principal: PrincipalModel) -> str:
    """``user 'alice'`` or ``group 'editors'``, for messages."""
    return f"user {principal.user_name!r}" if is_user(principal) else f"group {principal.group_name!r}"


def _table_and_key(principal: PrincipalModel) -> Tuple[type, sa.ColumnElement]:
    if is_user(principal):
        return models.UserResourcePermission, models.UserResourcePermission.user_id == principal.id
    return models.GroupResourcePermission, models.GroupResourcePermission.group_id == principal.id


def service_type_of(session: Session, resource: models.Resource) -> str:
    """The type of the service ``resource`` belongs to (its own type for a service)."""
    if isinstance(resource, models.Service):
        return resource.type
    service = session.get(models.Service, resource.root_service_id)
    if service is None:
        raise NotFoundError(f"resource {resource.resource_id} belongs to no service")
    return service.type


def allowed_names(session: Session, resource: models.Resource) -> Tuple[str, ...]:
    """The permission names that can be applied on ``resource``, from its service's type."""
    return resource_permissions(service_type_of(session, resource), resource.resource_type)


def check_name(names: Sequence[str], permission: Permission, resource_type: str, service_type: str) -> None:
    """:class:`NameNotCarried` (409) listing ``names`` when ``permission`` is not one of them."""
    if permission.name not in names:
        raise NameNotCarried((
            f"a {resource_type} of a {service_type!r} service cannot carry "
            f"{permission.name!r}; allowed: {', '.join(names) or 'none'}"))


def check_allowed(session: Session, resource: models.Resource, permission: Permission) -> None:
    """:class:`NameNotCarried` (409) listing the allowed names when the resource cannot carry it."""
    check_name(allowed_names(session, resource), permission, resource.resource_type,
               service_type_of(session, resource))


def applied_permissions(session: Session, principal: PrincipalModel, resource: models.Resource) -> List[Permission]:
    """The permissions applied for ``principal`` on ``resource`` itself, in Magpie's order.
    A stored value that no longer parses (a name dropped since) is skipped, not fatal."""
    table, key = _table_and_key(principal)
    rows = session.execute(sa.select(table.perm_name).where(key, table.resource_id == resource.resource_id)).scalars()
    found = [permission for permission in map(parse_stored, rows) if permission is not None]
    return sorted(found, key=Permission.sort_key)


def _applied_named(session: Session, principal: PrincipalModel, resource: models.Resource,
                   name: str) -> Optional[Permission]:
    """The principal's permission of this name on ``resource`` (it has one per name at most)."""
    return next((p for p in applied_permissions(session, principal, resource) if p.name == name), None)


def _start_change(session: Session, principal: PrincipalModel) -> None:
    """Serialize changes of one principal's permissions before reading them, so that the check
    "one permission per name" holds under concurrent requests: PostgreSQL locks the principal's
    row; the version bump is the first write, which on SQLite takes the database write lock."""
    cls = type(principal)
    session.execute(sa.select(cls.id).where(cls.id == principal.id).with_for_update(key_share=True))
    audit.bump_acl_version(session)


def _record(session: Session, actor: Optional[str], action: str, principal: PrincipalModel,
            resource: models.Resource, before: Optional[Permission], after: Optional[Permission]) -> None:
    service_id = resource.resource_id if isinstance(resource, models.Service) else resource.root_service_id
    names = {"user_name": principal.user_name} if is_user(principal) else {"group_name": principal.group_name}
    audit.record(session, actor, action, service_id=service_id, resource_id=resource.resource_id,
                 before=None if before is None else {"permission": before.explicit},
                 after=None if after is None else {"permission": after.explicit},
                 changes_access=False, **names)  # the version was bumped by _start_change


def _delete_row(session: Session, principal: PrincipalModel, resource: models.Resource,
                permission: Permission) -> None:
    table, key = _table_and_key(principal)
    session.execute(sa.delete(table).where(key, table.resource_id == resource.resource_id,
                                           table.perm_name == permission.explicit)
                    .execution_options(synchronize_session=False))
    zope.sqlalchemy.mark_changed(session)


def grant(session: Session, actor: Optional[str], principal: PrincipalModel, resource: models.Resource,
          permission: PermissionInput) -> GrantResult:
    """Apply ``permission`` for ``principal`` on ``resource``, replacing its permission of the same
    name if it has one with another access or scope.

    :class:`NameNotCarried` when the resource type does not carry the name; :class:`PermissionExists`
    when exactly this permission is already applied (also when a concurrent request applied it
    first: the primary key refuses the second row).
    """
    wanted = parse_permission(permission)
    check_allowed(session, resource, wanted)
    _start_change(session, principal)
    existing = _applied_named(session, principal, resource, wanted.name)
    if existing == wanted:
        raise PermissionExists(f"{describe(principal)} already has permission {existing.explicit!r} on "
                               f"resource {resource.resource_id}", existing)
    if existing is not None:
        _delete_row(session, principal, resource, existing)
    table, _ = _table_and_key(principal)
    owner = {"user_id": principal.id} if is_user(principal) else {"group_id": principal.id}
    # Named before the flush: a failed flush expires every loaded object.
    who, resource_id = describe(principal), resource.resource_id
    session.add(table(resource_id=resource_id, perm_name=wanted.explicit, **owner))
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        if "unique" in str(exc.orig).lower() or "duplicate" in str(exc.orig).lower():
            raise PermissionExists(f"{who} already has permission {wanted.explicit!r} on resource {resource_id} "
                                   f"(applied by a concurrent request)", wanted) from None
        raise ConflictError(f"permission {wanted.explicit!r} could not be applied for {who} on resource "
                            f"{resource_id}: it or the resource changed meanwhile") from None
    _record(session, actor, "permission.grant" if existing is None else "permission.replace",
            principal, resource, existing, wanted)
    return GrantResult(permission=wanted, created=existing is None, replaced=existing)


def revoke(session: Session, actor: Optional[str], principal: PrincipalModel, resource: models.Resource,
           permission: PermissionInput) -> Permission:
    """Remove the principal's permission of this name on ``resource`` whatever its access and
    scope (Magpie matches by name: there is one per name); returns what was removed.
    :class:`NotFoundError` when it has none of that name."""
    wanted = parse_permission(permission)
    _start_change(session, principal)
    existing = _applied_named(session, principal, resource, wanted.name)
    if existing is None:
        raise NotFoundError(f"{describe(principal)} has no permission {wanted.name!r} on resource "
                            f"{resource.resource_id}")
    _delete_row(session, principal, resource, existing)
    _record(session, actor, "permission.revoke", principal, resource, existing, None)
    return existing
