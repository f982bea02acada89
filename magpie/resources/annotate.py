"""A service's tree seen for one user or group: each node with the permissions applied on it for
that principal (Magpie's user- and group-scoped trees), and, for a user, what it may effectively
do there.

In such a tree a node's ``permission_names`` and ``permissions`` are the applied permissions, as
in Magpie's ``/users/{user}/services/{service}/resources``; the names the node can carry move to
``allowed_permission_names``.
"""
from typing import Optional

from sqlalchemy.orm import Session

from magpie import models
from magpie.accounts.groups import SpecialGroups
from magpie.errors import InvalidInput
from magpie.permissions import decisions
from magpie.permissions.listing import applied_by_resource, group_principal, user_groups, user_principal
from magpie.permissions.values import format_permissions


def annotate_for_principal(tree: dict, session: Session, settings, service: models.Service, *,
                           user: Optional[models.User] = None, group: Optional[models.Group] = None,
                           inherited: bool = False, effective: bool = False) -> None:
    """Add to every node of ``tree`` (local or merged, remote-only nodes included) the applied
    permissions of ``user`` (with its groups' when ``inherited``) or of ``group``, and with
    ``effective`` the resolved access of ``user``, or of an anonymous caller when no user is
    named (remote-only nodes resolve through their nearest local ancestor). ``inherited``
    without a user changes nothing."""
    if user is not None and group is not None:
        raise InvalidInput("group", "name a user or a group, not both")
    if effective and group is not None:
        raise InvalidInput("effective", "effective access is a user's (or an anonymous caller's), not a group's")
    if user is not None or group is not None:
        _annotate_applied(tree, session, SpecialGroups.of(settings), service, user, group, inherited)
    if effective:
        decisions.annotate_tree(session, settings, service, tree, user)


def _annotate_applied(tree: dict, session: Session, special: SpecialGroups, service: models.Service,
                      user: Optional[models.User], group: Optional[models.Group], inherited: bool) -> None:
    if user is not None:
        principal = user_principal(user)
        groups = user_groups(session, user, special) if inherited else []
        applied = applied_by_resource(session, None, service.resource_id, principal, groups)
        permission_type = "inherited" if inherited else "direct"
    else:
        applied = applied_by_resource(session, None, service.resource_id, None, [group_principal(group, special)])
        permission_type = "applied"
    stack = list(tree.values())
    while stack:
        node = stack.pop()
        node["allowed_permission_names"] = node["permission_names"]
        found = applied.get(node["id"]) if node["id"] is not None else None
        if found:
            node.update(format_permissions([(item.permission, item.principal.reason) for item in found],
                                           permission_type))
        else:
            node["permission_names"], node["permissions"] = [], []
        stack.extend(node["children"].values())
