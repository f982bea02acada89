"""Pure functions on resource trees: build a crawled tree under limits, and compute the diff
between a stored remote tree (database rows) and a freshly crawled one.

The diff works on paths of names relative to the service's main node, so a node that still exists
keeps its row and id whatever else changed around it.
"""
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from magpie.helpers.http import RemoteError

Path = Tuple[str, ...]


class NodeLimitExceeded(RemoteError):
    """The remote tree has more nodes than the service's ``max_nodes``."""


class RemoteTree:
    """Builds the nested-dict tree of a crawl with a node limit and depth truncation: a path deeper
    than ``max_depth`` is cut to its ancestor at ``max_depth``, which does exist remotely."""

    def __init__(self, max_depth: Optional[int], max_nodes: int):
        self.children: dict = {}
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.count = 0

    def add(self, path: Path, resource_type: str, title: str = "") -> None:
        if self.max_depth is not None and len(path) > self.max_depth:
            path, resource_type, title = path[: self.max_depth], "directory", ""
        level = self.children
        last_index = len(path) - 1
        for index, name in enumerate(path):
            last = index == last_index
            node = level.get(name)
            if node is None:
                self.count += 1
                if self.count > self.max_nodes:
                    raise NodeLimitExceeded("/".join(path), f"more than {self.max_nodes} remote nodes")
                node = level[name] = {
                    "children": {},
                    "resource_type": resource_type if last else "directory",
                    "resource_display_name": (title or name) if last else name,
                }
            elif not last:
                if node["resource_type"] == "file":
                    node["resource_type"] = "directory"  # something lies below it
            elif title and node["resource_display_name"] == name:
                node["resource_display_name"] = title
            level = node["children"]


@dataclass(frozen=True)
class StoredNode:
    """One ``remote_resources`` row as the diff needs it."""

    resource_id: int
    parent_id: Optional[int]
    resource_name: str
    resource_display_name: Optional[str]
    resource_type: str
    ordering: int


@dataclass
class TreeDiff:
    """What a sync changes. ``added`` is in pre-order: a parent always comes before its children."""

    added: List[Tuple[Path, str, Optional[str], str, int]] = field(default_factory=list)  # path, name, display, type, ordering
    removed_ids: List[int] = field(default_factory=list)  # deepest first
    changed: List[Dict[str, object]] = field(default_factory=list)  # rows to update, with "rid"
    kept: int = 0
    id_by_path: Dict[Path, int] = field(default_factory=dict)  # stored ids of kept nodes
    removed_paths: List[Path] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed_ids or self.changed)


def stored_paths(rows: Iterable[StoredNode]) -> Dict[Path, StoredNode]:
    """Path of every stored row. The main node (no parent) has the path ``()``; rows that cannot
    reach it (duplicate main nodes, orphans) are returned under ``None`` keys as removals."""
    rows = list(rows)
    by_id = {row.resource_id: row for row in rows}
    paths: Dict[int, Optional[Path]] = {}
    root_id = None
    for row in rows:
        if row.parent_id is None and root_id is None:
            root_id = row.resource_id
    result: Dict[Path, StoredNode] = {}
    for row in rows:
        chain = []
        current: Optional[StoredNode] = row
        path: Optional[Path] = None
        while current is not None:
            known = paths.get(current.resource_id, False)
            if known is not False:
                path = known
                break
            if current.resource_id == root_id:
                path = ()
                paths[current.resource_id] = path
                break
            chain.append(current)
            current = by_id.get(current.parent_id) if current.parent_id is not None else None
            if len(chain) > len(rows):  # a cycle in corrupt data
                current = None
        for node in reversed(chain):
            path = None if path is None else path + (node.resource_name,)
            paths[node.resource_id] = path
    for row in rows:
        path = paths.get(row.resource_id)
        if path is not None:
            result[path] = row
    return result


def iter_tree(main_node: dict) -> Iterable[Tuple[Path, str, Optional[str], str, int]]:
    """(path, name, display name, type, ordering) of every node below ``main_node``, pre-order."""
    stack = [((), main_node["children"])]
    while stack:
        prefix, children = stack.pop()
        for name, node in children.items():
            path = prefix + (name,)
            yield path, name, node.get("resource_display_name"), node.get("resource_type", "directory"), \
                int(node.get("ordering", 0) or 0)
            if node["children"]:
                stack.append((path, node["children"]))


def plan_diff(rows: Sequence[StoredNode], main_name: str, main_node: dict) -> TreeDiff:
    """Compare the stored rows of one service with a crawled tree whose main node is
    ``main_name: main_node``."""
    stored = stored_paths(rows)
    diff = TreeDiff()
    wanted_main = (main_name, main_node.get("resource_display_name") or main_name,
                   main_node.get("resource_type", "service"))
    crawled = [((), main_name, wanted_main[1], wanted_main[2], 0)]
    crawled.extend(iter_tree(main_node))
    seen = set()
    for path, name, display, rtype, ordering in crawled:
        seen.add(path)
        row = stored.get(path)
        if row is None:
            diff.added.append((path, name, display, rtype, ordering))
            continue
        diff.kept += 1
        diff.id_by_path[path] = row.resource_id
        if (row.resource_name, row.resource_display_name, row.resource_type, row.ordering) != \
                (name, display, rtype, ordering):
            diff.changed.append({"rid": row.resource_id, "resource_name": name, "resource_display_name": display,
                                 "resource_type": rtype, "ordering": ordering})
    kept_ids = set(diff.id_by_path.values())
    gone = [row for row in rows if row.resource_id not in kept_ids]
    depth = {row.resource_id: len(path) for path, row in stored.items()}
    gone.sort(key=lambda row: depth.get(row.resource_id, 0), reverse=True)
    diff.removed_ids = [row.resource_id for row in gone]
    diff.removed_paths = sorted(path for path, row in stored.items() if path not in seen)
    return diff
