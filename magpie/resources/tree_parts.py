"""The tree API's parts of a tree: one entry point for the local tree and the merged one, with
``depth``, ``parent``, ``q`` and ``status`` (see :mod:`~magpie.resources.slicing`) and
whole-tree counts."""
from typing import Optional

from sqlalchemy.orm import Session

from magpie import models
from magpie.errors import ConflictError, NotFoundError
from magpie.permissions.listing import permissions_on_resources
from magpie.resources import slicing, tree_filter
from magpie.resources.actions import get_resource_tree
from magpie.resources.partial_tree import PartialTree
from magpie.resources.tree import get_service_tree
from magpie.services.crud import require_sync_type
from magpie.sync.status import get_sync_status

REMOTE_PREFIX = "remote:"


def wants_part(depth: Optional[int], parent: Optional[str], q: Optional[str], status: Optional[str] = None) -> bool:
    return depth is not None or parent is not None or q is not None or status is not None


def tree_part(service: models.Service, session: Session, *, with_remote: bool, depth: Optional[int] = None,
              parent: Optional[str] = None, q: Optional[str] = None, counts: bool = False,
              status: Optional[str] = None) -> dict:
    """``{"resources", ["sync"], ["counts"], ["parent"], ["filter"]}``: the whole tree, or the
    part ``depth``, ``parent`` (a local id or ``remote:ID``), ``q`` or ``status`` asks for. A
    filter looks through the whole tree, so with ``q`` or ``status`` the other two are not used.
    Statuses are the merge's: ``status`` reads the merged tree, ``with_remote`` or not."""
    with_remote = with_remote or status is not None
    if not wants_part(depth, parent, q, status):
        answer = get_resource_tree(service, session, with_remote=with_remote)
        if counts:
            answer["counts"] = slicing.tree_counts(answer["resources"], merged=with_remote)
        return answer
    if with_remote:
        return _merged_part(service, session, depth, parent, q, status, counts)
    return _local_part(service, session, depth, parent, q, counts)


def _filter_note(q: Optional[str], status: Optional[str], total: int) -> dict:
    return {"q": q, "status": status, "matches": total, "shown": min(total, slicing.MAX_MATCHES)}


def _merged_part(service, session, depth, parent, q, status, counts) -> dict:
    sync_type = require_sync_type(service)
    try:
        view = PartialTree(session, service, sync_type)
    except ValueError as exc:  # a sync type or configuration stored by other means
        raise ConflictError(f"service {service.resource_name!r} cannot be merged: {exc}") from None
    answer: dict = {}
    if q is not None or status is not None:
        answer["resources"], total = tree_filter.filtered(view, q, status)
        answer["filter"] = _filter_note(q, status, total)
    else:
        answer["resources"], answer["parent"] = view.subtree(parent, depth)
    answer["sync"] = get_sync_status(service, session)
    if counts:
        answer["counts"] = view.counts()
    _count_permissions_at_risk(session, answer["resources"])
    return answer


def _count_permissions_at_risk(session: Session, tree: dict) -> None:
    """``gone_permissions`` on every gone node of a part: the permissions (of anyone) a clean
    would remove with it, so a page can warn before anyone asks for a clean."""
    gone, stack = {}, list(tree.values())
    while stack:
        node = stack.pop()
        if node["id"] is not None and not node["matches_remote"]:
            gone[node["id"]] = node
        stack.extend(node["children"].values())
    for node in gone.values():
        node["gone_permissions"] = 0
    for permission in permissions_on_resources(session, gone):
        gone[permission["resource_id"]]["gone_permissions"] += 1


def _local_part(service, session, depth, parent, q, counts) -> dict:
    tree = get_service_tree(service, session)
    answer: dict = {}
    if q is not None:
        answer["resources"], total = slicing.filtered(tree, q)
        answer["filter"] = _filter_note(q, None, total)
    else:
        if parent is not None and parent.startswith(REMOTE_PREFIX):
            raise NotFoundError(f"the local tree of {service.resource_name!r} has no remote nodes: add sync=true")
        path = _local_path(tree, int(parent)) if parent is not None else list(tree)
        answer["resources"] = slicing.subtree(tree, path, depth)
        level = answer["resources"]
        for name in path:
            node, level = level[name], level[name]["children"]
        answer["parent"] = {"path": path, "id": node["id"], "remote_id": None}
    if counts:
        answer["counts"] = slicing.tree_counts(tree, merged=False)
    return answer


def _local_path(tree: dict, resource_id: int) -> list:
    stack = [([name], node) for name, node in tree.items()]
    while stack:
        path, node = stack.pop()
        if node["id"] == resource_id:
            return path
        stack.extend((path + [name], child) for name, child in node["children"].items())
    service_name = next(iter(tree))
    raise NotFoundError(f"service {service_name!r} has no resource {resource_id}")
