"""Syncing and reading stored trees, shared by the functional tests."""
import pytest

from magpie.helpers.sync_resources import SyncError, _query_remote_resources_in_database, fetch_single_service


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


def stored(session, tm, service_id: int) -> dict:
    with tm:
        return stored_tree(session, service_id)


def sync(session, tm, service_id: int):
    """Sync in a transaction of its own, committed."""
    with tm:
        return fetch_single_service(service_id, session)


def sync_fails(session, tm, service_id: int, match: str):
    """Run a failing sync the way the cron does (the recorded error is committed); its result."""
    with tm:
        with pytest.raises(SyncError, match=match) as caught:
            fetch_single_service(service_id, session)
    return caught.value.result
