"""Decisions: may this user do this on that resource, answered from the index in one call.

A proxy names what it protects the way the sync names it (a THREDDS URL path below the access
prefix, ``workspace/layer``, a process id); what is not registered locally is decided on its
nearest registered ancestor, where only recursive permissions reach it (``exact=False`` of
:func:`~magpie.permissions.resolution.resolve`). Who asks: a signed-in user also counts in the
users group, and everyone, signed in or not, in the anonymous group.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from magpie import models
from magpie.accounts.groups import SpecialGroups
from magpie.errors import InvalidInput, NotFoundError
from magpie.gc_pause import gc_paused
from magpie.names import has_control_characters
from magpie.permissions.index import AclIndex, IndexState, get_index
from magpie.permissions.index_load import ServiceTree
from magpie.permissions.names import ALL_PERMISSION_NAMES, resource_permissions
from magpie.permissions.resolution import Decision, Level, Principal, resolve, resolve_all

#: Longest ``path`` a decision accepts (also the bound of the API parameter).
MAX_PATH_LENGTH = 4096
_NOWHERE = Level(None, ())  # the level of a node that carries nothing of its own


def split_path(path: str) -> Tuple[str, ...]:
    """Resource names of ``a/b/c.nc``: empty and ``.`` segments are dropped and ``..`` removes
    the one before, as a server resolves a URL path (RFC 3986), so that what is decided is what
    would be served, not a name that merely looks like it."""
    if not isinstance(path, str) or len(path) > MAX_PATH_LENGTH or has_control_characters(path):
        raise InvalidInput("path", f"a path is at most {MAX_PATH_LENGTH} characters, without control characters")
    segments: list = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    return tuple(segments)


def _principal(user_id: Optional[int]) -> Optional[Principal]:
    return None if user_id is None else Principal("user", user_id, "")  # resolution compares ids only


def _user_id(user: Optional[models.User]) -> Optional[int]:
    return None if user is None else user.id


def _fresh(bind: Union[Session, Engine], settings) -> Tuple[AclIndex, IndexState, SpecialGroups]:
    """The index of the session's (or engine's) database, brought up to date for a decision that
    begins now."""
    index = get_index(bind.get_bind() if isinstance(bind, Session) else bind)
    return index, index.current(), SpecialGroups.of(settings)


def _service_tree(index: AclIndex, state: IndexState, service_id: int) -> Tuple[IndexState, ServiceTree]:
    state, tree = index.tree(state, service_id)
    if tree is None:
        raise NotFoundError(f"no service with id {service_id}")
    return state, tree


def effective(session: Session, settings, user: Optional[models.User], resource_id: int,
              names: Optional[Sequence[str]] = None) -> Dict[str, Decision]:
    """The effective permissions of ``user`` (None: anonymous) on a local resource, for
    ``names`` (default: every name its resource type carries under its service type)."""
    index, state, special = _fresh(session, settings)
    service_id = next((sid for sid, tree in state.trees.items() if resource_id in tree.parent), None)
    if service_id is None:
        row = session.execute(sa.select(models.Resource.root_service_id, models.Resource.resource_type)
                              .where(models.Resource.resource_id == resource_id)).first()
        if row is None:
            raise NotFoundError(f"no resource with id {resource_id}")
        service_id = resource_id if row[1] == "service" else row[0]
    state, tree = _service_tree(index, state, service_id)
    if resource_id not in tree.parent:
        raise NotFoundError(f"no resource with id {resource_id}")
    if names is None:
        names = resource_permissions(tree.service_type, tree.rtype[resource_id])
    groups = state.groups_of(special, _user_id(user))
    return resolve_all(names, state.chain(tree, resource_id), _principal(_user_id(user)), groups)


def check_permission_name(permission: str) -> str:
    """``permission`` if it is a permission name, else :class:`InvalidInput`. A name the service
    type does not carry is a question with an answer: nothing can be applied, so it is denied
    (but to administrators), as Magpie's resolution would find."""
    if permission not in ALL_PERMISSION_NAMES:
        raise InvalidInput("permission", f"{permission!r} is not a permission name (one of "
                                         f"{', '.join(sorted(ALL_PERMISSION_NAMES))})")
    return permission


def _decide(index: AclIndex, state: IndexState, special: SpecialGroups, service_id: int, path: str,
            permission: str, user_id: Optional[int]) -> dict:
    segments = split_path(path)
    check_permission_name(permission)
    state, tree = _service_tree(index, state, service_id)
    resource_id, exact = tree.lookup(segments)
    decision = resolve(permission, state.chain(tree, resource_id), _principal(user_id),
                       state.groups_of(special, user_id), exact=exact)
    return {
        "allowed": decision.allowed,
        "reason": decision.reason,
        "permission": permission,
        "path": "/".join(segments),
        "resource": {"resource_id": resource_id, "resource_name": tree.name[resource_id],
                     "resource_type": tree.rtype[resource_id], "exact": exact},
        "applied": None if decision.permission is None else {
            "resource_id": decision.resource_id, "permission": decision.permission.explicit},
        "version": state.version,
    }


def authorize(session: Session, settings, service: models.Service, path: str, permission: str,
              user: Optional[models.User]) -> dict:
    """May ``user`` (None: anonymous) use ``permission`` on ``path`` of ``service``?

    ``{"allowed", "reason", "permission", "path", "resource", "applied", "version"}``:
    ``resource`` is the nearest local resource (``exact`` false when the path goes further
    than the local tree), ``applied`` the permission that decided and where it is applied
    (None for an administrator or when nothing applies), ``version`` the access-control version
    the answer reflects.
    """
    index, state, special = _fresh(session, settings)
    return _decide(index, state, special, service.resource_id, path, permission, _user_id(user))


def authorize_named(bind: Union[Session, Engine], settings, service_ref: str, path: str, permission: str, *,
                    user_ref: Optional[str] = None, user_id: Optional[int] = None) -> dict:
    """:func:`authorize` with the service and the user as a client names them (id or name),
    found in the index: a proxy's question costs no query, and needs no session (an engine
    will do). ``user_ref`` wins over ``user_id``; neither is anonymous."""
    index, state, special = _fresh(bind, settings)
    service_id = state.acl.find(state.acl.service_ids, service_ref)
    if service_id is None:
        raise NotFoundError(f"no service {service_ref!r}")
    if user_ref is not None:
        user_id = state.acl.find(state.acl.user_ids, user_ref)
        if user_id is None:
            raise NotFoundError(f"no user {user_ref!r}")
    return _decide(index, state, special, service_id, path, permission, user_id)


@gc_paused()
def annotate_tree(session: Session, settings, service: models.Service, merged_tree: dict,
                  user: Optional[models.User]) -> None:
    """Add ``effective: {name: {"allowed", "reason"}}`` to every node of a merged tree, for the
    names its resource type carries. Nodes only remote (``id`` None) and local nodes without a
    permission of their own get what they inherit, computed once per inheritance context; their
    ``{"allowed", "reason"}`` objects are shared between such nodes (read them, do not change
    them), which keeps a 100,000-node tree to a few allocations per node."""
    index, state, special = _fresh(session, settings)
    state, tree = _service_tree(index, state, service.resource_id)
    groups = state.groups_of(special, _user_id(user))
    principal = _principal(_user_id(user))
    applied, known = state.acl.applied, tree.parent
    names_of: Dict[str, tuple] = {}
    inherited: Dict[tuple, Dict[str, dict]] = {}
    stack = [(node, None) for node in merged_tree.values()]  # (node, nearest ancestor with permissions)
    while stack:
        node, anchor = stack.pop()
        resource_type = node.get("resource_type") or "service"
        names = names_of.get(resource_type)
        if names is None:
            names = names_of[resource_type] = resource_permissions(service.type, resource_type)
        resource_id = node.get("id")
        if resource_id is not None and resource_id in applied and resource_id in known:
            found = _as_json(resolve_all(names, state.chain(tree, resource_id), principal, groups))
            anchor = resource_id
        else:
            found = inherited.get((anchor, names))
            if found is None:
                chain = (_NOWHERE,) + (state.chain(tree, anchor) if anchor is not None else ())
                found = inherited[(anchor, names)] = _as_json(resolve_all(names, chain, principal, groups))
        node["effective"] = dict(found)
        children = node.get("children")
        if children:
            stack.extend((child, anchor) for child in children.values())


def _as_json(found: Dict[str, Decision]) -> Dict[str, dict]:
    return {name: {"allowed": decision.allowed, "reason": decision.reason} for name, decision in found.items()}
