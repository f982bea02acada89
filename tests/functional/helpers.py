"""Assertions on stored trees shared by the functional tests."""
from magpie.helpers.sync_resources import _query_remote_resources_in_database


def names(tree: dict) -> dict:
    """Nested names only: ``{"a": {"b": {}}}``."""
    return {name: names(node["children"]) for name, node in tree.items()}


def stored_tree(session, service_id: int) -> dict:
    return _query_remote_resources_in_database(service_id, session)


def find(tree: dict, *path: str) -> dict:
    node = {"children": tree}
    for name in path:
        node = node["children"][name]
    return node
