"""Reconciling the local tree with the remote one: remove the local resources gone remotely, and
adopt remote ones into the local tree so they can be given permissions.

What counts as gone is recomputed from the stored remote tree at the time of the request, never
taken from what a page showed earlier.
"""
from typing import Dict, Iterable, List, Optional, Tuple

import zope.sqlalchemy
from sqlalchemy.orm import Session

from magpie import audit, models
from magpie.errors import ConflictError, NotFoundError
from magpie.names import parse_id
from magpie.permissions.listing import permissions_on_resources
from magpie.resources.actions import add_child, find_child
from magpie.resources.tree import get_service_tree
from magpie.services.crud import require_sync_type
from magpie.sync.store import has_remote_tree, merged_tree

#: Why a resource listed for cleaning was kept.
KEPT_REASONS = {
    "not_in_service": "no local resource of this service has this id",
    "is_service": "the service itself is removed with DELETE /services/{service}",
    "exists_remotely": "it still exists on the remote service",
    "beyond_max_depth": "it lies deeper than the sync looks, so it cannot be judged",
    "not_verified": "the last sync could not read this part of the remote tree, so it cannot be judged",
    "never_synced": "the service was never synced, so nothing is known to be gone",
}


def _walk(tree: dict, parent_id: Optional[int] = None) -> Iterable[Tuple[dict, Optional[int]]]:
    stack = [(node, parent_id) for node in tree.values()]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        stack.extend((child, node["id"]) for child in node["children"].values())


def clean_gone_resources(session: Session, service: models.Service, resource_ids: Iterable[int], *,
                         dry_run: bool = False, actor: Optional[str] = None) -> dict:
    """Remove the listed local resources that are gone remotely now (recomputed from the stored
    remote tree, not from what the caller saw). Removing a node removes its subtree and every
    permission applied on them: the answer lists those permissions, and a ``dry_run`` answers
    the same without removing anything, so an administrator sees what access goes before it goes.
    """
    sync_type = require_sync_type(service)
    requested = list(dict.fromkeys(resource_ids))
    if not has_remote_tree(service.resource_id, session):
        kept = [{"resource_id": rid, "reason": "never_synced", "detail": KEPT_REASONS["never_synced"]}
                for rid in requested]
        return {"removed": [], "removed_descendants": [], "kept": kept, "permissions": [], "dry_run": dry_run}
    merged = merged_tree(get_service_tree(service, session), sync_type, service.resource_id, session)
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
        elif node.get("unverified"):
            reason = "not_verified"
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
    permissions = permissions_on_resources(session, removed + descendants)
    answer = {"removed": removed, "removed_descendants": descendants, "kept": kept, "permissions": permissions,
              "dry_run": dry_run}
    if tops and not dry_run:
        _record_clean(session, actor, service, tops, parents, permissions)
        # The database cascades each deletion to the subtree (parent_id ON DELETE CASCADE).
        session.execute(models.Resource.__table__.delete().where(models.Resource.resource_id.in_(tops)))
        # A Core statement on a Table does not mark the session changed (zope.sqlalchemy watches
        # flushes and ORM statements only); unmarked, the transaction would end by closing the
        # session and the delete would be lost.
        zope.sqlalchemy.mark_changed(session)
    return answer


def _record_clean(session: Session, actor: Optional[str], service: models.Service, tops: List[int],
                  parents: Dict[int, Optional[int]], permissions: List[dict]) -> None:
    """One ``resource.clean`` entry per removed subtree, with the resources and permissions that
    went with it (the access-control version is bumped once for the whole clean)."""
    top_of: Dict[int, int] = {}
    tops_set = set(tops)
    for rid in parents:
        node: Optional[int] = rid
        while node is not None and node not in top_of and node not in tops_set:
            node = parents.get(node)
        if node is not None:
            top_of[rid] = top_of.get(node, node)
    below: Dict[int, List[int]] = {top: [] for top in tops}
    for rid, top in top_of.items():
        if rid != top:
            below[top].append(rid)
    lost: Dict[int, List[dict]] = {top: [] for top in tops}
    for permission in permissions:
        lost[top_of[permission["resource_id"]]].append(permission)
    for index, top in enumerate(tops):
        audit.record(session, actor, "resource.clean", service_id=service.resource_id, resource_id=top,
                     before={"descendants": sorted(below[top]), "permissions": lost[top]},
                     changes_access=index == len(tops) - 1)


def find_remote(session: Session, service: models.Service, remote_id: int) -> models.RemoteResource:
    """Remote node ``remote_id`` of ``service``, else :class:`NotFoundError`."""
    remote = session.get(models.RemoteResource, remote_id) if parse_id(remote_id) else None
    if remote is None or remote.service_id != service.resource_id:
        raise NotFoundError(f"service {service.resource_name!r} has no remote resource {remote_id!r}")
    return remote


def adopt_remote_resource(session: Session, service: models.Service, remote_id: int, *,
                          actor: Optional[str] = None, expected_path: Optional[List[str]] = None) -> dict:
    """Create the local path down to remote node ``remote_id``, reusing the local ancestors that
    already exist, so the node can be given permissions; audited as ``resource.adopt`` when it
    created anything. ``expected_path``: the names below the service the caller saw for the
    node; a node that is now elsewhere is refused (:class:`ConflictError`), not adopted."""
    remote = find_remote(session, service, remote_id)
    chain = [remote]
    while chain[-1].parent_id is not None:
        parent = session.get(models.RemoteResource, chain[-1].parent_id)
        if parent is None or len(chain) > 10_000:
            raise ConflictError(f"remote resource {remote_id} does not reach its service's main node")
        chain.append(parent)
    path = list(reversed(chain))[1:]  # below the main node, which stands for the service
    if expected_path is not None and [node.resource_name for node in path] != list(expected_path):
        raise ConflictError(f"remote resource {remote_id} is now at "
                            f"{'/'.join(node.resource_name for node in path)!r}, not {'/'.join(expected_path)!r}: "
                            "the tree changed since it was read, reload it")

    current: models.Resource = service
    created: List[int] = []
    existing: List[int] = []
    for remote_node in path:
        child = find_child(session, current.resource_id, remote_node.resource_name)
        if child is None:
            display = remote_node.resource_display_name
            child = add_child(session, service, current, remote_node.resource_name, remote_node.resource_type,
                               display if display and display != remote_node.resource_name else None)
            created.append(child.resource_id)
        else:
            existing.append(child.resource_id)
        current = child
    answer = {"resource_id": current.resource_id, "created": created, "existing": existing}
    if created:
        audit.record(session, actor, "resource.adopt", service_id=service.resource_id,
                     resource_id=current.resource_id, after={"remote_id": remote.resource_id, **answer})
    return answer
