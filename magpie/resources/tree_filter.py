"""The filters of a :class:`~magpie.resources.partial_tree.PartialTree`: the nodes whose name or
display name holds ``q``, or whose status is ``status`` (see
:func:`~magpie.resources.slicing.status_of`), or both, with their ancestors: what
:func:`~magpie.resources.slicing.filtered` cuts from the full merged tree, without building it.

The local nodes are judged one by one in Python (the local tree is in memory). The remote-only
nodes (only ``remote_only`` and ``unverified`` ones can be) are left to the database: it counts
the rows that match, all of them (the twins' share, known from the pairing query, is taken
off), and lists a page of the unpaired ones from a statement that stops there. So a filter
matching most of a million-node tree reads the table once and sends back a thousand rows.
"""
from typing import List, Optional, Sequence, Tuple

from magpie.resources import remote_rows
from magpie.resources.partial_tree import PartialTree, Remote
from magpie.resources.remote_rows import RemoteRow, Selection
from magpie.resources.slicing import MAX_MATCHES, selects
from magpie.sync.merge import sort_tree

#: The statuses a node without a local twin can have.
REMOTE_ONLY_STATUSES = ("remote_only", "unverified")

#: (names below the service, the remote node at each of them or None)
_Chain = Tuple[List[str], Sequence[Optional[Remote]]]


def filtered(view: PartialTree, q: Optional[str], status: Optional[str] = None,
             limit: int = MAX_MATCHES) -> Tuple[dict, int]:
    """The nodes whose name or display name holds ``q`` (case ignored) and whose status is
    ``status``, each when given, with their ancestors, at most ``limit`` of them; and how many
    match in all. The local ones come first, then remote-only ones."""
    needle = q.lower() if q is not None else None
    selection = Selection(needle, None if status is None else status == "unverified") \
        if status is None or status in REMOTE_ONLY_STATUSES else None
    twins = view.twins(selection)
    chains: List[_Chain] = []
    total = 0
    for path, local_chain, judged in view.judged(twins):
        probe = dict(judged, resource_display_name=local_chain[-1].get("resource_display_name"))
        if selects(probe, path[-1], needle, status):
            total += 1
            if len(chains) < limit:
                chains.append((list(path), [twins.get(node["id"]) for node in local_chain]))
    if selection is not None and view.main_id is not None:
        selected_twins = [twin.id for twin in twins.values() if twin.selected]
        remote_total = remote_rows.count_selected(view.session, view.service_id, selection) - len(selected_twins)
        room = min(limit - len(chains), remote_total)
        if room > 0:
            chains.extend(_remote_chains(view, remote_rows.remote_only(
                view.session, view.service_id, view.main_id, selection, room, selected_twins)))
        total += remote_total
    return _answer(view, chains), total


def _remote_chains(view: PartialTree, rows: List[RemoteRow]) -> List[_Chain]:
    known = remote_rows.with_ancestors(view.session, view.service_id, rows)
    chains = []
    for row in rows:
        chain = remote_rows.path_of(row, known, view.main_id)
        if chain is not None:
            chains.append(([item.name for item in chain], chain))
    return chains


def _answer(view: PartialTree, chains: List[_Chain]) -> dict:
    """The service with each chain below it, its last node marked ``match``; the nodes added
    say whether they have children (none are loaded)."""
    answer: dict = {view.root_name: view.root()}
    grafted: List[Tuple[dict, Optional[dict], Optional[Remote]]] = []
    for names, remote_chain in chains:
        node, local = answer[view.root_name], view.local_root
        for depth, (name, remote) in enumerate(zip(names, remote_chain), start=1):
            local = local["children"].get(name) if local is not None else None
            parent, node = node, node["children"].get(name)
            if node is None:
                node = parent["children"][name] = view.node(local, remote, depth, bool(local and local["children"]),
                                                            parent.get("unverified"))
                grafted.append((node, local, remote))
        node["match"] = True
    with_kids = remote_rows.with_children(view.session, view.service_id,
                                          [remote.id for _, _, remote in grafted if remote is not None])
    for node, local, remote in grafted:
        node["has_children"] = bool(local and local["children"]) or (remote is not None and remote.id in with_kids)
        node["children_loaded"] = not node["has_children"]
    answer[view.root_name]["children_loaded"] = False
    sort_tree(answer)
    return answer

