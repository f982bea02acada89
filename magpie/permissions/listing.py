"""Reading applied permissions in bulk: a user's own and its groups' on one resource (Magpie's
``inherited`` and ``resolve``), a principal's over a whole service (the trees), and everyone's on a
set of resources (what goes with a resource that is deleted or cleaned).

Each read is one query per table, whatever the number of resources, so a tree of 100,000 nodes
costs the same two queries as a single resource.
"""
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models
from magpie.accounts.groups import SpecialGroups
from magpie.permissions.resolution import ADMINISTRATORS, AppliedPermission, Level, Principal, inherited, resolve_all
from magpie.permissions.values import Permission, parse_stored

_USERS = models.UserResourcePermission.__table__
_GROUPS = models.GroupResourcePermission.__table__
_RESOURCES = models.Resource.__table__
#: Ids per ``IN (...)`` list, under every database's limit on bound parameters.
CHUNK = 5000


def user_principal(user: models.User) -> Principal:
    return Principal("user", user.id, user.user_name)


def group_principal(group: models.Group, special: SpecialGroups) -> Principal:
    return Principal("group", group.id, group.group_name, special.kind_of(group.group_name))


def user_groups(session: Session, user: models.User, special: SpecialGroups) -> List[Principal]:
    """The groups ``user`` is a member of, by name, marked with their special kind."""
    groups = session.execute(
        sa.select(models.Group).join(models.UserGroup, models.UserGroup.group_id == models.Group.id)
        .where(models.UserGroup.user_id == user.id).order_by(models.Group.group_name)).scalars()
    return [group_principal(group, special) for group in groups]


def _applied_rows(session: Session, where_users, where_groups) -> Iterable[Tuple[int, str, int, str]]:
    """(resource_id, "user"|"group", principal id, perm_name) of both tables."""
    if where_users is not None:
        for row in session.execute(sa.select(_USERS.c.resource_id, _USERS.c.user_id, _USERS.c.perm_name)
                                   .where(where_users)):
            yield row[0], "user", row[1], row[2]
    if where_groups is not None:
        for row in session.execute(sa.select(_GROUPS.c.resource_id, _GROUPS.c.group_id, _GROUPS.c.perm_name)
                                   .where(where_groups)):
            yield row[0], "group", row[1], row[2]


def applied_by_resource(session: Session, resource_ids: Optional[Sequence[int]], service_id: Optional[int],
                        user: Optional[Principal], groups: Sequence[Principal]) -> Dict[int, List[AppliedPermission]]:
    """resource id -> the permissions applied on it for ``user`` and ``groups``: on the listed
    resources, or on every resource of service ``service_id`` (the service included)."""
    principals = {("group", group.id): group for group in groups}
    if user is not None:
        principals[("user", user.id)] = user
    group_ids = [group.id for group in groups]

    def scope(column):
        if resource_ids is not None:
            return column.in_(list(resource_ids))
        in_service = sa.select(_RESOURCES.c.resource_id).where(_RESOURCES.c.root_service_id == service_id)
        return sa.or_(column == service_id, column.in_(in_service))

    where_users = sa.and_(_USERS.c.user_id == user.id, scope(_USERS.c.resource_id)) if user is not None else None
    where_groups = sa.and_(_GROUPS.c.group_id.in_(group_ids), scope(_GROUPS.c.resource_id)) if group_ids else None
    found: Dict[int, List[AppliedPermission]] = {}
    for resource_id, kind, principal_id, perm_name in _applied_rows(session, where_users, where_groups):
        permission = parse_stored(perm_name)
        if permission is not None:
            found.setdefault(resource_id, []).append(AppliedPermission(principals[(kind, principal_id)], permission))
    return found


def inherited_on(session: Session, resource_id: int, user: Principal,
                 groups: Sequence[Principal]) -> List[AppliedPermission]:
    """Magpie's ``inherited=true``: the user's and its groups' permissions on this resource alone,
    the user's first."""
    applied = applied_by_resource(session, [resource_id], None, user, groups).get(resource_id, [])
    return inherited([Level(resource_id, tuple(applied))], user, groups)


def resolved_on(session: Session, resource_id: int, user: Principal,
                groups: Sequence[Principal]) -> List[Tuple[Permission, str]]:
    """Magpie's ``resolve=true``: one permission per name among the user's and its groups'
    permissions on this resource alone (user first, then group priority, deny before allow),
    with the reason. Local only: nothing is inherited from the ancestors, and administrators are
    resolved like any group (their shortcut belongs to ``effective``)."""
    applied = applied_by_resource(session, [resource_id], None, user, groups).get(resource_id, [])
    plain = [Principal("group", g.id, g.name, None if g.special == ADMINISTRATORS else g.special) for g in groups]
    names = sorted({item.permission.name for item in applied})
    decisions = resolve_all(names, [Level(resource_id, tuple(applied))], user, plain)
    return [(decision.permission, decision.reason) for decision in decisions.values() if decision.permission]


def permissions_on_resources(session: Session, resource_ids: Iterable[int]) -> List[dict]:
    """Every permission applied on these resources, for any user or group, with the principal's
    name: what goes away with them. Ordered by resource, principal, name."""
    ids = sorted(set(resource_ids))
    rows = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows += session.execute(
            sa.select(_USERS.c.resource_id, sa.literal("user"), models.User.user_name, _USERS.c.perm_name)
            .join(models.User.__table__, models.User.id == _USERS.c.user_id).where(_USERS.c.resource_id.in_(chunk))
        ).all()
        rows += session.execute(
            sa.select(_GROUPS.c.resource_id, sa.literal("group"), models.Group.group_name, _GROUPS.c.perm_name)
            .join(models.Group.__table__, models.Group.id == _GROUPS.c.group_id).where(_GROUPS.c.resource_id.in_(chunk))
        ).all()
    listed = []
    for resource_id, kind, name, perm_name in sorted(rows, key=lambda row: (row[0], row[1] == "group", row[2], row[3])):
        permission = parse_stored(perm_name)
        if permission is not None:
            listed.append({"resource_id": resource_id, "principal_type": kind, "principal_name": name,
                           "permission_name": permission.explicit, "name": permission.name,
                           "access": permission.access.value, "scope": permission.scope.value})
    return listed
