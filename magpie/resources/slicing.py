"""Parts of a tree a page can ask for, so it never downloads a million nodes to show a few hundred:
the levels under a node (``depth``), the subtree of one node (``parent``), the nodes whose name
matches a filter (``q``) or whose status is one asked for (``status``) with their ancestors, and
counts over the whole tree.

Every answer is rooted at the service and keeps the ancestors of what it holds, so a node's
place (and the inheritance of its permissions) is always known. A node whose ``children`` lack
some of its children says ``children_loaded: false``; ``has_children`` tells whether it has any.

These are pure functions over a tree already in memory (the local tree of a service without a
sync type, and the reference the database-backed :mod:`~magpie.resources.partial_tree` is tested
against).
"""
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

#: Most matches a filter answers; the answer counts all of them.
MAX_MATCHES = 1000

#: What a node of a merged tree is, in the order :func:`status_of` decides it (the page's badges).
STATUSES = ("unverified", "remote_only", "gone", "not_checked", "matched")

#: Keys of the counts of a merged tree: every node below the service, and per status.
COUNT_KEYS = ("nodes", "matched", "remote_only", "gone", "not_checked", "unverified")


def name_matches(needle: str, name: str, display_name: Optional[str]) -> bool:
    """Whether ``needle`` (already lower case) is part of the name or the display name."""
    return needle in name.lower() or (display_name is not None and needle in display_name.lower())


def status_of(node: dict) -> str:
    """What a node of a merged tree is, the one rule of the counts, the status filter and the
    page's badges: in a part the last sync could not read (it carries ``unverified``), else only
    remote (no local id), else gone remotely, else deeper than the sync looks, else matched."""
    if node.get("unverified"):
        return "unverified"
    if node.get("id") is None:
        return "remote_only"
    if not node.get("matches_remote"):
        return "gone"
    if node.get("beyond_max_depth"):
        return "not_checked"
    return "matched"


def tree_counts(tree: dict, merged: bool = True) -> Dict[str, int]:
    """Nodes below the service of a full tree; for a merged tree, per status."""
    counts = dict.fromkeys(COUNT_KEYS if merged else ("nodes",), 0)
    stack = [child for root in tree.values() for child in root["children"].values()]
    while stack:
        node = stack.pop()
        counts["nodes"] += 1
        if merged:
            counts[status_of(node)] += 1
        stack.extend(node["children"].values())
    return counts


def shallow(node: dict, has_children: bool) -> dict:
    """A copy of ``node`` without its children, flagged for a partial answer (a leaf's children
    are all there; the caller sets ``children_loaded`` of a node whose children it adds)."""
    copy = {key: value for key, value in node.items() if key != "children"}
    copy.update(children={}, has_children=has_children, children_loaded=not has_children)
    return copy


def _copy_levels(node: dict, depth: Optional[int]) -> dict:
    """``node`` with ``depth`` levels below it (all when None), without recursion."""
    top = shallow(node, bool(node["children"]))
    stack = [(node, top, 0)]
    while stack:
        source, target, level = stack.pop()
        if depth is not None and level >= depth:
            continue
        for name, child in source["children"].items():
            below = bool(child["children"])
            copied = target["children"][name] = shallow(child, below)
            if below:
                stack.append((child, copied, level + 1))
        target["children_loaded"] = True
    return top


def _path_to(tree: dict, path: Sequence[str]) -> List[dict]:
    """The nodes from the service down to ``path`` (names, service first), else LookupError."""
    level, nodes = tree, []
    for name in path:
        node = level.get(name)
        if node is None:
            raise LookupError("/".join(path))
        nodes.append(node)
        level = node["children"]
    return nodes


def _chain(nodes: Sequence[dict], names: Sequence[str], last: dict) -> dict:
    """Ancestors ``nodes[:-1]`` each holding only the next one, ending with ``last``."""
    top = last
    for node, name in zip(reversed(nodes[:-1]), reversed(names[1:])):
        holder = shallow(node, True)
        holder["children"][name] = top
        top = holder
    return {names[0]: top}


def subtree(tree: dict, path: Sequence[str], depth: Optional[int] = None) -> dict:
    """The node at ``path`` with ``depth`` levels below it, under its ancestors."""
    nodes = _path_to(tree, path)
    return _chain(nodes, path, _copy_levels(nodes[-1], depth))


def graft(answer: dict, path: Sequence[str], nodes: Sequence[dict], match: bool) -> None:
    """Add the chain ``nodes`` (one per name of ``path``, service first) to a filtered answer."""
    level = answer
    for index, (name, node) in enumerate(zip(path, nodes)):
        copy = level.get(name)
        if copy is None:
            copy = level[name] = shallow(node, bool(node["children"]))
        if match and index == len(path) - 1:
            copy["match"] = True
        level = copy["children"]


def _walk(tree: dict) -> Iterable[Tuple[Tuple[str, ...], List[dict]]]:
    """(path, chain of nodes) of every node below the service, depth first, in name order."""
    stack = [((name,), [node]) for name, node in reversed(tree.items())]
    while stack:
        path, chain = stack.pop()
        if len(path) > 1:
            yield path, chain
        node = chain[-1]
        stack.extend((path + (name,), chain + [child]) for name, child in reversed(node["children"].items()))


def selects(node: dict, name: str, needle: Optional[str], status: Optional[str]) -> bool:
    """Whether a filter keeps ``node`` (of a merged tree when ``status`` is given): its name or
    display name holds ``needle`` (lower case), and its status is ``status``, each when given."""
    return ((needle is None or name_matches(needle, name, node.get("resource_display_name")))
            and (status is None or status_of(node) == status))


def filtered(tree: dict, q: Optional[str], limit: int = MAX_MATCHES, status: Optional[str] = None) -> Tuple[dict, int]:
    """The first ``limit`` nodes (depth first) whose name or display name holds ``q`` (case
    ignored) and whose status is ``status`` (each when given), with their ancestors; and how
    many match in all."""
    needle, answer, total = q.lower() if q is not None else None, {}, 0
    for path, chain in _walk(tree):
        if selects(chain[-1], path[-1], needle, status):
            total += 1
            if total <= limit:
                graft(answer, path, chain, True)
    if not answer:
        for name, node in tree.items():
            answer[name] = shallow(node, bool(node["children"]))
    return answer, total
