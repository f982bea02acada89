"""Pure functions on resource trees: build a crawled tree under limits, and compute the diff
between a stored remote tree (database rows) and a freshly crawled one.

The diff works on paths of names relative to the service's main node, so a node that still exists
keeps its row and id whatever else changed around it.
"""
import datetime
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

from magpie.sync.config import MAX_TREE_DEPTH
from magpie.sync.remote.http import RemoteError

Path = Tuple[str, ...]


#: Key a crawled node carries when its children could not all be read, with the reason.
UNVERIFIED = "unverified"


class NodeLimitExceeded(RemoteError):
    """The remote tree has more nodes than the service's ``max_nodes``."""


class TreeTooDeep(RemoteError):
    """A remote path is deeper than :data:`~magpie.sync.config.MAX_TREE_DEPTH`."""


def mark_unverified(main_node: dict, path: Path, reason: str) -> None:
    """Say that what lies below ``path`` (relative to the main node) could not be read. A path the
    tree does not hold (cut by ``max_depth``) marks its deepest ancestor that it does hold: more
    is left unjudged, nothing is judged gone wrongly."""
    node = main_node
    for name in path:
        child = node["children"].get(name)
        if child is None:
            break
        node = child
    if not node.get(UNVERIFIED):
        node[UNVERIFIED] = reason


class RemoteTree:
    """Builds the nested-dict tree of a crawl with a node limit and depth truncation: a path deeper
    than ``max_depth`` is cut to its ancestor at ``max_depth``, which does exist remotely.

    Siblings usually arrive together (the datasets of one catalog), so the children dict of each
    parent path is cached: adding a node costs one lookup instead of a walk from the root.
    """

    def __init__(self, max_depth: Optional[int], max_nodes: int):
        self.children: dict = {}
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.count = 0
        self._levels: Dict[Path, dict] = {(): self.children}

    def _new_node(self, path: Path, resource_type: str, display: str) -> dict:
        self.count += 1
        if self.count > self.max_nodes:
            raise NodeLimitExceeded("/".join(path), f"more than {self.max_nodes} remote nodes")
        return {"children": {}, "resource_type": resource_type, "resource_display_name": display}

    def _level(self, parent: Path) -> dict:
        """The children dict of ``parent``, creating missing directories on the way (a loop from
        the deepest known ancestor: remote paths never drive recursion)."""
        level = self._levels.get(parent)
        if level is not None:
            return level
        if len(parent) >= MAX_TREE_DEPTH:
            raise TreeTooDeep("/".join(parent)[:200], f"the remote tree is deeper than {MAX_TREE_DEPTH} levels")
        known = len(parent) - 1
        while known > 0 and parent[:known] not in self._levels:
            known -= 1
        level = self._levels[parent[:known]]
        for end in range(known + 1, len(parent) + 1):
            name = parent[end - 1]
            node = level.get(name)
            if node is None:
                node = level[name] = self._new_node(parent[:end], "directory", name)
            elif node["resource_type"] == "file":
                node["resource_type"] = "directory"  # something lies below it
            level = self._levels[parent[:end]] = node["children"]
        return level

    def add_children(self, parent: Path, items: Iterable[Tuple[str, str]], resource_type: str) -> None:
        """Add ``(name, title)`` siblings under ``parent`` in one call: the datasets of a catalog
        mostly share one directory, so its level is found once instead of once per dataset."""
        if self.max_depth is not None and len(parent) >= self.max_depth:
            for name, title in items:
                self.add(parent + (name,), resource_type, title)
            return
        level = self._levels.get(parent)
        if level is None:
            level = self._level(parent)
        count = self.count
        for name, title in items:
            node = level.get(name)
            if node is None:
                count += 1
                level[name] = {"children": {}, "resource_type": resource_type, "resource_display_name": title or name}
            elif title and node["resource_display_name"] == name:
                node["resource_display_name"] = title
        self.count = count
        if count > self.max_nodes:  # checked once per call: one catalog's worth over at most
            raise NodeLimitExceeded("/".join(parent), f"more than {self.max_nodes} remote nodes")

    def add(self, path: Path, resource_type: str, title: str = "") -> None:
        if not path:
            return
        if self.max_depth is not None and len(path) > self.max_depth:
            path, resource_type, title = path[: self.max_depth], "directory", ""
        level = self._level(path[:-1])
        name = path[-1]
        node = level.get(name)
        if node is None:
            level[name] = self._new_node(path, resource_type, title or name)
        elif title and node["resource_display_name"] == name:
            node["resource_display_name"] = title


class StoredNode(NamedTuple):
    """One ``remote_resources`` row as the diff needs it (database rows of these columns work too)."""

    resource_id: int
    parent_id: Optional[int]
    resource_name: str
    resource_display_name: Optional[str]
    resource_type: str
    ordering: int
    unverified_reason: Optional[str] = None
    last_seen: Optional[datetime.datetime] = None


class AddedNode(NamedTuple):
    """A node to insert. Its parent is either a stored row (``parent_id``) or a node inserted
    before it in the same diff (``parent_index`` into :attr:`TreeDiff.added`, else -1)."""

    parent_index: int
    parent_id: Optional[int]
    resource_name: str
    resource_display_name: Optional[str]
    resource_type: str
    ordering: int
    unverified_reason: Optional[str] = None


@dataclass
class TreeDiff:
    """What a sync changes. ``added`` is in pre-order: a parent always comes before its children.

    Nodes are matched by walking the stored and the crawled trees side by side, name by name, so no
    path of every node is ever built: a million-node tree stays within memory.
    """

    added: List[AddedNode] = field(default_factory=list)
    removed_ids: List[int] = field(default_factory=list)
    changed: List[Dict[str, object]] = field(default_factory=list)  # rows to update, with "rid"
    kept: int = 0
    main_id: Optional[int] = None  # stored id of the main node, None when it is added
    #: Nodes stored not verified after this diff: parts the crawl could not read, and what they held.
    unverified: int = 0
    #: The distinct reasons the crawl gave for the parts it could not read, in the order met.
    partial_reasons: List[str] = field(default_factory=list)
    _stored: Dict[int, object] = field(default_factory=dict, repr=False)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed_ids or self.changed)

    def _stored_path(self, resource_id: Optional[int]) -> Path:
        names = []
        while resource_id is not None and resource_id in self._stored:
            _, parent_id, name = self._stored[resource_id][:3]
            if parent_id is None:
                break
            names.append(name)
            resource_id = parent_id
        return tuple(reversed(names))

    def added_paths(self, limit: Optional[int] = None) -> List[str]:
        """Paths (``a/b/c``) of the added nodes below the main node, for people reading a dry run."""
        paths: List[Path] = []
        result = []
        for node in self.added:
            if node.parent_index >= 0:
                path = paths[node.parent_index] + (node.resource_name,)
            elif node.parent_id is not None:
                path = self._stored_path(node.parent_id) + (node.resource_name,)
            else:
                path = ()
            paths.append(path)
            if path and (limit is None or len(result) < limit):
                result.append("/".join(path))
        return result

    def removed_paths(self, limit: Optional[int] = None) -> List[str]:
        removed = set(self.removed_ids)
        result = sorted("/".join(self._stored_path(rid)) for rid in self.removed_ids
                        if self._stored[rid][1] not in removed)
        return result[:limit] if limit is not None else result


def plan_diff(rows: Iterable, main_name: str, main_node: dict, main_id: Optional[int],
              seen_before: Optional[datetime.datetime] = None) -> TreeDiff:
    """Compare the stored rows of one service with a crawled tree whose main node is
    ``main_name: main_node``. ``main_id`` is the stored main node (:func:`magpie.sync.store.main_node_id`),
    matched to the crawled one whatever its name, so a renamed service keeps its id; None when
    there is none yet. Rows that cannot be reached from it (orphans of corrupt data) are removed.

    A crawled node marked :data:`UNVERIFIED` keeps the stored children the crawl did not see,
    with their subtrees, marked not verified with its reason; they were last seen when the
    previous sync ran (``seen_before``) unless they were already unverified. A node seen again
    is verified again.

    ``rows`` hold the fields of :class:`StoredNode` in its order. They are read by position and
    nodes are compared in the loop itself: on a tree of a hundred thousand nodes, attribute access
    and a function call per node cost more than the comparison.
    """
    diff = TreeDiff()
    stored = diff._stored
    children_of: Dict[Optional[int], Dict[str, StoredNode]] = {}
    for row in rows:
        resource_id, parent_id, name = row[0], row[1], row[2]
        stored[resource_id] = row
        if parent_id is not None:
            siblings = children_of.get(parent_id)
            if siblings is None:
                siblings = children_of[parent_id] = {}
            siblings[name] = row
    kept_ids = set()
    added = diff.added
    changed = diff.changed
    reasons = diff.partial_reasons
    no_children: Dict[str, StoredNode] = {}
    main_row = stored.get(main_id) if main_id is not None else None
    # The main node is the one child of a level above the tree, so one loop matches every node.
    main = {**main_node, "resource_display_name": main_node.get("resource_display_name") or main_name,
            "resource_type": main_node.get("resource_type", "service")}
    stack = [({main_name: main}, {main_name: main_row} if main_row is not None else no_children, None, -1)]
    while stack:
        children, stored_children, stored_id, index = stack.pop()
        for name, node in children.items():
            display = node.get("resource_display_name")
            rtype = node.get("resource_type", "directory")
            ordering = node.get("ordering", 0) or 0
            reason = node.get(UNVERIFIED)
            row = stored_children.get(name)
            if reason:
                diff.unverified += 1
                if reason not in reasons:
                    reasons.append(reason)
            if row is None:
                added.append(AddedNode(index, stored_id, name, display, rtype, int(ordering), reason))
                child_id, child_index = None, len(added) - 1
            else:
                child_id, child_index = row[0], -1
                kept_ids.add(child_id)
                if row[2] != name or row[3] != display or row[4] != rtype or row[5] != ordering or \
                        row[6] != reason or row[7] is not None:
                    changed.append({"rid": child_id, "resource_name": name, "resource_display_name": display,
                                    "resource_type": rtype, "ordering": int(ordering),
                                    "unverified_reason": reason, "last_seen": None})
                if reason:
                    _keep_unseen(diff, kept_ids, children_of, child_id, node["children"], reason, seen_before)
            if node["children"]:
                stack.append((node["children"], children_of.get(child_id, no_children), child_id, child_index))
    diff.main_id = main_row[0] if main_row is not None else None
    diff.kept = len(kept_ids)
    diff.removed_ids = [rid for rid in stored if rid not in kept_ids]
    return diff


def _keep_unseen(diff: TreeDiff, kept_ids: set, children_of: dict, parent_id: int, crawled: dict,
                 reason: str, seen_before: Optional[datetime.datetime]) -> None:
    """Keep the stored children of ``parent_id`` the crawl did not see, and their subtrees, as not
    verified for ``reason``."""
    stack = [row for name, row in children_of.get(parent_id, {}).items() if name not in crawled]
    while stack:
        row = stack.pop()
        kept_ids.add(row[0])
        diff.unverified += 1
        last_seen = row[7] if row[6] and row[7] is not None else seen_before
        if row[6] != reason or row[7] != last_seen:
            diff.changed.append({"rid": row[0], "resource_name": row[2], "resource_display_name": row[3],
                                 "resource_type": row[4], "ordering": row[5], "unverified_reason": reason,
                                 "last_seen": last_seen})
        stack.extend(children_of.get(row[0], {}).values())
