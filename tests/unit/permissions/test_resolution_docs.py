"""Every example of Magpie's docs/permissions.rst, as trees and expected answers.

Three examples: "Distinguishing Applied, Inherited and Effective Permissions", "Effect of
Permission Modifiers" and "Resolution of Permissions" (its effective-permissions table). Where a
stated answer contradicts the rules the same page gives, the test follows the rules and says so.
"""
from magpie.permissions import inherited, resolve, resolve_all
from tests.unit.permissions.builders import ANONYMOUS, applied, group, level, user

# --- "Distinguishing Applied, Inherited and Effective Permissions" ------------------------------
EXAMPLE_USER = user(1, "example-user")
EXAMPLE_GROUP = group(21, "example-group")
_S1 = level(400, applied(EXAMPLE_USER, "write"))
_S2 = level(500, applied(EXAMPLE_GROUP, "write"))
_A = level(501, applied(EXAMPLE_USER, "read"))
_S3 = level(600, applied(EXAMPLE_USER, "write"))
_B1 = level(601, applied(EXAMPLE_GROUP, "read"))
_B2 = level(602)
TYPES_TREE = {
    "service-1": [_S1], "service-2": [_S2], "resource-A": [_A, _S2],
    "service-3": [_S3], "resource-B1": [_B1, _S3], "resource-B2": [_B2, _B1, _S3],
}


def _names(listed):
    return sorted(a.permission.name for a in listed)


def _effective(target):
    decisions = resolve_all(["read", "write"], TYPES_TREE[target], EXAMPLE_USER, [EXAMPLE_GROUP])
    return sorted(name for name, decision in decisions.items() if decision.allowed)


def test_doc_types_direct_permissions_are_the_users_own_on_the_target():
    direct = {target: _names(inherited(chain, EXAMPLE_USER, [])) for target, chain in TYPES_TREE.items()}
    assert direct == {"service-1": ["write"], "service-2": [], "resource-A": ["read"],
                      "service-3": ["write"], "resource-B1": [], "resource-B2": []}


def test_doc_types_inherited_permissions_add_the_groups_on_the_target_only():
    listed = {target: _names(inherited(chain, EXAMPLE_USER, [EXAMPLE_GROUP]))
              for target, chain in TYPES_TREE.items()}
    assert listed == {"service-1": ["write"], "service-2": ["write"], "resource-A": ["read"],
                      "service-3": ["write"], "resource-B1": ["read"], "resource-B2": []}


def test_doc_types_effective_on_resources_with_nothing_above_is_what_is_applied_on_them():
    assert _effective("service-1") == ["write"]
    assert _effective("service-2") == ["write"]


def test_doc_types_effective_resource_a_adds_the_groups_write_from_service_2():
    assert _effective("resource-A") == ["read", "write"]


def test_doc_types_effective_resource_b2_gets_read_from_b1_and_write_from_service_3():
    assert _effective("resource-B2") == ["read", "write"]
    decisions = resolve_all(["read", "write"], TYPES_TREE["resource-B2"], EXAMPLE_USER, [EXAMPLE_GROUP])
    assert (decisions["read"].resource_id, decisions["write"].resource_id) == (601, 600)


def test_doc_types_effective_service_3_keeps_the_users_own_write():
    # The page lists [] here, against its own note that a resource keeps what is applied on it:
    # the user's write on service-3 is direct, nothing can outrank it.
    assert _effective("service-3") == ["write"]


def test_doc_types_effective_resource_b1_also_gets_write_from_service_3():
    # The page lists [read], saying nothing is applied above B1; but service-3 carries the
    # user's recursive write, the same one the page says reaches B2 through B1.
    assert _effective("resource-B1") == ["read", "write"]


# --- "Effect of Permission Modifiers" (UserA only) -----------------------------------------------
USER_A = user(2, "UserA")
_SA = level(200, applied(USER_A, "read-allow-recursive"))
_R1 = level(201, applied(USER_A, "write-allow-match"))
_R2 = level(202, applied(USER_A, "read-deny-match"))
_R3 = level(203)
_SB = level(300)
_R4 = level(301, applied(USER_A, "write-allow-match"))
_R5 = level(302)
_R6 = level(303, applied(USER_A, "read-allow-match"), applied(USER_A, "write-allow-match"))
MODIFIERS_TREE = {
    "ServiceA": [_SA], "Resource1": [_R1, _SA], "Resource2": [_R2, _R1, _SA],
    "Resource3": [_R3, _R2, _R1, _SA],
    "ServiceB": [_SB], "Resource4": [_R4, _SB], "Resource5": [_R5, _R4, _SB],
    "Resource6": [_R6, _R5, _R4, _SB],
}


def _allowed(name, target, tree=MODIFIERS_TREE):
    return resolve(name, tree[target], USER_A, []).allowed


def test_doc_modifiers_recursive_read_on_service_a_reaches_resource_1_and_3():
    assert [_allowed("read", t) for t in ("ServiceA", "Resource1", "Resource3")] == [True, True, True]


def test_doc_modifiers_match_deny_blocks_resource_2_only():
    assert not _allowed("read", "Resource2")
    assert resolve("read", MODIFIERS_TREE["Resource2"], USER_A, []).resource_id == 202


def test_doc_modifiers_recursive_deny_on_resource_2_would_block_resource_3_too():
    r2 = level(202, applied(USER_A, "read-deny-recursive"))
    assert not resolve("read", [_R3, r2, _R1, _SA], USER_A, []).allowed


def test_doc_modifiers_match_write_on_resource_1_is_the_only_write_of_branch_a():
    writable = [t for t in ("ServiceA", "Resource1", "Resource2", "Resource3") if _allowed("write", t)]
    assert writable == ["Resource1"]


def test_doc_modifiers_only_resource_4_and_6_are_writable_in_branch_b():
    writable = [t for t in ("ServiceB", "Resource4", "Resource5", "Resource6") if _allowed("write", t)]
    assert writable == ["Resource4", "Resource6"]


def test_doc_modifiers_two_names_on_resource_6_grant_both():
    assert _allowed("read", "Resource6") and _allowed("write", "Resource6")
    assert not _allowed("read", "Resource5") and not _allowed("read", "Resource4")


# --- "Resolution of Permissions": the effective-permissions table of TestUser --------------------
TEST_USER = user(3, "TestUser")
GROUP_1 = group(31, "TestGroup1")
GROUP_2 = group(32, "TestGroup2")
GROUPS = [GROUP_1, GROUP_2, ANONYMOUS]
_SVC = level(100, applied(TEST_USER, "read-allow-match"), applied(ANONYMOUS, "write-allow-recursive"))
_RES1 = level(101, applied(ANONYMOUS, "read-deny-recursive"))
_RES2 = level(102, applied(GROUP_1, "write-allow-recursive"), applied(GROUP_2, "read-allow-recursive"),
              applied(ANONYMOUS, "write-deny-recursive"))
_RES3 = level(103, applied(TEST_USER, "write-deny-match"))
_RES4 = level(104, applied(GROUP_1, "read-deny-recursive"), applied(GROUP_2, "read-allow-recursive"),
              applied(ANONYMOUS, "write-deny-recursive"))
_RES5 = level(105, applied(GROUP_2, "read-allow-recursive"))
TABLE = {
    "service-A": [_SVC], "resource-1": [_RES1, _SVC], "resource-2": [_RES2, _RES1, _SVC],
    "resource-3": [_RES3, _RES2, _RES1, _SVC],
    "resource-4": [_RES4, _SVC], "resource-5": [_RES5, _RES4, _SVC],
}
# "[unspecified-N]" is a path segment under resource-N that is not a resource: resolved from
# resource-N as nearest existing ancestor, where match permissions do not count.
UNSPECIFIED = {f"[unspecified-{n}]": f"resource-{n}" for n in (1, 2, 3)}


def _table(name, target, who=TEST_USER, groups=GROUPS):
    if target in UNSPECIFIED:
        decision = resolve(name, TABLE[UNSPECIFIED[target]], who, groups, exact=False)
    else:
        decision = resolve(name, TABLE[target], who, groups)
    return decision.allowed, decision.reason, decision.resource_id


def test_doc_table_service_a_read_granted_by_the_users_direct_match():
    assert _table("read", "service-A") == (True, "user:3:TestUser", 100)


def test_doc_table_service_a_read_denied_to_other_members_of_the_same_groups():
    assert _table("read", "service-A", user(4, "other"))[0] is False


def test_doc_table_service_a_write_granted_to_anyone_by_anonymous():
    assert _table("write", "service-A") == (True, "group:1:anonymous", 100)
    assert _table("write", "service-A", None, [ANONYMOUS])[0] is True


def test_doc_table_resource_1_read_denied_by_anonymous_the_users_match_above_not_reaching():
    assert _table("read", "resource-1") == (False, "group:1:anonymous", 101)


def test_doc_table_resource_1_write_granted_by_anonymous_recursive_from_service_a():
    assert _table("write", "resource-1") == (True, "group:1:anonymous", 100)


def test_doc_table_resource_2_read_group_2_allow_overrides_anonymous_deny_above():
    assert _table("read", "resource-2") == (True, "group:32:TestGroup2", 102)


def test_doc_table_resource_2_write_group_1_allow_beats_anonymous_deny_on_same_resource():
    assert _table("write", "resource-2") == (True, "group:31:TestGroup1", 102)


def test_doc_table_resource_3_read_inherits_group_2_recursive_allow():
    assert _table("read", "resource-3") == (True, "group:32:TestGroup2", 102)


def test_doc_table_resource_3_write_denied_by_the_users_direct_match():
    assert _table("write", "resource-3") == (False, "user:3:TestUser", 103)


def test_doc_table_unspecified_1_read_denied_by_anonymous_recursive_deny():
    assert _table("read", "[unspecified-1]") == (False, "group:1:anonymous", 101)


def test_doc_table_unspecified_1_write_granted_by_anonymous_recursive_allow():
    assert _table("write", "[unspecified-1]") == (True, "group:1:anonymous", 100)


def test_doc_table_unspecified_2_read_granted_by_group_2():
    assert _table("read", "[unspecified-2]") == (True, "group:32:TestGroup2", 102)


def test_doc_table_unspecified_2_write_granted_by_group_1():
    assert _table("write", "[unspecified-2]") == (True, "group:31:TestGroup1", 102)


def test_doc_table_unspecified_3_read_granted_by_group_2():
    assert _table("read", "[unspecified-3]") == (True, "group:32:TestGroup2", 102)


def test_doc_table_unspecified_3_write_users_match_deny_on_resource_3_does_not_reach_below():
    assert _table("write", "[unspecified-3]") == (True, "group:31:TestGroup1", 102)


def test_doc_table_unspecified_3_write_denied_to_non_members_of_group_1_by_anonymous():
    assert _table("write", "[unspecified-3]", user(4, "other"), [GROUP_2, ANONYMOUS])[:2] == (
        False, "group:1:anonymous")


def test_doc_table_resource_4_read_equal_priority_groups_disagree_so_deny_wins():
    assert _table("read", "resource-4") == (False, "group:31:TestGroup1", 104)


def test_doc_table_resource_4_write_nearer_anonymous_deny_holds_over_anonymous_allow_above():
    # The page says allowed "from anonymous recursive access", but its table puts an anonymous
    # write-deny-recursive on resource-4 itself; by its rules (nearest finding holds, equal
    # priority further up is ignored) that deny decides.
    assert _table("write", "resource-4") == (False, "group:1:anonymous", 104)


def test_doc_table_resource_5_read_nearer_group_2_allow_holds_over_group_1_deny_above():
    assert _table("read", "resource-5") == (True, "group:32:TestGroup2", 105)


def test_doc_table_resource_5_write_reached_by_the_anonymous_deny_on_resource_4():
    # Same contradiction as resource-4 write: the page says allowed, its own table and rules deny.
    assert _table("write", "resource-5") == (False, "group:1:anonymous", 104)
