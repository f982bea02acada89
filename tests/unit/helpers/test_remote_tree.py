"""Building crawled trees under limits, and diffing them against stored rows."""
import pytest

from magpie.helpers.remote_tree import NodeLimitExceeded, RemoteTree, StoredNode, plan_diff, stored_paths


def test_tree_creates_intermediate_directories_and_keeps_titles():
    tree = RemoteTree(max_depth=None, max_nodes=100)
    tree.add(("a", "b", "f.nc"), "file", "F title")
    tree.add(("a", "b"), "directory", "B title")
    assert tree.children["a"]["resource_type"] == "directory"
    assert tree.children["a"]["children"]["b"]["resource_display_name"] == "B title"
    leaf = tree.children["a"]["children"]["b"]["children"]["f.nc"]
    assert leaf == {"children": {}, "resource_type": "file", "resource_display_name": "F title"}
    assert tree.count == 3


def test_tree_truncates_paths_deeper_than_max_depth_to_their_ancestor():
    tree = RemoteTree(max_depth=2, max_nodes=100)
    tree.add(("a", "b", "c", "f.nc"), "file", "F")
    assert tree.children["a"]["children"]["b"] == {"children": {}, "resource_type": "directory",
                                                   "resource_display_name": "b"}


def test_a_file_with_something_below_becomes_a_directory():
    tree = RemoteTree(max_depth=None, max_nodes=100)
    tree.add(("a",), "file")
    tree.add(("a", "b"), "file")
    assert tree.children["a"]["resource_type"] == "directory"


def test_node_limit():
    tree = RemoteTree(max_depth=None, max_nodes=3)
    tree.add(("a", "b", "c"), "file")
    with pytest.raises(NodeLimitExceeded, match="more than 3"):
        tree.add(("a", "d"), "file")


def rows(*specs):
    return [StoredNode(rid, parent, name, name, rtype, 0) for rid, parent, name, rtype in specs]


def crawled(children):
    return {"children": children, "resource_type": "service", "resource_display_name": "svc"}


def leaf(rtype="file", display=None, **children):
    return {"children": children, "resource_type": rtype, "resource_display_name": display}


def test_stored_paths_and_orphans():
    stored = stored_paths(rows((1, None, "svc", "service"), (2, 1, "a", "directory"), (3, 2, "f", "file"),
                               (9, 77, "orphan", "file")))
    assert {path: row.resource_id for path, row in stored.items()} == {(): 1, ("a",): 2, ("a", "f"): 3}


def test_diff_keeps_ids_of_nodes_that_still_exist():
    existing = rows((1, None, "svc", "service"), (2, 1, "a", "directory"), (3, 2, "f", "file"),
                    (4, 2, "gone", "directory"), (5, 4, "gone-child", "file"))
    tree = crawled({"a": leaf("directory", "a", f=leaf("file", "f"), new=leaf("file", "new"))})
    diff = plan_diff(existing, "svc", tree)
    assert diff.kept == 3
    assert diff.id_by_path == {(): 1, ("a",): 2, ("a", "f"): 3}
    assert [entry[0] for entry in diff.added] == [("a", "new")]
    assert diff.removed_ids == [5, 4]  # deepest first
    assert diff.changed == []


def test_diff_of_unchanged_tree_is_empty_and_first_sync_adds_parents_first():
    tree = crawled({"a": leaf("directory", "a", b=leaf("directory", "b", f=leaf("file", "f")))})
    first = plan_diff([], "svc", tree)
    assert [entry[0] for entry in first.added] == [(), ("a",), ("a", "b"), ("a", "b", "f")]
    existing = rows((1, None, "svc", "service"), (2, 1, "a", "directory"), (3, 2, "b", "directory"),
                    (4, 3, "f", "file"))
    again = plan_diff(existing, "svc", tree)
    assert again.is_empty and again.kept == 4


def test_diff_updates_changed_titles_and_renamed_service_keeps_main_id():
    existing = rows((1, None, "old-name", "service"), (2, 1, "a", "directory"))
    tree = crawled({"a": leaf("directory", "A title")})
    diff = plan_diff(existing, "svc", tree)
    assert diff.id_by_path[()] == 1
    assert {change["rid"] for change in diff.changed} == {1, 2}
    assert not diff.added and not diff.removed_ids
