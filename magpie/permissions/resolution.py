"""Effective access of a user to a resource, from the permissions applied along its branch.

Magpie's resolution (``docs/permissions.rst``, "Permissions Resolution"), pure:

1. a member of the administrators group is allowed everything (reason ``administrator``);
2. the walk starts on the target and climbs to its service; a ``match`` permission counts only
   on the target itself, a ``recursive`` one wherever it is found;
3. on each level the applicable permissions are resolved by principal priority: the user's own,
   then generic groups (the authenticated group is one of them, Magpie knows no other kind),
   then the anonymous group; among the top priority, deny beats allow;
4. the nearest finding holds: a finding further up replaces it only when its principal has a
   strictly higher priority, so a user permission ends the walk (nothing outranks it);
5. nothing found: denied, reason ``no-permission``.

Why this order, and why it is fast: the administrator check is one pass over the groups and
spares the walk entirely. The walk goes nearest-first because the nearest finding wins unless
outranked, so a user finding, the commonest explicit rule, stops it at once. In the inner loop
the name is compared first (most applied permissions on a level are for other names), then the
scope, and the principal's priority is looked up last, in a dict built once per call. Only the
:class:`Decision` is allocated; the two answers that need no permission are shared constants.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from magpie.permissions.values import Permission

ADMINISTRATORS = "administrators"
ANONYMOUS = "anonymous"
AUTHENTICATED = "authenticated"
SPECIAL_GROUPS = (ADMINISTRATORS, ANONYMOUS, AUTHENTICATED)

REASON_ADMINISTRATOR = "administrator"
REASON_MULTIPLE = "multiple"
REASON_NO_PERMISSION = "no-permission"

# principal priorities (Magpie: anonymous group -1, generic groups 0, user above every group)
_ANONYMOUS_GROUP, _GENERIC_GROUP, _USER = 1, 2, 3


@dataclass(frozen=True, slots=True)
class Principal:
    """A user or a group a permission is applied to; ``special`` names the built-in groups."""
    kind: str  # "user" | "group"
    id: int
    name: str
    special: Optional[str] = None
    reason: str = field(init=False, repr=False, compare=False)  # "user:<id>:<name>", computed once

    def __post_init__(self) -> None:
        if self.kind not in ("user", "group"):
            raise ValueError(f"principal kind must be 'user' or 'group', got {self.kind!r}")
        if self.special is not None and self.special not in SPECIAL_GROUPS:
            raise ValueError(f"special must be one of {SPECIAL_GROUPS} or None, got {self.special!r}")
        object.__setattr__(self, "reason", f"{self.kind}:{self.id}:{self.name}")


@dataclass(frozen=True, slots=True)
class AppliedPermission:
    """A permission applied on a resource for one user or group."""
    principal: Principal
    permission: Permission


@dataclass(frozen=True, slots=True)
class Level:
    """One resource of the branch and the permissions applied on it."""
    resource_id: Optional[int]
    applied: Sequence[AppliedPermission] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer and why: the permission that decided and the resource it is applied on
    (both None for an administrator and when nothing was found)."""
    allowed: bool
    reason: str
    permission: Optional[Permission]
    resource_id: Optional[int]


ADMINISTRATOR_DECISION = Decision(True, REASON_ADMINISTRATOR, None, None)
NO_PERMISSION_DECISION = Decision(False, REASON_NO_PERMISSION, None, None)


def _group_priorities(groups: Sequence[Principal]) -> Optional[Dict[int, int]]:
    """Group id -> priority, or None when one group is the administrators group."""
    priorities: Dict[int, int] = {}
    for group in groups:
        special = group.special
        if special == ADMINISTRATORS:
            return None
        priorities[group.id] = _ANONYMOUS_GROUP if special == ANONYMOUS else _GENERIC_GROUP
    return priorities


def _resolve(name: str, chain: Sequence[Level], user_id: Optional[int],
             priorities: Dict[int, int], exact: bool) -> Decision:
    found = 0  # priority of the current finding, 0 = none
    found_deny = False
    found_applied: Optional[AppliedPermission] = None
    found_level: Optional[Level] = None
    found_multiple = False
    match_counts = exact
    for level in chain:
        best = 0
        best_deny = False
        best_applied: Optional[AppliedPermission] = None
        multiple = False
        for applied in level.applied:
            permission = applied.permission
            if permission.name != name or (permission.match and not match_counts):
                continue
            principal = applied.principal
            if principal.kind == "user":
                priority = _USER if principal.id == user_id else 0
            else:
                priority = priorities.get(principal.id, 0)
            if priority <= found or priority < best:  # not ours, or outranked
                continue
            deny = permission.deny
            if priority > best or (deny and not best_deny):
                best, best_deny, best_applied, multiple = priority, deny, applied, False
            elif deny == best_deny and principal.id != best_applied.principal.id:
                multiple = True  # another group of the same priority gives the same verdict
        if best:  # here best > found: nearer findings hold unless outranked
            found, found_deny, found_applied, found_level, found_multiple = (
                best, best_deny, best_applied, level, multiple)
            if found == _USER:
                break
        match_counts = False
    if found_applied is None:
        return NO_PERMISSION_DECISION
    reason = REASON_MULTIPLE if found_multiple else found_applied.principal.reason
    return Decision(not found_deny, reason, found_applied.permission, found_level.resource_id)


def resolve(permission_name: str, chain: Sequence[Level], user: Optional[Principal],
            groups: Sequence[Principal], *, exact: bool = True) -> Decision:
    """Effective access of ``user`` (member of ``groups``) to ``chain[0]`` for one permission.

    ``chain`` runs from the target (index 0) up to its service (last). ``exact=False`` says that
    ``chain[0]`` is only the nearest existing ancestor of a target that does not exist (Magpie's
    ``(parent, False)``): ``match`` permissions then count nowhere, only recursive ones reach it.
    ``user`` None is a request without a user (only group permissions count).
    """
    priorities = _group_priorities(groups)
    if priorities is None:
        return ADMINISTRATOR_DECISION
    return _resolve(permission_name, chain, None if user is None else user.id, priorities, exact)


def resolve_all(names: Sequence[str], chain: Sequence[Level], user: Optional[Principal],
                groups: Sequence[Principal], *, exact: bool = True) -> Dict[str, Decision]:
    """:func:`resolve` for several names, the group priorities computed once."""
    priorities = _group_priorities(groups)
    if priorities is None:
        return dict.fromkeys(names, ADMINISTRATOR_DECISION)
    user_id = None if user is None else user.id
    return {name: _resolve(name, chain, user_id, priorities, exact) for name in names}


def inherited(chain: Sequence[Level], user: Optional[Principal],
              groups: Sequence[Principal]) -> List[AppliedPermission]:
    """Permissions applied on the target itself for the user and for each of its groups.

    Magpie's ``inherited=true``: the target only, no climbing (that is :func:`resolve`) and no
    administrator shortcut; with no groups it is the user's direct permissions. The user's come
    first, then each group's in the order ``groups`` gives; each principal's ``reason`` says
    where a permission comes from.
    """
    if not chain:
        return []
    user_id = None if user is None else user.id
    rank = {group.id: position for position, group in enumerate(groups, start=1)}
    found = []
    for applied in chain[0].applied:
        principal = applied.principal
        if principal.kind == "user":
            position = 0 if principal.id == user_id else None
        else:
            position = rank.get(principal.id)
        if position is not None:
            found.append((position, applied))
    found.sort(key=lambda item: (item[0], item[1].permission.sort_key()))
    return [applied for _, applied in found]
