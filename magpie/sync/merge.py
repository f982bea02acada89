"""Pure functions on name-keyed resource trees: check their shape, merge a local tree with a
remote one, sort them by name.

Every node of a tree is a dict with a dict ``children`` keyed by name. Everything here is iterative
or bounded by the tree's depth, and reads its inputs without changing them (but :func:`sort_tree`,
which sorts in place).
"""
from typing import Optional

from magpie.gc_pause import gc_paused

_NO_CHILDREN: dict = {}


def is_valid_resource_schema(resources) -> bool:
    """True when every node at every depth is a dict with a dict ``children``, keyed by strings.

    Iterative, so a hostile deeply nested document cannot exhaust the stack.
    """
    if not isinstance(resources, dict):
        return False
    stack = [resources]
    while stack:
        level = stack.pop()
        for name, node in level.items():
            if not isinstance(name, str) or not isinstance(node, dict):
                return False
            children = node.get("children")
            if not isinstance(children, dict):
                return False
            if children:
                stack.append(children)
    return True


def _remote_id(remote_node: dict):
    """Magpie's key for the RemoteResource id; trees that only carry ``id`` are read too."""
    remote_id = remote_node.get("remote_id")
    return remote_node.get("id") if remote_id is None else remote_id


def _remote_only_node(remote_node: dict) -> dict:
    children = remote_node["children"]
    return {
        "id": None,
        "remote_id": _remote_id(remote_node),
        "matches_remote": True,
        "beyond_max_depth": False,
        "unverified": remote_node.get("unverified"),
        "resource_type": remote_node.get("resource_type"),
        "resource_display_name": remote_node.get("resource_display_name"),
        "permission_names": [],
        "permissions": [],
        "children": {name: _remote_only_node(child) for name, child in children.items()} if children else {},
    }


def _merge_level(local: dict, remote: dict, depth: int, max_depth: Optional[int],
                 parent_unverified: Optional[dict] = None) -> dict:
    """One level of the merge; leaves (most nodes) are finished without a call of their own.
    ``parent_unverified``: the remote parent's part of the tree could not be read by the last
    sync, so a local node missing from it is not judged either."""
    beyond = max_depth is not None and depth > max_depth
    merged = {}
    for name, local_node in local.items():
        remote_node = remote.get(name)
        node = local_node.copy()
        if remote_node is not None:
            node["remote_id"] = _remote_id(remote_node)
            node["matches_remote"] = True
            node["unverified"] = unverified = remote_node.get("unverified")
            remote_children = remote_node["children"]
        else:
            # Deeper than the sync looked, or below a part it could not read: nothing to compare
            # with, so not reported as gone.
            node["remote_id"] = None
            node["matches_remote"] = beyond or parent_unverified is not None
            node["unverified"] = unverified = parent_unverified
            remote_children = _NO_CHILDREN
        node["beyond_max_depth"] = beyond
        local_children = local_node["children"]
        node["children"] = (_merge_level(local_children, remote_children, depth + 1, max_depth, unverified)
                            if local_children or remote_children else {})
        merged[name] = node
    for name, remote_node in remote.items():
        if name not in local:
            merged[name] = _remote_only_node(remote_node)
    return merged


@gc_paused()
def merge_trees(resources_local: dict, resources_remote: dict, max_depth: Optional[int] = None) -> dict:
    """The local tree with ``remote_id`` and ``matches_remote`` on every node, plus the remote-only
    nodes (``id: None``, no permissions). Local nodes deeper than ``max_depth`` below the service
    cannot be judged: they count as matching and carry ``beyond_max_depth: True``. Nodes in a
    part of the remote tree the last sync could not read are not judged either: they count as
    matching and carry ``unverified`` (reason, last seen), which is None elsewhere. Both trees are
    validated first (ValueError); neither is modified."""
    for tree, label in ((resources_local, "local"), (resources_remote, "remote")):
        if not is_valid_resource_schema(tree):
            raise ValueError(f"{label} resources do not have the resource tree schema")
    return _merge_level(resources_local, resources_remote, 0, max_depth)


def sort_tree(resources: dict) -> None:
    """Sort a tree by name at every level, in place. Plain dicts keep insertion order, so the JSON
    comes out sorted without an OrderedDict."""
    stack = [resources]
    while stack:
        level = stack.pop()
        items = sorted(level.items())
        level.clear()
        level.update(items)
        stack.extend(node["children"] for _, node in items if node["children"])
