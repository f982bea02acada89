"""The pure tree functions of sync_resources and sync_services, one test per known defect too."""
import copy

import pytest

from magpie.helpers.sync_resources import _merge_resources, _sort_resources
from magpie.helpers.sync_services import is_valid_resource_schema


def node(children=None, **extra):
    return {"children": children or {}, **extra}


def local(id_, children=None, rtype="directory"):
    return {"id": id_, "resource_type": rtype, "resource_display_name": None, "permission_names": ["read"],
            "children": children or {}}


def remote(id_, children=None, rtype="directory", display=None):
    return {"id": id_, "resource_type": rtype, "resource_display_name": display, "children": children or {}}


class TestIsValidResourceSchema:
    def test_accepts_nested_tree(self):
        assert is_valid_resource_schema({"a": node({"b": node({"c": node()})}), "d": node()})

    def test_empty_tree_is_valid(self):
        assert is_valid_resource_schema({})

    @pytest.mark.parametrize("tree", [
        [], None, "a", {"a": "b"}, {"a": {}}, {"a": {"children": []}}, {1: node()},
    ])
    def test_rejects_malformed(self, tree):
        assert not is_valid_resource_schema(tree)

    def test_checks_every_key_not_only_the_first(self):
        # Defect of the anchor: validation returned after the first key of a dict.
        assert not is_valid_resource_schema({"a": node(), "b": {"no": "children"}})
        assert not is_valid_resource_schema({"a": node({"x": node(), "y": node({"z": {"children": None}})})})

    def test_deep_nesting_does_not_exhaust_the_stack(self):
        tree = current = {}
        for index in range(5000):
            current["n"] = node()
            current = current["n"]["children"]
        assert is_valid_resource_schema(tree)


class TestSortResources:
    def test_sorts_every_level_and_every_sibling(self):
        # Defect of the anchor: sorting stopped after the first key of each dict.
        tree = {"b": node({"z": node(), "a": node({"y": node(), "x": node()})}),
                "a": node({"d": node(), "c": node({"q": node(), "p": node()})})}
        assert _sort_resources(tree) is None
        assert list(tree) == ["a", "b"]
        assert list(tree["a"]["children"]) == ["c", "d"]
        assert list(tree["a"]["children"]["c"]["children"]) == ["p", "q"]
        assert list(tree["b"]["children"]) == ["a", "z"]
        assert list(tree["b"]["children"]["a"]["children"]) == ["x", "y"]


class TestMergeResources:
    def test_marks_matching_gone_and_remote_only(self):
        resources_local = {"svc": local(1, {"kept": local(2, {"f": local(3, rtype="file")}),
                                            "gone": local(4)}, rtype="service")}
        resources_remote = {"svc": remote(10, {"kept": remote(11, {"f": remote(12, rtype="file"),
                                                                   "new": remote(13, rtype="file", display="New")}),
                                               "other": remote(14, {"deep": remote(15)})}, rtype="service")}
        merged = _merge_resources(resources_local, resources_remote)
        svc = merged["svc"]
        assert (svc["id"], svc["remote_id"], svc["matches_remote"]) == (1, 10, True)
        kept = svc["children"]["kept"]
        assert (kept["id"], kept["remote_id"], kept["matches_remote"]) == (2, 11, True)
        assert kept["children"]["f"]["remote_id"] == 12 and kept["children"]["f"]["matches_remote"]
        new = kept["children"]["new"]
        assert new == {"id": None, "remote_id": 13, "matches_remote": True, "beyond_max_depth": False,
                       "unverified": None, "resource_type": "file", "resource_display_name": "New",
                       "permission_names": [], "permissions": [], "children": {}}
        gone = svc["children"]["gone"]
        assert (gone["id"], gone["remote_id"], gone["matches_remote"]) == (4, None, False)
        assert svc["children"]["other"]["children"]["deep"]["remote_id"] == 15
        assert svc["children"]["other"]["children"]["deep"]["id"] is None
        assert is_valid_resource_schema(merged)

    def test_inputs_are_not_modified(self):
        resources_local = {"svc": local(1, {"a": local(2)})}
        resources_remote = {"svc": remote(10, {"b": remote(11)})}
        before = copy.deepcopy((resources_local, resources_remote))
        _merge_resources(resources_local, resources_remote)
        assert (resources_local, resources_remote) == before

    def test_nodes_deeper_than_max_depth_count_as_matching_and_are_flagged(self):
        resources_local = {"svc": local(1, {"a": local(2, {"b": local(3, {"c": local(4)})}), "x": local(5)})}
        resources_remote = {"svc": remote(10, {"a": remote(11)})}
        merged = _merge_resources(resources_local, resources_remote, max_depth=1)
        a = merged["svc"]["children"]["a"]
        b = a["children"]["b"]
        c = b["children"]["c"]
        assert a["matches_remote"] and not a["beyond_max_depth"]
        assert b["matches_remote"] and b["beyond_max_depth"] and b["remote_id"] is None
        assert c["matches_remote"] and c["beyond_max_depth"]
        x = merged["svc"]["children"]["x"]
        assert not x["matches_remote"] and not x["beyond_max_depth"]

    def test_without_remote_tree_nothing_matches(self):
        merged = _merge_resources({"svc": local(1, {"a": local(2)})}, {})
        assert merged["svc"]["matches_remote"] is False
        assert merged["svc"]["children"]["a"]["matches_remote"] is False

    def test_rejects_malformed_input(self):
        with pytest.raises(ValueError, match="local"):
            _merge_resources({"svc": {"id": 1}}, {})
        with pytest.raises(ValueError, match="remote"):
            _merge_resources({}, {"svc": {"id": 1, "children": None}})


class TestMagpieShapes:
    def test_a_magpie_shaped_remote_tree_gives_its_remote_ids(self):
        # Magpie's _format_resource_tree names the RemoteResource id ``remote_id``, with no ``id``.
        resources_remote = {"svc": {"remote_id": 10, "resource_type": "service", "resource_display_name": "svc",
                                    "children": {"a": {"remote_id": 11, "resource_type": "directory",
                                                       "resource_display_name": "a", "children": {}},
                                                 "b": {"remote_id": 12, "resource_type": "directory",
                                                       "resource_display_name": "b", "children": {}}}}}
        merged = _merge_resources({"svc": local(1, {"a": local(2)}, rtype="service")}, resources_remote)
        assert merged["svc"]["remote_id"] == 10
        assert merged["svc"]["children"]["a"]["remote_id"] == 11
        only_remote = merged["svc"]["children"]["b"]
        assert (only_remote["remote_id"], only_remote["permissions"], only_remote["permission_names"]) == (12, [], [])
