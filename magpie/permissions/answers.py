"""The JSON answers about applied permissions, in Magpie's two representations.

A list answers ``permission_names`` (implicit and explicit strings) and ``permissions`` (objects
with ``type`` and ``reason``); a single permission answers the same without the plural ``s``
(``permission_name``, ``permission``), as Magpie does. Kept apart from the views so the REST API
and the admin pages describe a permission the same way.
"""
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy.orm import Session

from magpie import models
from magpie.accounts.groups import SpecialGroups
from magpie.permissions import decisions, listing
from magpie.permissions.applied import GrantResult, PrincipalModel, allowed_names, applied_permissions, is_user
from magpie.permissions.resolution import AppliedPermission, Decision
from magpie.permissions.values import Access, Permission, Scope, format_permissions


def principal_fields(principal: PrincipalModel) -> dict:
    if is_user(principal):
        return {"user_name": principal.user_name, "user_id": principal.id}
    return {"group_name": principal.group_name, "group_id": principal.id}


def principal_reason(principal: PrincipalModel) -> str:
    """Magpie's ``reason`` for a permission applied for this principal: ``user:<id>:<name>``."""
    if is_user(principal):
        return f"user:{principal.id}:{principal.user_name}"
    return f"group:{principal.id}:{principal.group_name}"


def single(permission: Permission, type_: str = "applied", reason: Optional[str] = None) -> dict:
    """One permission: ``permission_name`` (explicit form) and ``permission`` (the object)."""
    return {"permission_name": permission.explicit, "permission": permission.as_json(type_, reason)}


def grant_answer(principal: PrincipalModel, resource: models.Resource, result: GrantResult) -> dict:
    """What a grant did; ``replaced`` is the permission of the same name it took the place of."""
    reason = principal_reason(principal)
    return {
        **principal_fields(principal),
        "resource_id": resource.resource_id,
        **single(result.permission, "applied", reason),
        "created": result.created,
        "replaced": None if result.replaced is None else single(result.replaced, "applied", reason),
    }


def revoke_answer(principal: PrincipalModel, resource: models.Resource, removed: Permission) -> dict:
    return {**principal_fields(principal), "resource_id": resource.resource_id,
            **single(removed, "applied", principal_reason(principal))}


def applied_list(principal: PrincipalModel, permissions: Iterable[Permission], type_: str) -> Dict[str, List]:
    """A principal's own permissions on one resource (``direct`` for a user, ``applied`` for a group)."""
    reason = principal_reason(principal)
    return format_permissions([(permission, reason) for permission in permissions], type_)


def inherited_list(applied: Sequence[AppliedPermission]) -> Dict[str, List]:
    """The user's and its groups' permissions, each with the principal it comes from."""
    return format_permissions([(item.permission, item.principal.reason) for item in applied], "inherited")


def resolved_list(resolved: Sequence[Tuple[Permission, str]]) -> Dict[str, List]:
    return format_permissions(list(resolved), "inherited")


def effective_list(decisions: Mapping[str, Decision]) -> Dict[str, List]:
    """One permission per allowed name: allowed or denied on this very resource (hence ``match``),
    with the reason of the decision (``administrator``, ``no-permission``, the principal ...)."""
    return format_permissions(
        [(Permission(name, Access.ALLOW if decision.allowed else Access.DENY, Scope.MATCH), decision.reason)
         for name, decision in decisions.items()], "effective")


def allowed_list(names: Sequence[str]) -> Dict[str, List]:
    """The names that can be applied, each with every access and scope (Magpie's ``allowed``)."""
    return format_permissions(list(names), "allowed")


def permissions_answer(session: Session, settings, principal: PrincipalModel, resource: models.Resource,
                       mode: str = "direct") -> dict:
    """A principal's permissions on one resource. For a group, those applied for it. For a user,
    by ``mode`` (Magpie's query options): ``direct`` its own, ``inherited`` with its groups',
    ``resolve`` one per name among those, ``effective`` its access walking up to the service."""
    fields = {**principal_fields(principal), "resource_id": resource.resource_id}
    if not is_user(principal):
        return {**fields, **applied_list(principal, applied_permissions(session, principal, resource), "applied")}
    if mode == "effective":
        found = decisions.effective(session, settings, principal, resource.resource_id,
                                    allowed_names(session, resource))
        return {**fields, **effective_list(found)}
    if mode in ("inherited", "resolve"):
        user = listing.user_principal(principal)
        groups = listing.user_groups(session, principal, SpecialGroups.of(settings))
        if mode == "resolve":
            return {**fields, **resolved_list(listing.resolved_on(session, resource.resource_id, user, groups))}
        return {**fields, **inherited_list(listing.inherited_on(session, resource.resource_id, user, groups))}
    return {**fields, **applied_list(principal, applied_permissions(session, principal, resource), "direct")}
