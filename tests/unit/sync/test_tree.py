"""Building crawled trees under limits, and diffing them against stored rows."""
import pytest

from magpie.sync.tree import AddedNode, NodeLimitExceeded, RemoteTree, StoredNode, plan_diff


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


def test_add_children_puts_siblings_under_one_parent_and_keeps_better_titles():
    tree = RemoteTree(max_depth=None, max_nodes=100)
    tree.add(("a", "x.nc"), "file")
    tree.add_children(("a", "b"), [("f.nc", "F title"), ("g.nc", ""), ("x.nc", "ignored, not under a")], "file")
    tree.add_children(("a",), [("x.nc", "X title"), ("b", "B title")], "file")
    a = tree.children["a"]["children"]
    assert a["x.nc"]["resource_display_name"] == "X title"
    assert a["b"]["resource_type"] == "directory"  # it has children: a title does not make it a file
    assert a["b"]["resource_display_name"] == "B title"
    assert {name: node["resource_display_name"] for name, node in a["b"]["children"].items()} == {
        "f.nc": "F title", "g.nc": "g.nc", "x.nc": "ignored, not under a"}
    assert tree.count == 6


def test_add_children_below_max_depth_truncates_to_the_ancestor():
    tree = RemoteTree(max_depth=1, max_nodes=100)
    tree.add_children(("a",), [("f.nc", "F"), ("g.nc", "G")], "file")
    assert tree.children == {"a": {"children": {}, "resource_type": "directory", "resource_display_name": "a"}}
    assert tree.count == 1


def test_add_children_enforces_the_node_limit():
    tree = RemoteTree(max_depth=None, max_nodes=4)
    tree.add_children(("a",), [("f1", ""), ("f2", "")], "file")
    tree.add_children(("a",), [("f1", ""), ("f2", ""), ("f3", "")], "file")  # f1, f2 exist: 4 nodes
    with pytest.raises(NodeLimitExceeded, match="more than 4"):
        tree.add_children(("a",), [("f4", "")], "file")


def rows(*specs):
    return [StoredNode(rid, parent, name, name, rtype, 0) for rid, parent, name, rtype in specs]


def crawled(children):
    return {"children": children, "resource_type": "service", "resource_display_name": "svc"}


def leaf(rtype="file", display=None, **children):
    return {"children": children, "resource_type": rtype, "resource_display_name": display}


def paths_of_added(diff):
    return diff.added_paths()


def test_orphans_and_second_main_nodes_are_removed():
    existing = rows((1, None, "svc", "service"), (2, 1, "a", "directory"), (3, 2, "f", "file"),
                    (9, 77, "orphan", "file"), (10, None, "svc", "service"))
    diff = plan_diff(existing, "svc", crawled({"a": leaf("directory", "a", f=leaf("file", "f"))}), 1)
    assert diff.main_id == 1 and diff.kept == 3
    assert sorted(diff.removed_ids) == [9, 10]


def test_the_main_node_is_the_one_the_sync_info_names_even_if_younger():
    existing = rows((1, None, "svc", "service"), (2, 1, "a", "directory"), (10, None, "svc", "service"),
                    (11, 10, "a", "directory"))
    diff = plan_diff(existing, "svc", crawled({"a": leaf("directory", "a")}), 10)
    assert diff.main_id == 10 and diff.kept == 2
    assert sorted(diff.removed_ids) == [1, 2]


def test_diff_keeps_ids_of_nodes_that_still_exist():
    existing = rows((1, None, "svc", "service"), (2, 1, "a", "directory"), (3, 2, "f", "file"),
                    (4, 2, "gone", "directory"), (5, 4, "gone-child", "file"))
    tree = crawled({"a": leaf("directory", "a", f=leaf("file", "f"), new=leaf("file", "new"))})
    diff = plan_diff(existing, "svc", tree, 1)
    assert diff.kept == 3 and diff.main_id == 1
    assert diff.added == [AddedNode(-1, 2, "new", "new", "file", 0)]
    assert paths_of_added(diff) == ["a/new"]
    assert sorted(diff.removed_ids) == [4, 5]
    assert diff.removed_paths() == ["a/gone"]  # the top of each removed subtree
    assert diff.changed == []


def test_first_sync_adds_parents_before_children():
    tree = crawled({"a": leaf("directory", "a", b=leaf("directory", "b", f=leaf("file", "f")), g=leaf("file", "g"))})
    first = plan_diff([], "svc", tree, None)
    assert first.main_id is None
    assert paths_of_added(first) == ["a", "a/b", "a/g", "a/b/f"] or paths_of_added(first) == ["a", "a/g", "a/b", "a/b/f"]
    for index, node in enumerate(first.added):
        assert node.parent_index < index  # a parent always comes first
    assert first.added[0] == AddedNode(-1, None, "svc", "svc", "service", 0)


def test_unchanged_tree_has_an_empty_diff():
    tree = crawled({"a": leaf("directory", "a", b=leaf("directory", "b", f=leaf("file", "f")))})
    existing = rows((1, None, "svc", "service"), (2, 1, "a", "directory"), (3, 2, "b", "directory"),
                    (4, 3, "f", "file"))
    again = plan_diff(existing, "svc", tree, 1)
    assert again.is_empty and again.kept == 4


def test_diff_updates_changed_titles_and_renamed_service_keeps_main_id():
    existing = rows((1, None, "old-name", "service"), (2, 1, "a", "directory"))
    tree = crawled({"a": leaf("directory", "A title")})
    diff = plan_diff(existing, "svc", tree, 1)
    assert diff.main_id == 1
    assert {change["rid"] for change in diff.changed} == {1, 2}
    assert not diff.added and not diff.removed_ids
