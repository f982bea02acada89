"""The merged tree of a service in parts, read from the database by level instead of merging the
whole stored remote tree: what :mod:`~magpie.resources.slicing` cuts from a full merged tree, with
the same nodes (``remote_id``, ``matches_remote``, ``beyond_max_depth``), so a page opens a
million-node service by reading a few levels.

The local tree is read whole (one indexed query): it is what administrators registered, and
every count and filter judges each of its nodes against its remote twin (one query pairs them,
:func:`~magpie.resources.remote_rows.twins`); the remote-only nodes are counted by the database.
The filters are in :mod:`~magpie.resources.tree_filter`.
"""
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

from sqlalchemy.orm import Session

from magpie import models
from magpie.errors import NotFoundError
from magpie.resources import remote_rows
from magpie.resources.remote_rows import RemoteRow, Selection, Twin
from magpie.resources.slicing import COUNT_KEYS, shallow, status_of
from magpie.resources.tree import get_service_tree, permission_names_of
from magpie.sync.store import get_sync_info, main_node_id, unverified_info
from magpie.sync.types import get_sync_type

#: (merged node being built, its local node or None, its remote row id or None, its depth)
_Entry = Tuple[dict, Optional[dict], Optional[int], int]
#: A remote node as far as a local node's judgement needs it.
Remote = Union[RemoteRow, Twin]


class PartialTree:
    """One service's merged tree, read on demand within one request's session."""

    def __init__(self, session: Session, service: models.Service, sync_type: str):
        self.session, self.service, self.service_id = session, service, service.resource_id
        self.local = get_service_tree(service, session)
        self.root_name, self.local_root = next(iter(self.local.items()))
        self.main_id = main_node_id(self.service_id, session)
        self.max_depth = get_sync_type(sync_type).effective_max_depth(service.configuration)
        info = get_sync_info(self.service_id, session)
        self.last_sync = info.last_sync if info is not None else None
        self._names: Dict[str, List[str]] = {}
        self._twins: Optional[Tuple[Optional[Selection], Dict[int, Twin]]] = None
        self._main: Optional[RemoteRow] = None

    # --- one node -----------------------------------------------------------------------------

    def judge(self, local_id: int, remote: Optional[Remote], depth: int, parent_unverified: Optional[dict]) -> dict:
        """What the full merge (:func:`magpie.sync.merge.merge_trees`) says of a local node:
        below a part of the remote tree the last sync could not read (``parent_unverified``), a
        local node without a twin is not judged, nor one deeper than the sync looks."""
        beyond = self.max_depth is not None and depth > self.max_depth
        unverified = unverified_info(remote.unverified_reason, remote.last_seen, self.last_sync) \
            if remote is not None else parent_unverified
        return {"id": local_id, "remote_id": remote.id if remote is not None else None, "beyond_max_depth": beyond,
                "unverified": unverified,
                "matches_remote": remote is not None or beyond or parent_unverified is not None}

    def node(self, local: Optional[dict], remote: Optional[Remote], depth: int, has_children: bool,
             parent_unverified: Optional[dict] = None) -> dict:
        """The merged node of a local node and/or its remote twin, as the full merge makes it."""
        if local is not None:
            merged = shallow(local, has_children)
            merged.update(self.judge(local["id"], remote, depth, parent_unverified))
            return merged
        names = self._names.get(remote.resource_type)
        if names is None:
            names = self._names[remote.resource_type] = permission_names_of(self.service.type, remote.resource_type)
        unverified = unverified_info(remote.unverified_reason, remote.last_seen, self.last_sync)
        return {"id": None, "remote_id": remote.id, "matches_remote": True, "beyond_max_depth": False,
                "unverified": unverified, "resource_type": remote.resource_type,
                "resource_display_name": remote.display_name or remote.name,
                "permission_names": list(names), "permissions": [], "children": {}, "has_children": has_children,
                "children_loaded": not has_children}

    def root(self) -> dict:
        if self._main is None and self.main_id is not None:
            self._main = remote_rows.rows_by_id(self.session, self.service_id, [self.main_id]).get(self.main_id)
        return self.node(self.local_root, self._main, 0, True)

    # --- levels -------------------------------------------------------------------------------

    def expand(self, entries: List[_Entry], depth: Optional[int]) -> None:
        """Add ``depth`` levels (all when None) below each entry, one level at a time; the nodes of
        the last level say whether they have children without reading them."""
        level = 0
        while entries and (depth is None or level < depth):
            remote_children = remote_rows.children_of(
                self.session, self.service_id, [remote_id for _, _, remote_id, _ in entries if remote_id is not None])
            below = []
            for merged, local, remote_id, node_depth in entries:
                local_children = local["children"] if local is not None else {}
                remote_by_name = {row.name: row for row in remote_children.get(remote_id, ())}
                names = sorted(set(local_children) | set(remote_by_name))
                below.extend((merged, name, local_children.get(name), remote_by_name.get(name), node_depth + 1)
                             for name in names)
                merged.update(has_children=bool(names), children_loaded=True)
            level += 1
            last = depth is not None and level >= depth
            parents = remote_rows.with_children(
                self.session, self.service_id, [item[3].id for item in below if item[3] is not None]) if last else ()
            entries = []
            for parent, name, local, remote, node_depth in below:
                has = bool(local and local["children"]) or (remote is not None and (not last or remote.id in parents))
                child = parent["children"][name] = self.node(local, remote, node_depth, has, parent.get("unverified"))
                entries.append((child, local, remote.id if remote is not None else None, node_depth))

    def twins(self, selection: Optional[Selection] = None) -> Dict[int, Twin]:
        """Local resource id -> its remote twin, for the local resources that have one, each
        saying whether ``selection`` holds for it. Read once for a request (a filter's pairing
        serves its counts too): without a selection, whichever was read is answered."""
        if self._twins is None or (selection is not None and self._twins[0] != selection):
            self._twins = (selection, remote_rows.twins(self.session, self.service_id, self.main_id, selection)
                           if self.main_id is not None else {})
        return self._twins[1]

    def local_walk(self):
        """(names below the service, chain of local nodes below it) of every local node."""
        stack = [((), [], self.local_root)]
        while stack:
            path, chain, node = stack.pop()
            for name, child in node["children"].items():
                item = (path + (name,), chain + [child])
                yield item
                stack.append((item[0], item[1], child))

    def judged(self, twins: Dict[int, Twin]) -> Iterator[Tuple[Tuple[str, ...], List[dict], dict]]:
        """(names below the service, chain of local nodes below it, :meth:`judge` of the last
        one) of every local node, each paired with its twin in ``twins``; a parent is judged
        before its children, which inherit its ``unverified``."""
        unverified_of = {self.local_root["id"]: self.root()["unverified"]}
        for path, chain in self.local_walk():
            node = chain[-1]
            parent_id = chain[-2]["id"] if len(chain) > 1 else self.local_root["id"]
            judged = self.judge(node["id"], twins.get(node["id"]), len(path), unverified_of[parent_id])
            unverified_of[node["id"]] = judged["unverified"]
            yield path, chain, judged

    # --- answers ------------------------------------------------------------------------------

    def counts(self) -> Dict[str, int]:
        """Nodes below the service per status: the local ones judged one by one, the remote-only
        ones counted by the database (all remote nodes minus the local ones' twins)."""
        counts = dict.fromkeys(COUNT_KEYS, 0)
        twins = self.twins()
        for _, _, judged in self.judged(twins):
            counts[status_of(judged)] += 1
        if self.main_id is not None:
            remote_total, remote_unverified = remote_rows.node_counts(self.session, self.service_id)
            twins_unverified = sum(1 for twin in twins.values() if twin.unverified_reason)
            counts["remote_only"] += remote_total - remote_unverified - (len(twins) - twins_unverified)
            counts["unverified"] += remote_unverified - twins_unverified
        counts["nodes"] = sum(counts.values())
        return counts

    def _chain_nodes(self, names: Sequence[str], remote_chain: Sequence[Optional[RemoteRow]]) -> List[dict]:
        """Merged nodes from the service down to ``names`` (below it), none with children yet."""
        nodes, local = [self.root()], self.local_root
        for depth, (name, remote) in enumerate(zip(names, remote_chain), start=1):
            local = local["children"].get(name) if local is not None else None
            nodes.append(self.node(local, remote, depth, True, nodes[-1].get("unverified")))
        return nodes

    def _link(self, nodes: List[dict], names: Sequence[str]) -> dict:
        for parent, child, name in zip(nodes, nodes[1:], names):
            parent["children"][name] = child
        return {self.root_name: nodes[0]}

    def subtree(self, parent: Optional[str], depth: Optional[int]) -> Tuple[dict, dict]:
        """The node ``parent`` names (a local id, ``remote:ID``, or None for the service) with
        ``depth`` levels below it, under its ancestors; and where it is."""
        names, remote_chain = self._locate(parent)
        nodes = self._chain_nodes(names, remote_chain)
        target, local = nodes[-1], self.local_root
        for name in names:
            local = local["children"].get(name) if local is not None else None
        remote = remote_chain[-1] if names else None
        remote_id = remote.id if remote is not None else (self.main_id if not names else None)
        self.expand([(target, local, remote_id, len(names))], depth)
        if depth == 0:
            has = bool(local and local["children"]) or bool(
                remote_id is not None and remote_rows.with_children(self.session, self.service_id, [remote_id]))
            target.update(has_children=has, children_loaded=not has)
        place = {"path": [self.root_name, *names], "id": target["id"], "remote_id": target.get("remote_id")}
        return self._link(nodes, names), place

    def _locate(self, parent: Optional[str]) -> Tuple[List[str], List[Optional[RemoteRow]]]:
        """Names below the service down to ``parent`` and the remote row at each."""
        if parent is None:
            return [], []
        if parent.startswith("remote:"):
            remote_id = int(parent[len("remote:"):])
            row = remote_rows.rows_by_id(self.session, self.service_id, [remote_id]).get(remote_id)
            chain = remote_rows.path_of(row, remote_rows.with_ancestors(self.session, self.service_id, [row]),
                                        self.main_id) if row is not None and self.main_id is not None else None
            if chain is None:
                if row is not None and row.id == self.main_id:
                    return [], []
                raise NotFoundError(f"service {self.service.resource_name!r} has no remote node {remote_id}")
            return [row.name for row in chain], list(chain)
        resource_id = int(parent)
        if resource_id == self.local_root["id"]:
            return [], []
        for path, chain in self.local_walk():
            if chain[-1]["id"] == resource_id:
                return list(path), self._remote_chain(path)
        raise NotFoundError(f"service {self.service.resource_name!r} has no resource {resource_id}")

    def _remote_chain(self, names: Sequence[str]) -> List[Optional[RemoteRow]]:
        """The remote row at each step of ``names`` (below the service), one query per level."""
        chain: List[Optional[RemoteRow]] = []
        remote_id = self.main_id
        for name in names:
            row = remote_rows.children_named(self.session, self.service_id, [(remote_id, name)]).get(
                (remote_id, name)) if remote_id is not None else None
            chain.append(row)
            remote_id = row.id if row is not None else None
        return chain
