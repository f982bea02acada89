"""The index's pure parts: finding a path in a service tree, the chains resolution walks, the
groups a user counts in, and the paths a decision accepts."""
import pytest

from magpie.accounts.groups import SpecialGroups
from magpie.errors import InvalidInput
from magpie.permissions.decisions import split_path
from magpie.permissions.index import IndexState
from magpie.permissions.index_load import AclData, ServiceTree
from magpie.permissions.resolution import resolve
from tests.unit.permissions.builders import applied, group, user

SPECIAL = SpecialGroups(admin="admins", anonymous="anonymous", users="users")
# service 1 > data 2 > {model 3 > run.nc 4, x.nc 5}
TREE = ServiceTree(1, "thredds", [(2, 1, "data", "directory"), (3, 2, "model", "directory"),
                                  (4, 3, "run.nc", "file"), (5, 2, "x.nc", "file")])
BOB = user(10, "bob")
EDITORS = group(20, "editors")


def state(applied_by_resource=None, groups_of=None) -> IndexState:
    names = {20: "editors", 21: "anonymous", 22: "users", 23: "admins"}
    return IndexState(7, AclData(applied_by_resource or {}, names, groups_of or {}), {1: TREE})


def test_lookup_gives_the_resource_or_its_nearest_registered_ancestor():
    assert TREE.lookup(("data", "model", "run.nc")) == (4, True)
    assert TREE.lookup(("data", "model", "other.nc", "deeper")) == (3, False)
    assert TREE.lookup(()) == (1, True)
    assert TREE.lookup(("run.nc",)) == (1, False)  # names are looked up below their parent only


def test_a_chain_keeps_the_target_and_only_the_ancestors_that_carry_permissions():
    on_service = applied(EDITORS, "read-allow-recursive")
    index_state = state({1: (on_service,)})
    chain = index_state.chain(TREE, 4)
    assert [level.resource_id for level in chain] == [4, 1]
    assert chain[0].applied == () and chain[1].applied == (on_service,)
    assert index_state.chain(TREE, 4) is chain  # built once per state
    decision = resolve("read", chain, BOB, (EDITORS,))
    assert (decision.allowed, decision.resource_id) == (True, 1)


def test_signed_in_users_count_in_the_users_and_anonymous_groups_without_rows():
    index_state = state(groups_of={10: (20,)})
    assert [(g.name, g.special) for g in index_state.groups_of(SPECIAL, 10)] == [
        ("editors", None), ("users", "authenticated"), ("anonymous", "anonymous")]
    assert [g.name for g in index_state.groups_of(SPECIAL, None)] == ["anonymous"]
    assert [g.name for g in index_state.groups_of(SPECIAL, 99)] == ["users", "anonymous"]
    admin = state(groups_of={10: (23,)}).groups_of(SPECIAL, 10)
    assert admin[0].special == "administrators"


def test_paths_are_split_on_slashes_and_dot_segments_resolved_as_in_a_url():
    assert split_path("/a//b/c.nc/") == ("a", "b", "c.nc")
    assert split_path("") == split_path(".") == split_path("../..") == ()
    assert split_path("a/./b/../../secret/x.nc") == ("secret", "x.nc")
    for bad in ("a/\x01", "x" * 5000):
        with pytest.raises(InvalidInput):
            split_path(bad)
