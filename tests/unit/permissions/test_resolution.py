"""Effective access rules, one rule per test; the tree is service 100 > directory 101 > file 102."""
import pytest

from magpie.permissions import Permission, Principal, inherited, resolve, resolve_all
from tests.unit.permissions.builders import (
    ADMINISTRATORS, ANONYMOUS, AUTHENTICATED, applied, group, level, user)

ALICE = user(7, "alice")
BOB = user(8, "bob")
EDITORS = group(20, "editors")
READERS = group(21, "readers")
OTHERS = group(22, "others")


def chain(file=(), directory=(), service=()):
    """File 102 under directory 101 under service 100, each with the given applied permissions."""
    return [level(102, *file), level(101, *directory), level(100, *service)]


def test_nothing_applied_is_denied_with_no_permission():
    decision = resolve("read", chain(), ALICE, [EDITORS, ANONYMOUS])
    assert (decision.allowed, decision.reason, decision.permission, decision.resource_id) == (
        False, "no-permission", None, None)


def test_empty_chain_is_denied_with_no_permission():
    assert resolve("read", [], ALICE, [EDITORS]).reason == "no-permission"


def test_administrator_is_allowed_everything_even_against_a_user_deny():
    tree = chain(file=[applied(ALICE, "read-deny-match")])
    decision = resolve("read", tree, ALICE, [EDITORS, ADMINISTRATORS])
    assert decision.allowed and decision.reason == "administrator"


def test_administrator_reason_for_every_name_of_resolve_all():
    decisions = resolve_all(["read", "write"], chain(), ALICE, [ADMINISTRATORS])
    assert {name: (d.allowed, d.reason) for name, d in decisions.items()} == {
        "read": (True, "administrator"), "write": (True, "administrator")}


def test_permissions_of_other_users_and_groups_do_not_count():
    tree = chain(file=[applied(BOB, "read"), applied(OTHERS, "read")])
    assert resolve("read", tree, ALICE, [EDITORS]).reason == "no-permission"


def test_permissions_of_other_names_do_not_count():
    tree = chain(file=[applied(ALICE, "write")])
    assert resolve("read", tree, ALICE, []).reason == "no-permission"


def test_match_on_the_target_counts():
    decision = resolve("read", chain(file=[applied(ALICE, "read-allow-match")]), ALICE, [])
    assert decision.allowed and decision.resource_id == 102


def test_match_on_an_ancestor_is_ignored():
    tree = chain(directory=[applied(ALICE, "read-allow-match")])
    assert resolve("read", tree, ALICE, []).reason == "no-permission"


def test_recursive_on_an_ancestor_reaches_the_target():
    decision = resolve("read", chain(service=[applied(EDITORS, "read")]), ALICE, [EDITORS])
    assert (decision.allowed, decision.reason, decision.resource_id) == (True, "group:20:editors", 100)


def test_match_on_nearest_existing_ancestor_is_ignored_when_target_does_not_exist():
    tree = chain(file=[applied(ALICE, "read-deny-match")], directory=[applied(ALICE, "read-allow-recursive")])
    assert not resolve("read", tree, ALICE, []).allowed
    assert resolve("read", tree, ALICE, [], exact=False).allowed


def test_user_deny_beats_group_allow_on_same_resource():
    tree = chain(file=[applied(EDITORS, "read"), applied(ALICE, "read-deny")])
    decision = resolve("read", tree, ALICE, [EDITORS])
    assert (decision.allowed, decision.reason) == (False, "user:7:alice")


def test_user_allow_beats_group_deny_on_same_resource():
    tree = chain(file=[applied(EDITORS, "read-deny"), applied(ALICE, "read")])
    assert resolve("read", tree, ALICE, [EDITORS]).allowed


def test_deny_beats_allow_among_generic_groups_on_same_resource():
    tree = chain(file=[applied(EDITORS, "read"), applied(READERS, "read-deny"), applied(OTHERS, "read")])
    decision = resolve("read", tree, ALICE, [EDITORS, READERS, OTHERS])
    assert (decision.allowed, decision.reason) == (False, "group:21:readers")


def test_deny_beats_allow_among_one_users_permissions():
    tree = chain(file=[applied(ALICE, "read-allow-match"), applied(ALICE, "read-deny-recursive")])
    assert not resolve("read", tree, ALICE, []).allowed


def test_generic_group_allow_beats_anonymous_deny_on_same_resource():
    tree = chain(file=[applied(ANONYMOUS, "read-deny"), applied(EDITORS, "read")])
    decision = resolve("read", tree, ALICE, [ANONYMOUS, EDITORS])
    assert (decision.allowed, decision.reason) == (True, "group:20:editors")


def test_authenticated_group_allow_beats_anonymous_deny():
    tree = chain(file=[applied(ANONYMOUS, "read-deny"), applied(AUTHENTICATED, "read")])
    decision = resolve("read", tree, ALICE, [ANONYMOUS, AUTHENTICATED])
    assert (decision.allowed, decision.reason) == (True, "group:2:users")


def test_authenticated_group_has_generic_priority_so_deny_wins_against_a_generic_allow():
    tree = chain(file=[applied(AUTHENTICATED, "read-deny"), applied(EDITORS, "read")])
    assert not resolve("read", tree, ALICE, [AUTHENTICATED, EDITORS]).allowed


def test_anonymous_group_alone_decides_when_nothing_else_applies():
    decision = resolve("read", chain(service=[applied(ANONYMOUS, "read")]), ALICE, [ANONYMOUS])
    assert (decision.allowed, decision.reason) == (True, "group:1:anonymous")


def test_nearest_group_finding_holds_over_equal_priority_group_further_up():
    tree = chain(file=[applied(EDITORS, "read")], service=[applied(READERS, "read-deny")])
    decision = resolve("read", tree, ALICE, [EDITORS, READERS])
    assert (decision.allowed, decision.resource_id) == (True, 102)


def test_nearest_anonymous_finding_holds_over_anonymous_further_up():
    tree = chain(directory=[applied(ANONYMOUS, "read-deny")], service=[applied(ANONYMOUS, "read")])
    assert not resolve("read", tree, ALICE, [ANONYMOUS]).allowed


def test_generic_group_further_up_overrides_nearer_anonymous_finding():
    tree = chain(file=[applied(ANONYMOUS, "read-deny")], service=[applied(EDITORS, "read")])
    decision = resolve("read", tree, ALICE, [ANONYMOUS, EDITORS])
    assert (decision.allowed, decision.reason, decision.resource_id) == (True, "group:20:editors", 100)


def test_user_further_up_overrides_nearer_group_finding():
    tree = chain(file=[applied(EDITORS, "read")], directory=[applied(ALICE, "read-deny")])
    decision = resolve("read", tree, ALICE, [EDITORS])
    assert (decision.allowed, decision.reason, decision.resource_id) == (False, "user:7:alice", 101)


def test_lower_priority_further_up_does_not_override_nearer_finding():
    tree = chain(file=[applied(EDITORS, "read")], service=[applied(ANONYMOUS, "read-deny")])
    assert resolve("read", tree, ALICE, [EDITORS, ANONYMOUS]).allowed


def test_nearest_user_finding_ends_the_walk():
    tree = chain(file=[applied(ALICE, "read")], service=[applied(ALICE, "read-deny")])
    decision = resolve("read", tree, ALICE, [])
    assert (decision.allowed, decision.resource_id) == (True, 102)


def test_several_groups_with_the_same_verdict_give_reason_multiple():
    tree = chain(directory=[applied(EDITORS, "read"), applied(READERS, "read-allow-recursive")])
    decision = resolve("read", tree, ALICE, [EDITORS, READERS])
    assert (decision.allowed, decision.reason, decision.resource_id) == (True, "multiple", 101)


def test_one_group_with_two_entries_is_not_multiple():
    tree = chain(file=[applied(EDITORS, "read-allow-match"), applied(EDITORS, "read-allow-recursive")])
    assert resolve("read", tree, ALICE, [EDITORS]).reason == "group:20:editors"


def test_multiple_counts_only_groups_giving_the_winning_verdict():
    tree = chain(file=[applied(EDITORS, "read"), applied(READERS, "read"), applied(OTHERS, "read-deny")])
    decision = resolve("read", tree, ALICE, [EDITORS, READERS, OTHERS])
    assert (decision.allowed, decision.reason) == (False, "group:22:others")


def test_multiple_needs_equal_priority_groups():
    tree = chain(file=[applied(ANONYMOUS, "read"), applied(EDITORS, "read")])
    assert resolve("read", tree, ALICE, [ANONYMOUS, EDITORS]).reason == "group:20:editors"


def test_decision_names_the_permission_and_resource_that_decided():
    tree = chain(directory=[applied(EDITORS, "read-deny-recursive")])
    decision = resolve("read", tree, ALICE, [EDITORS])
    assert decision.permission == Permission.parse("read-deny-recursive")
    assert decision.resource_id == 101


def test_request_without_user_counts_group_permissions_only():
    tree = chain(file=[applied(ALICE, "read")], service=[applied(ANONYMOUS, "read-deny")])
    decision = resolve("read", tree, None, [ANONYMOUS])
    assert (decision.allowed, decision.reason) == (False, "group:1:anonymous")


def test_resolve_all_resolves_each_name_on_its_own():
    tree = chain(file=[applied(ALICE, "write-deny-match")],
                 service=[applied(EDITORS, "read"), applied(EDITORS, "write")])
    decisions = resolve_all(["read", "write", "browse"], tree, ALICE, [EDITORS])
    allowed = {name: decision.allowed for name, decision in decisions.items()}
    assert allowed == {"read": True, "write": False, "browse": False}
    assert decisions["browse"].reason == "no-permission"


def test_inherited_lists_the_users_then_each_groups_permissions_on_the_target():
    tree = chain(file=[applied(READERS, "read"), applied(BOB, "read"), applied(ALICE, "write-deny-match"),
                       applied(EDITORS, "write")])
    listed = inherited(tree, ALICE, [EDITORS, READERS])
    assert [(a.principal.reason, str(a.permission)) for a in listed] == [
        ("user:7:alice", "write-deny-match"), ("group:20:editors", "write-allow-recursive"),
        ("group:21:readers", "read-allow-recursive")]


def test_inherited_ignores_ancestors_and_without_groups_is_the_direct_permissions():
    tree = chain(file=[applied(EDITORS, "read"), applied(ALICE, "write")], service=[applied(ALICE, "browse")])
    assert [str(a.permission) for a in inherited(tree, ALICE, [])] == ["write-allow-recursive"]


def test_inherited_keeps_administrators_permissions_without_shortcut():
    tree = chain(file=[applied(ADMINISTRATORS, "read-deny")])
    listed = inherited(tree, ALICE, [ADMINISTRATORS])
    assert [a.principal.reason for a in listed] == ["group:3:administrators"]


def test_principal_reason_and_validation():
    assert ALICE.reason == "user:7:alice" and EDITORS.reason == "group:20:editors"
    with pytest.raises(ValueError, match="kind"):
        Principal("role", 1, "x")
    with pytest.raises(ValueError, match="special"):
        Principal("group", 1, "x", "everyone")
